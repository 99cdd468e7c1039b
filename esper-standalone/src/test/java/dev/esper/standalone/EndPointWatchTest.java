package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.testsupport.RawHttp;
import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The disconnect watch on a real Jetty connection with one selector. Ending a stream can wait: Jetty's HTTP/1.1
 * connection joins a write it cancels, and only the selector completes that write. So the watch's callback must
 * never run on the selector thread; there, a wait stops every connection of that selector (and a wait for the
 * selector itself never ends: that was a production deadlock).
 */
class EndPointWatchTest {
    private final CountDownLatch watched = new CountDownLatch(1);
    private final CountDownLatch clientLeft = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private Server server;

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void aCallbackThatWaitsHoldsUpNoOtherConnectionOfItsSelector() throws Exception {
        int port = start();
        try (Socket stream = new Socket("127.0.0.1", port)) {
            assertThat(get(stream, "/stream")).isEqualTo(200);
            assertThat(watched.await(5, TimeUnit.SECONDS)).as("the stream is watched").isTrue();

            stream.shutdownOutput();
            assertThat(clientLeft.await(5, TimeUnit.SECONDS)).as("the watch noticed the client leave").isTrue();

            // The callback is now waiting; the only selector must still serve another connection.
            try (Socket other = new Socket("127.0.0.1", port)) {
                assertThat(get(other, "/other")).isEqualTo(204);
            }
        }
    }

    @Test
    void theWatchEndsAtOnceWhenTheClientResetsTheConnection() throws Exception {
        int port = start();
        try (Socket stream = new Socket("127.0.0.1", port)) {
            get(stream, "/stream");
            assertThat(watched.await(5, TimeUnit.SECONDS)).isTrue();
            stream.setSoLinger(true, 0);
        }
        assertThat(clientLeft.await(5, TimeUnit.SECONDS)).as("the watch noticed the reset").isTrue();
    }

    /** Starts Jetty with one selector: {@code /stream} opens a response that never ends, and watches it. */
    private int start() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(16, 4);
        threads.setName("watch-test");
        server = new Server(threads);
        ServerConnector connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                if (!request.getHttpURI().getPath().equals("/stream")) {
                    response.setStatus(204);
                    callback.succeeded();
                    return true;
                }
                response.setStatus(200);
                response.write(false, BufferUtil.EMPTY_BUFFER, Callback.NOOP);
                boolean watching = EndPointWatch.watch(request.getConnectionMetaData().getConnection().getEndPoint(),
                        () -> {
                            clientLeft.countDown();
                            try {
                                release.await(10, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            callback.failed(new Request.Handler.AbortException("client left"));
                        });
                if (watching) {
                    watched.countDown();
                }
                return true;
            }
        });
        server.start();
        return connector.getLocalPort();
    }

    /** Sends {@code GET path} and reads the answer's head, waiting at most 5 s: the status. */
    private static int get(Socket socket, String path) throws IOException {
        RawHttp http = RawHttp.over(socket);
        socket.setSoTimeout(5000);
        return http.send("GET", path, List.of(), null).readHead().status();
    }
}
