package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import dev.esper.testsupport.PrometheusText;
import dev.esper.testsupport.TestCertificates;
import dev.esper.testsupport.Tokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC 10 on the standalone server: HTTPS from PEM files with HTTP/2 (ALPN {@code h2}) and HTTP/1.1, and
 * cleartext HTTP/2 with {@code --h2c}; the routes and rules as over HTTP/1.1, each subscriber one stream of a
 * shared connection. Clients: the JDK's {@link HttpClient}, curl, and Jetty's raw HTTP/2 client where a test
 * needs one stream of a connection to stop reading.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Spec10Http2Test {
    private static final String TOPIC = "httpTwoTopic1";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;
    private static TestCertificates.Pair pem;
    private static SSLContext trust;

    private EsperServer server;
    /** One HTTP/2 connection's client for the test's requests and scrapes. */
    private HttpClient http;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeAll
    static void certificate() {
        pem = TestCertificates.make(dir);
        trust = TestCertificates.trusting(pem.cert());
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        if (server != null) {
            server.stop(Duration.ofMillis(200));
        }
    }

    private EsperServer tls(EsperConfig.Builder config) {
        server = EsperServer.startOnAnyFreePort(config.bind("127.0.0.1").tls(pem.cert(), pem.key()).build());
        http = h2();
        return server;
    }

    private HttpClient h2() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(trust)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private URI uri(String path) {
        return server.uri().resolve(path);
    }

    private static HttpRequest.Builder request(URI uri) {
        return HttpRequest.newBuilder(uri).timeout(WAIT);
    }

    private static HttpResponse<String> send(HttpClient client, HttpRequest request) throws Exception {
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> publish(HttpClient client, String body) throws Exception {
        return send(client, request(uri("publish/" + TOPIC)).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private double metric(String name) throws Exception {
        return PrometheusText.parse(send(http, request(uri("metrics")).build()).body(), false).value(name);
    }

    /** An event stream read line by line on its own thread, over the JDK client's HTTP/2 connection. */
    private final class JdkStream implements AutoCloseable {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final HttpResponse<InputStream> response;

        JdkStream(HttpClient client, String path) throws Exception {
            response = client.send(request(uri(path)).build(), HttpResponse.BodyHandlers.ofInputStream());
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (IOException ended) {
                    // closed by the test
                }
            }, "h2 stream reader");
            reader.setDaemon(true);
            reader.start();
            closing.add(this);
        }

        boolean saw(String line) {
            return lines.contains(line);
        }

        @Override
        public void close() throws IOException {
            response.body().close();
        }
    }

    @Test
    void theJdkClientNegotiatesHttp2AndEveryAnswerIsTheSameAsOverHttp11() throws Exception {
        tls(EsperConfig.builder().publisherSecret(Tokens.PUBLISHER_SECRET).corsOrigins(List.of("https://app.example")));
        HttpClient client = http;

        HttpResponse<String> live = send(client, request(uri("health/live")).build());
        assertThat(live.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(live.body()).isEqualTo("{\"status\":\"UP\"}");
        HttpResponse<String> notFound = send(client, request(uri("nope")).header("Origin", "https://app.example").build());
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(notFound.body()).startsWith("{\"error\":\"no such route");
        assertThat(notFound.headers().firstValue("Access-Control-Allow-Origin")).contains("https://app.example");
        assertThat(notFound.headers().firstValue("Connection")).as("no connection header on HTTP/2").isEmpty();
        HttpResponse<String> wrongMethod = send(client, request(uri("subscribe/" + TOPIC))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build());
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).contains("GET, OPTIONS");
        assertThat(send(client, request(uri("subscribe/short")).build()).statusCode()).isEqualTo(400);
        HttpResponse<String> unauthorised = publish(client, "data: x");
        assertThat(unauthorised.statusCode()).isEqualTo(401);
        assertThat(unauthorised.headers().firstValue("WWW-Authenticate")).isPresent();
        String token = "Bearer " + Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC);
        HttpResponse<String> tooLarge = send(client, request(uri("publish/" + TOPIC)).header("Authorization", token)
                .POST(HttpRequest.BodyPublishers.ofString("data: " + "x".repeat(70_000))).build());
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        HttpResponse<String> published = send(client, request(uri("publish/" + TOPIC)).header("Authorization", token)
                .POST(HttpRequest.BodyPublishers.ofString("data: over h2")).build());
        assertThat(published.statusCode()).isEqualTo(200);
        assertThat(published.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(send(client, request(uri("health/live")).build()).statusCode()).as("the connection survives errors")
                .isEqualTo(200);
    }

    @Test
    void tenStreamsShareOneConnectionAndAllReceiveEveryEventOnceInOrder() throws Exception {
        tls(EsperConfig.builder());
        HttpClient client = http;
        List<JdkStream> streams = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            JdkStream s = new JdkStream(client, "subscribe/" + TOPIC);
            assertThat(s.response.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(s.response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("text/event-stream"));
            streams.add(s);
        }
        await().atMost(WAIT).until(() -> metric("esper_subscribers") == 10);
        assertThat(metric("esper_connections")).as("one connection for ten streams and the scrapes").isEqualTo(1);

        for (int i = 1; i <= 5; i++) {
            assertThat(publish(client, "data: event " + i).statusCode()).isEqualTo(200);
        }

        for (JdkStream s : streams) {
            await().atMost(WAIT).until(() -> s.saw("data: event 5"));
            List<String> data = s.lines.stream().filter(l -> l.startsWith("data: ")).toList();
            assertThat(data).containsExactly("data: event 1", "data: event 2", "data: event 3", "data: event 4",
                    "data: event 5");
        }
    }

    @Test
    void aStreamTheClientResetsIsRemovedPromptlyWhileTheOthersOnItsConnectionGoOn() throws Exception {
        tls(EsperConfig.builder().heartbeat(Duration.ofSeconds(60)));
        H2Client client = new H2Client(server.uri(), trust);
        closing.add(client);
        H2Client.Sse leaving = client.get("subscribe/" + TOPIC);
        H2Client.Sse staying = client.get("subscribe/" + TOPIC);
        assertThat(leaving.status()).isEqualTo(200);
        staying.await(":ok\n\n", WAIT);
        await().atMost(WAIT).until(() -> metric("esper_subscribers") == 2);

        leaving.cancel();

        await().atMost(Duration.ofSeconds(3)).until(() -> metric("esper_subscribers") == 1);
        assertThat(publish(http, "data: after the reset").statusCode()).isEqualTo(200);
        staying.await("data: after the reset\n\n", WAIT);
        assertThat(client.openStreams()).isEqualTo(1);
    }

    @Test
    void aStreamThatStopsReadingIsDroppedWithoutStallingTheOtherStreamsOfItsConnection() throws Exception {
        tls(EsperConfig.builder().subscriberBuffer(256 * 1024).heartbeat(Duration.ofSeconds(60)));
        H2Client client = new H2Client(server.uri(), trust);
        closing.add(client);
        H2Client.Sse silent = client.get("subscribe/" + TOPIC);
        H2Client.Sse reader = client.get("subscribe/" + TOPIC);
        silent.await(":ok\n\n", WAIT);
        reader.await(":ok\n\n", WAIT);
        silent.pause();
        HttpClient publisher = http;
        String payload = "p".repeat(20_000);

        int published = 0;
        long start = System.nanoTime();
        while (metric("esper_dropped_subscribers_total") == 0) {
            assertThat(publish(publisher, "data: " + ++published + " " + payload).statusCode()).isEqualTo(200);
            reader.await("data: " + published + " ", WAIT);
            assertThat(System.nanoTime() - start).as("dropped within 20 s").isLessThan(TimeUnit.SECONDS.toNanos(20));
        }

        await().atMost(WAIT).until(silent::wasReset);
        assertThat(metric("esper_subscribers")).isEqualTo(1);
        assertThat(publish(publisher, "data: after the drop").statusCode()).isEqualTo(200);
        String text = reader.await("data: after the drop\n\n", WAIT);
        for (int i = 1; i <= published; i++) {
            assertThat(text).contains("data: " + i + " ");
        }
        assertThat(silent.text().length()).as("what the silent stream took before it stalled")
                .isLessThanOrEqualTo(H2Client.STREAM_WINDOW);
    }

    @Test
    void heartbeatsAndResumeWorkOnAnHttp2Stream() throws Exception {
        tls(EsperConfig.builder().heartbeat(Duration.ofSeconds(1)));
        HttpClient client = http;
        HttpResponse<String> first = publish(client, "data: one");
        publish(client, "data: two");
        String id = first.body().replaceAll(".*\"ids\":\\[\"([^\"]+)\".*", "$1");

        JdkStream resumed = new JdkStream(client, "subscribe/" + TOPIC + "?lastEventId=" + id);

        await().atMost(WAIT).until(() -> resumed.saw("data: two"));
        assertThat(resumed.lines).doesNotContain("data: one");
        await().atMost(Duration.ofSeconds(5)).until(() -> resumed.saw(":"));
    }

    @Test
    void curlSpeaksHttp2ToTheServerWithThePemCertificate() throws Exception {
        tls(EsperConfig.builder());
        String base = "https://localhost:" + server.port();
        EsperProcess subscriber = EsperProcess.command("curl", "-sN", "--http2", "--cacert", pem.cert().toString(),
                base + "/subscribe/" + TOPIC);
        closing.add(subscriber);
        subscriber.awaitOutput(":ok\n\n");

        EsperProcess publisher = EsperProcess.command("curl", "-s", "--http2", "--cacert", pem.cert().toString(),
                "-w", "\\nhttp_version=%{http_version}", "-X", "POST", base + "/publish/" + TOPIC, "-d", "data: from curl");
        closing.add(publisher);

        assertThat(publisher.awaitExit(WAIT)).isZero();
        assertThat(publisher.output()).contains("\"published\":1").contains("http_version=2");
        subscriber.awaitOutput("data: from curl\n\n");
    }

    @Test
    void http11OverTlsStillWorksAndAClosedStreamIsRemovedPromptly() throws Exception {
        tls(EsperConfig.builder().heartbeat(Duration.ofSeconds(60)));
        SSLSocket socket = (SSLSocket) trust.getSocketFactory().createSocket("127.0.0.1", server.port());
        socket.setSoTimeout(5000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /subscribe/" + TOPIC + " HTTP/1.1\r\nHost: localhost\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readUntil(socket.getInputStream(), ":ok\n\n");
        assertThat(head).startsWith("HTTP/1.1 200").contains("Transfer-Encoding: chunked");
        assertThat(socket.getApplicationProtocol()).isIn("http/1.1", "");
        await().atMost(WAIT).until(() -> metric("esper_subscribers") == 1);

        socket.close();

        await().atMost(Duration.ofSeconds(3)).until(() -> metric("esper_subscribers") == 0);
    }

    /** A handshake may be slow through the server's own load (a burst of them): it gets the head deadline. */
    @Test
    void aTlsConnectionThatNeverShakesHandsIsClosedAfterTheHeadDeadline() throws Exception {
        tls(EsperConfig.builder());
        try (Socket silent = new Socket()) {
            silent.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            silent.setSoTimeout(30_000);
            long start = System.nanoTime();

            int read = silent.getInputStream().read();

            long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(read).isEqualTo(-1);
            assertThat(waited).isBetween(EsperServer.HEAD_DEADLINE_MILLIS - 500, EsperServer.HEAD_DEADLINE_MILLIS + 3_000);
        }
    }

    @Test
    void atTheConnectionCapIdleHttp2ConnectionsAreClosedSoANewClientGetsInAtOnce() throws Exception {
        tls(EsperConfig.builder().maxSubscribers(1));
        int cap = EsperServer.maxConnections(1);
        List<HttpClient> idle = new ArrayList<>();
        for (int i = 0; i < cap; i++) {
            HttpClient c = h2();
            assertThat(send(c, request(uri("health/live")).build()).version()).isEqualTo(HttpClient.Version.HTTP_2);
            idle.add(c);
        }
        assertThat(idle).hasSize(cap);

        long start = System.nanoTime();
        HttpResponse<String> newcomer = send(h2(), request(uri("health/ready")).build());

        assertThat(newcomer.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        assertThat(metric("esper_connections")).isLessThanOrEqualTo(cap);
    }

    @Test
    void withH2cHttp2InCleartextAndHttp11ShareThePort() throws Exception {
        server = EsperServer.startOnAnyFreePort(EsperConfig.builder().bind("127.0.0.1").h2c(true).build());
        assertThat(server.uri().getScheme()).isEqualTo("http");
        H2Client client = new H2Client(server.uri(), null);
        closing.add(client);
        H2Client.Sse stream = client.get("subscribe/" + TOPIC);
        assertThat(stream.status()).isEqualTo(200);
        stream.await(":ok\n\n", WAIT);

        HttpClient http11 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> published = publish(http11, "data: cleartext");
        assertThat(published.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        stream.await("data: cleartext\n\n", WAIT);
        EsperProcess curl = EsperProcess.command("curl", "-s", "--http2-prior-knowledge", "-w",
                "\\nhttp_version=%{http_version}", server.uri() + "health/ready");
        closing.add(curl);
        assertThat(curl.awaitExit(WAIT)).isZero();
        assertThat(curl.output()).contains("{\"status\":\"UP\"}").contains("http_version=2");
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().contains(end)) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("ended before '" + end + "': " + sb);
            }
            sb.append((char) c);
        }
        return sb.toString();
    }
}
