package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EsperConnectorTest {
    private final Server server = new Server();
    private final EsperConnector connector = new EsperConnector(server, 1, new HttpConnectionFactory());
    private final AtomicInteger roomMade = new AtomicInteger();

    /** Whether {@code onOpened} of the last connection ran inside a selector's update loop. */
    private final CompletableFuture<Boolean> openedInSelectorLoop = new CompletableFuture<>();

    @BeforeEach
    void start() throws Exception {
        connector.addBean(new Connection.Listener() {
            @Override
            public void onOpened(Connection connection) {
                openedInSelectorLoop.complete(Arrays.stream(Thread.currentThread().getStackTrace())
                        .anyMatch(frame -> frame.getClassName().endsWith("ManagedSelector$SelectorProducer")
                                && frame.getMethodName().equals("processUpdates")));
            }
        });
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

    @Test
    void setsUpACleartextConnectionOnTheSelectorThreadThatAcceptedIt() throws Exception {
        assertThat(EsperConnector.ACCEPT).as("Jetty's accept task (ManagedSelector.Accept) is still there")
                .isNotNull();

        try (Socket socket = new Socket(InetAddress.getByName("127.0.0.1"), connector.getLocalPort())) {
            assertThat(socket.isConnected()).isTrue();
            assertThat(openedInSelectorLoop.get(5, TimeUnit.SECONDS))
                    .as("the connection was opened in the selector loop, not on a pool thread").isTrue();
        }
    }

    @Test
    void leavesTheSetUpOfATlsConnectionToAPoolThread() {
        EsperConnector tls = new EsperConnector(new Server(), 1,
                new SslConnectionFactory(new SslContextFactory.Server(), "http/1.1"), new HttpConnectionFactory());

        assertThat(tls.setsUpOnSelector()).isFalse();
        assertThat(connector.setsUpOnSelector()).isTrue();
    }
}
