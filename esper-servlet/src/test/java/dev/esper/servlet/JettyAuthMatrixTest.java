package dev.esper.servlet;

import dev.esper.testsupport.AuthMatrixContract;
import dev.esper.testsupport.FrontEnd;

/** The token rules on embedded Jetty. */
class JettyAuthMatrixTest extends AuthMatrixContract {
    @Override
    protected FrontEnd frontEnd() {
        return new JettyContainer();
    }
}
