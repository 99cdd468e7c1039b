package dev.esper.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each container's {@link DisconnectWatch}, against the real container: it reaches the container's internals
 * (reflection), and a client that closes its idle stream is noticed. This fails when a container changes under
 * its watch, before users would see streams that outlive their clients.
 */
class DisconnectWatchTest {
    static Stream<Arguments> containers() {
        return Stream.of(
                Arguments.of("Jetty 12", (Supplier<ServletContainer>) JettyContainer::new, JettyDisconnectWatch.class),
                Arguments.of("Tomcat 11", (Supplier<ServletContainer>) TomcatContainer::new, TomcatDisconnectWatch.class));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("containers")
    void theContainersWatchReachesItsInternalsAndSeesAnIdleClientLeave(String name, Supplier<ServletContainer> container,
            Class<?> expected) throws Exception {
        CompletableFuture<Object> watched = new CompletableFuture<>();
        CountDownLatch gone = new CountDownLatch(1);
        HttpServlet servlet = new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void service(HttpServletRequest req, HttpServletResponse resp) {
                try {
                    AsyncContext ctx = req.startAsync();
                    ctx.setTimeout(0);
                    resp.setHeader("Connection", "close");
                    resp.setContentType("text/event-stream");
                    resp.getOutputStream().write(":ok\n\n".getBytes(StandardCharsets.US_ASCII));
                    resp.getOutputStream().flush();
                    DisconnectWatch watch = DisconnectWatch.forContainer(req.getClass().getName());
                    watched.complete(watch == null ? "no watch for " + req.getClass().getName()
                            : watch.getClass() + (watch.watch(req, gone::countDown) ? "" : " refused"));
                } catch (Exception | LinkageError e) {
                    watched.complete(e);
                }
            }
        };
        try (ServletContainer c = container.get()) {
            int port = c.mount("", Map.of("/*", servlet), Map.of());
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream out = s.getOutputStream();
                out.write("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                String head = readUntil(in, ":ok");
                assertThat(head).startsWith("HTTP/1.1 200");
                assertThat(watched.get(5, TimeUnit.SECONDS)).as(name).isEqualTo(expected.toString());
                assertThat(gone.getCount()).as("still connected").isEqualTo(1);
            }
            assertThat(gone.await(5, TimeUnit.SECONDS)).as(name + " noticed the client leave").isTrue();
        }
    }

    private static String readUntil(InputStream in, String marker) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (sb.indexOf(marker) < 0) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }
}
