package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The embedded container's own behaviour: error bodies, limits, binding and stopping. */
class EsperServerTest {
    private EsperServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofMillis(200));
        }
    }

    private EsperServer start() {
        server = EsperServer.startOnAnyFreePort(EsperConfig.defaults());
        return server;
    }

    /** Sends raw bytes and reads the whole answer (the server closes after an error). */
    private static String exchange(int port, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                answer.write(buf, 0, n);
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void aMalformedRequestIsAnsweredWith400AndAShortTextBody() throws IOException {
        String response = exchange(start().port(), "GET /stats HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 400 ");
        assertThat(response).containsIgnoringCase("Content-Type: text/plain");
        assertThat(body(response)).isEqualTo("400 Bad Request\n");
    }

    @Test
    void aGarbledRequestLineIsAnsweredWith400NotJustClosed() throws IOException {
        String response = exchange(start().port(), "HELLO\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 400 ");
        assertThat(body(response)).doesNotContain("<").hasSizeLessThan(100);
    }

    @Test
    void requestHeadersOverTheLimitGet431WithAShortTextBodyThatQuotesNothing() throws IOException {
        String big = "x".repeat(EsperServer.REQUEST_HEADER_BYTES + 100);
        String response = exchange(start().port(),
                "GET /subscribe/abcdef123?token=secret-token HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 431 ");
        assertThat(response).containsIgnoringCase("Content-Type: text/plain");
        assertThat(body(response)).doesNotContain("<", "secret-token", "xxxx").hasSizeLessThan(100);
    }

    @Test
    void anUnknownPathGetsAShortTextBodyNeverHtml() throws IOException {
        String response = exchange(start().port(), "GET /no/such/path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 4");
        assertThat(body(response)).doesNotContain("<html", "<h2", "at org.").hasSizeLessThan(300);
    }

    /**
     * A stream's events past its head go straight to the connection (JettyStream); on HTTP/1.1 they are framed
     * as Jetty frames chunks, so the whole body, up to the last chunk Jetty writes when the stream ends, is
     * exact chunked coding.
     */
    @Test
    void anHttp11StreamIsExactChunkedCodingFromItsHeadToItsLastChunk() throws Exception {
        server = EsperServer.startOnAnyFreePort(EsperConfig.builder().noAuth(true).heartbeat(Duration.ZERO).build());
        try (Socket stream = openStream("HTTP/1.1")) {
            publish("data: one");
            publish("data: " + "x".repeat(300));
            awaitBytes(stream, 300);
            server.stop(Duration.ofMillis(200));

            String raw = new String(stream.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            String body = dechunk(raw);
            assertThat(body).matches(":ok\n\nid: \\d+\ndata: one\n\nid: \\d+\ndata: x{300}\n\n");
            assertThat(raw).endsWith("\r\n0\r\n\r\n");
        }
    }

    @Test
    void anHttp10StreamCarriesTheEventsAsTheyAreUntilTheServerClosesIt() throws Exception {
        server = EsperServer.startOnAnyFreePort(EsperConfig.builder().noAuth(true).heartbeat(Duration.ZERO).build());
        try (Socket stream = openStream("HTTP/1.0")) {
            publish("data: one");
            publish("data: two");
            awaitBytes(stream, 10);
            server.stop(Duration.ofMillis(200));

            String body = new String(stream.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(body).matches(":ok\n\nid: \\d+\ndata: one\n\nid: \\d+\ndata: two\n\n");
        }
    }

    /** Opens a stream on topic "wirestream1" and reads its head. */
    private Socket openStream(String version) throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(5000);
        socket.getOutputStream().write(("GET /subscribe/wirestream1 " + version + "\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("the stream's head, so far: %s", head).isNotNegative();
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 200 "); // subscribed before the head is sent
        return socket;
    }

    /** Waits until the socket has at least {@code n} bytes to read, without reading them. */
    private static void awaitBytes(Socket socket, int n) {
        await().atMost(Duration.ofSeconds(5)).until(() -> socket.getInputStream().available() >= n);
    }

    private void publish(String body) throws IOException {
        String answer = exchange(server.port(), "POST /publish/wirestream1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + "Content-Type: text/event-stream\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        assertThat(answer).startsWith("HTTP/1.1 200 ");
    }

    /** Decodes a chunked body strictly: every chunk's data ends with CRLF, and the body ends with the last chunk. */
    private static String dechunk(String raw) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        for (;;) {
            int eol = raw.indexOf("\r\n", at);
            assertThat(eol).as("a chunk size line at %d", at).isNotNegative();
            int size = Integer.parseInt(raw.substring(at, eol), 16);
            at = eol + 2;
            if (size == 0) {
                assertThat(raw.substring(at)).as("after the last chunk").isEqualTo("\r\n");
                return body.toString();
            }
            body.append(raw, at, at + size);
            at += size;
            assertThat(raw.substring(at, at + 2)).as("the end of a chunk's data at %d", at).isEqualTo("\r\n");
            at += 2;
        }
    }

    @Test
    void aPortInUseFailsWithAMessageNamingTheAddress() {
        int port = start().port();

        assertThatThrownBy(() -> EsperServer.start(EsperConfig.builder().port(port).build()))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("cannot listen on 127.0.0.1:" + port + ": address already in use "
                        + "(is another server using the port? choose another with --port)")
                .hasCauseInstanceOf(BindException.class);
    }

    @Test
    void stoppingReleasesThePortAndCanBeRepeated() {
        EsperServer s = start();
        int port = s.port();

        s.stop(Duration.ofMillis(200));
        s.stop(Duration.ofMillis(200));

        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void theUriNamesTheBoundAddressAndPort() {
        EsperServer s = start();

        assertThat(s.uri().toString()).isEqualTo("http://127.0.0.1:" + s.port() + "/");
        assertThat(s.port()).isPositive();
    }

    @Test
    void subscribeStreamsOutliveTwoHeartbeatsAndHaveNoIdleTimeoutWithoutHeartbeats() {
        assertThat(EsperHandler.streamIdleTimeout(15_000, 30_000)).isEqualTo(35_000);
        assertThat(EsperHandler.streamIdleTimeout(1_000, 30_000)).isEqualTo(30_000);
        assertThat(EsperHandler.streamIdleTimeout(60_000, 30_000)).isEqualTo(125_000);
        assertThat(EsperHandler.streamIdleTimeout(0, 30_000)).isZero();
        assertThat(EsperHandler.streamIdleTimeout(Long.MAX_VALUE, 30_000)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void connectionsAreCappedAtMaxSubscribersPlusHeadroom() {
        assertThat(EsperServer.maxConnections(100_000)).isEqualTo(110_000);
        assertThat(EsperServer.maxConnections(10)).isEqualTo(74);
        assertThat(EsperServer.maxConnections(Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void settingsRejectOutOfRangeValuesNamingThem() {
        assertThatThrownBy(() -> EsperConfig.builder().threads(0).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("threads must be a whole number from 1 to 64, was '0'");
        assertThatThrownBy(() -> EsperConfig.builder().port(70000).build())
                .hasMessage("port must be a port number from 1 to 65535, was '70000'");
    }
}
