package dev.esper.servlet;

/** The behaviour suite on embedded Jetty. */
class JettyEsperServletTest extends EsperServletContract {
    @Override
    Container container() {
        return new JettyContainer();
    }
}
