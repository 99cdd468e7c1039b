package dev.esper.servlet;

/** The behaviour suite on embedded Tomcat. */
class TomcatEsperServletTest extends EsperServletContract {
    @Override
    Container container() {
        return new TomcatContainer();
    }
}
