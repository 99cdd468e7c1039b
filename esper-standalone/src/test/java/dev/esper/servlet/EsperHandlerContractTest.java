package dev.esper.servlet;

/** The servlet's behaviour suite, run against the standalone server's Jetty core handler. */
class EsperHandlerContractTest extends EsperServletContract {
    @Override
    Container container() {
        return new JettyCoreContainer();
    }
}
