package dev.esper.standalone;

import dev.esper.testsupport.AuthMatrixContract;
import dev.esper.testsupport.FrontEnd;

/** The token rules on the standalone server's Jetty core handler. */
class EsperHandlerAuthMatrixTest extends AuthMatrixContract {
    @Override
    protected FrontEnd frontEnd() {
        return new CoreHandlerFrontEnd();
    }
}
