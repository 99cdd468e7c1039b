package dev.esper.servlet;

import dev.esper.testsupport.AuthMatrixContract;
import dev.esper.testsupport.FrontEnd;

/** The token rules on embedded Tomcat. */
class TomcatAuthMatrixTest extends AuthMatrixContract {
    @Override
    protected FrontEnd frontEnd() {
        return new TomcatContainer();
    }
}
