package dev.esper.servlet;

/** The token rules, run against the standalone server's Jetty core handler. */
class EsperHandlerAuthMatrixTest extends AuthMatrixContract {
    @Override
    Container container() {
        return new JettyCoreContainer();
    }
}
