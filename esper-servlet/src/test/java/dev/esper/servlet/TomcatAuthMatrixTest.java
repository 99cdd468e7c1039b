package dev.esper.servlet;

/** The token rules on embedded Tomcat. */
class TomcatAuthMatrixTest extends AuthMatrixContract {
    @Override
    Container container() {
        return new TomcatContainer();
    }
}
