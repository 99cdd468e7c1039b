package dev.esper.servlet;

/** The token rules on embedded Jetty. */
class JettyAuthMatrixTest extends AuthMatrixContract {
    @Override
    Container container() {
        return new JettyContainer();
    }
}
