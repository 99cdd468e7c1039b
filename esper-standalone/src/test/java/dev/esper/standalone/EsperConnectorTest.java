package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EsperConnectorTest {
    private final Server server = new Server();
    private final EsperConnector connector = new EsperConnector(server, 1, new HttpConnectionFactory());
    private final AtomicInteger roomMade = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.onAcceptFailure(roomMade::incrementAndGet);
        server.addConnector(connector);
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
    }

    @Test
    void anAcceptFailureMakesRoomAndRetriesAfterAQuarterSecond() {
        long start = System.nanoTime();

        boolean goOn = connector.handleAcceptFailure(new IOException("Too many open files"));

        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(goOn).as("the acceptor keeps accepting").isTrue();
        assertThat(roomMade).hasValue(1);
        assertThat(millis).isBetween(EsperConnector.RETRY_MILLIS - 10, 2 * EsperConnector.RETRY_MILLIS + 500);
    }

    @Test
    void leavesInterruptsToJetty() {
        boolean goOn = connector.handleAcceptFailure(new InterruptedException());

        assertThat(goOn).isTrue();
        assertThat(roomMade).hasValue(0);
    }
}
