package dev.esper.servlet;

/** The behaviour suite on embedded Jetty. */
class JettyEsperServletTest extends ServletContract {
    @Override
    protected ServletContainer frontEnd() {
        return new JettyContainer();
    }
}
