package dev.esper.standalone;

import dev.esper.testsupport.FrontEnd;
import dev.esper.testsupport.HttpContract;

/** The behaviour suite on the standalone server's Jetty core handler. */
class EsperHandlerContractTest extends HttpContract {
    @Override
    protected FrontEnd frontEnd() {
        return new CoreHandlerFrontEnd();
    }
}
