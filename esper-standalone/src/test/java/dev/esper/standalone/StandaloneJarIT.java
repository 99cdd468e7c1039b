package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.testsupport.JwksServer;
import dev.esper.testsupport.Ports;
import dev.esper.testsupport.SigningKey;
import dev.esper.testsupport.TestCertificates;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real fat jar, run as a separate process as a user would ({@code java -jar esper.jar}), driven with
 * curl and an HTTP client. Runs in {@code integration-test}, after {@code package} built the jar.
 */
class StandaloneJarIT {
    private static final String TOPIC = "abcdef123";
    private static final String SUBSCRIBER_SECRET = "subscriber-secret-0123456789abcdef";
    private static final String PUBLISHER_SECRET = "publisher-secret-0123456789abcdefgh";
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<EsperProcess> processes = new ArrayList<>();
    private final List<InputStream> streams = new ArrayList<>();
    private int port;

    @AfterEach
    void cleanUp() throws IOException {
        for (InputStream s : streams) {
            s.close();
        }
        processes.forEach(EsperProcess::close);
    }

    private EsperProcess track(EsperProcess p) {
        processes.add(p);
        return p;
    }

    /** Starts the jar on a free port and waits for its banner. */
    private EsperProcess running(Map<String, String> env, String... args) {
        port = Ports.freePort();
        List<String> all = new ArrayList<>(List.of("--port=" + port));
        all.addAll(List.of(args));
        EsperProcess esper = track(EsperProcess.esper(env, all.toArray(String[]::new)));
        esper.awaitOutput("listening on http://127.0.0.1:" + port);
        return esper;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private static String token(String secret, String subject) {
        return Jwts.builder().subject(subject).expiration(Date.from(Instant.now().plusSeconds(300)))
                .signWith(Keys.hmacShaKeyFor(secret.getBytes(StandardCharsets.UTF_8)), Jwts.SIG.HS256).compact();
    }

    /** Opens a subscribe stream (or fails to); the stream is closed after the test. */
    private HttpResponse<InputStream> subscribe(String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/subscribe/" + TOPIC)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<InputStream> response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        streams.add(response.body());
        return response;
    }

    private HttpResponse<String> publish(String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/publish/" + TOPIC)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> stats(String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/stats")).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private int clients(String statsToken) throws Exception {
        HttpResponse<String> stats = stats(statsToken);
        assertThat(stats.statusCode()).as("GET /stats: %s", stats.body()).isEqualTo(200);
        Matcher m = Pattern.compile("\"clients\"\\s*:\\s*(\\d+)").matcher(stats.body());
        assertThat(m.find()).as("clients in %s", stats.body()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static String firstLine(String output) {
        return output.split("\\R", 2)[0];
    }

    // ---------------------------------------------------------------------------------------------
    // The command line

    @Test
    void helpExitsZeroAndPrintsTheUsage() {
        EsperProcess esper = track(EsperProcess.esper(Map.of(), "--help"));

        assertThat(esper.awaitExit(EXIT_TIMEOUT)).isZero();
        assertThat(esper.output()).startsWith("Usage: esper [--bind=<bind>] [--port=<port>] [--threads=<n>] [--no-auth]")
                .contains("esper (-h | --help)", "esper --version", "--history-size=<n>", "--clock-skew=<seconds>",
                        "ESPER_HISTORY_SIZE", "selector threads");
    }

    @Test
    void versionPrintsTheProjectVersionAndExitsZero() {
        EsperProcess esper = track(EsperProcess.esper(Map.of(), "--version"));

        assertThat(esper.awaitExit(EXIT_TIMEOUT)).isZero();
        assertThat(esper.output().trim()).isEqualTo("esper " + System.getProperty("esper.version"));
    }

    @Test
    void aBadFlagExitsNonZeroWithOneLineNamingItThenTheUsage() {
        EsperProcess esper = track(EsperProcess.esper(Map.of(), "--heartbeat=soon"));

        assertThat(esper.awaitExit(EXIT_TIMEOUT)).isNotZero();
        assertThat(firstLine(esper.output())).isEqualTo(
                "esper: Invalid value for option '--heartbeat': must be a whole number of seconds from 0 to "
                        + Integer.MAX_VALUE + ", was 'soon'");
        assertThat(esper.output()).contains("Usage: esper");
    }

    @Test
    void anUnknownFlagExitsNonZeroWithOneLineNamingItThenTheUsage() {
        EsperProcess esper = track(EsperProcess.esper(Map.of(), "--bogus"));

        assertThat(esper.awaitExit(EXIT_TIMEOUT)).isNotZero();
        assertThat(firstLine(esper.output())).isEqualTo("esper: Unknown option: '--bogus'");
        assertThat(esper.output()).contains("Usage: esper");
    }

    @Test
    void aBadValueInAnEnvironmentVariableExitsNonZeroNamingTheVariable() {
        EsperProcess esper = track(EsperProcess.esper(Map.of("ESPER_MAX_TOPICS", "0")));

        assertThat(esper.awaitExit(EXIT_TIMEOUT)).isNotZero();
        assertThat(firstLine(esper.output())).isEqualTo("esper: Invalid value for ESPER_MAX_TOPICS (--max-topics): "
                + "must be a whole number from 1 to " + Integer.MAX_VALUE + ", was '0'");
        assertThat(esper.output()).contains("Usage: esper");
    }

    @Test
    void aPortInUseExitsNonZeroWithAClearMessage() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            int p = taken.getLocalPort();
            EsperProcess esper = track(EsperProcess.esper(Map.of(), "--port=" + p));

            assertThat(esper.awaitExit(EXIT_TIMEOUT)).isNotZero();
            assertThat(esper.output()).contains("esper: cannot listen on 127.0.0.1:" + p + ": address already in use")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aSecretShorterThan32BytesRefusesToStartWithoutPrintingIt() {
        EsperProcess esper = track(EsperProcess.esper(Map.of("ESPER_SUBSCRIBER_SECRET", "hunter2-hunter2")));

        assertThat(esper.awaitExit(EXIT_TIMEOUT)).isNotZero();
        assertThat(esper.output()).contains("ESPER_SUBSCRIBER_SECRET must be at least 32 bytes, was 15 bytes")
                .contains("refusing to start")
                .doesNotContain("hunter2");
    }

    @Test
    void aBadRedisUriExits2WithOneLineAndNeverItsPasswordInAFlagOrAVariable() {
        for (String uri : List.of("redis://LEAKH@127.0.0.1:99999", "redis://:LEAKB/PW@127.0.0.1:6379",
                "redis://:A:LEAKC@127.0.0.1:99999")) {
            EsperProcess flag = track(EsperProcess.esper(Map.of(), "--redis=" + uri));
            assertThat(flag.awaitExit(EXIT_TIMEOUT)).as(uri).isEqualTo(2);
            assertThat(flag.output()).as(uri).startsWith("esper: Invalid value for option '--redis'")
                    .doesNotContain("LEAK").doesNotContain("\tat ");
            EsperProcess variable = track(EsperProcess.esper(Map.of("ESPER_REDIS_URL", uri)));
            assertThat(variable.awaitExit(EXIT_TIMEOUT)).as(uri).isEqualTo(2);
            assertThat(variable.output()).as(uri).contains("ESPER_REDIS_URL").doesNotContain("LEAK")
                    .doesNotContain("\tat ");
        }
    }

    @Test
    void aRedisThatCannotBeReachedFailsTheStartWithoutShowingThePassword() {
        int closed = Ports.freePort();
        EsperProcess esper = track(EsperProcess.esper(Map.of(), "--port=" + Ports.freePort(),
                "--redis=redis://user:LEAKPW@127.0.0.1:" + closed));
        assertThat(esper.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        assertThat(esper.output()).contains("cannot connect to Redis at 127.0.0.1:" + closed).doesNotContain("LEAKPW");
    }

    @Test
    void aTlsKeyThatIsNotAPemKeyStopsTheStartWithOneLineNamingTheFlag(@TempDir Path dir) throws IOException {
        TestCertificates.Pair pem = TestCertificates.make(dir);
        EsperProcess esper = track(EsperProcess.esper(Map.of(), "--port=" + Ports.freePort(),
                "--tls-cert=" + pem.cert(), "--tls-key=" + pem.cert()));

        assertThat(esper.awaitExit(EXIT_TIMEOUT)).isEqualTo(1);
        assertThat(esper.output()).contains("esper: --tls-key " + pem.cert() + ": no PEM private key in it")
                .doesNotContain("\tat ");
        EsperProcess missing = track(EsperProcess.esper(Map.of("ESPER_TLS_CERT", pem.cert().toString())));
        assertThat(missing.awaitExit(EXIT_TIMEOUT)).isEqualTo(2);
        assertThat(firstLine(missing.output())).isEqualTo("esper: Invalid value for ESPER_TLS_CERT (--tls-cert): "
                + "needs --tls-key too: HTTPS takes the certificate chain and its private key");
    }

    @Test
    void theJarServesHttpsWithHttp2AndHttp11FromPemFiles(@TempDir Path dir) {
        TestCertificates.Pair pem = TestCertificates.make(dir, TestCertificates.KeyForm.RSA_PKCS1, "jar");
        port = Ports.freePort();
        EsperProcess esper = track(EsperProcess.esper(Map.of("ESPER_TLS_KEY", pem.key().toString()),
                "--port=" + port, "--tls-cert=" + pem.cert()));
        esper.awaitOutput("listening on https://127.0.0.1:" + port + " (HTTP/2 and HTTP/1.1 over TLS;");
        String base = "https://localhost:" + port;

        for (String version : List.of("--http2", "--http1.1")) {
            EsperProcess curl = track(EsperProcess.command("curl", "-s", version, "--cacert", pem.cert().toString(),
                    "-w", "\nhttp_version=%{http_version}", base + "/health/ready"));
            assertThat(curl.awaitExit(EXIT_TIMEOUT)).as(version).isZero();
            assertThat(curl.output()).as(version).contains("{\"status\":\"UP\"}")
                    .contains(version.equals("--http2") ? "http_version=2" : "http_version=1.1");
        }
    }

    @Test
    void sigtermTurnsReadinessTo503BeforeTheListenerCloses() throws Exception {
        EsperProcess esper = running(Map.of(), "--shutdown-delay=2");
        assertThat(readyOnANewConnection()).isEqualTo(200);

        esper.signal("TERM");
        List<Integer> seen = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline && (seen.isEmpty() || seen.get(seen.size() - 1) != -1)) {
            seen.add(readyOnANewConnection());
            Thread.sleep(50);
        }

        // A connection the listener accepts just as it closes may be closed unanswered (-2): never ready, like
        // a refused one; it can only come after the 503s.
        int first503 = seen.indexOf(503);
        assertThat(first503).as("a 503 in %s", seen).isNotNegative();
        assertThat(seen.subList(0, first503)).as("before the first 503, in %s", seen).doesNotContain(-2);
        List<Integer> changes = new ArrayList<>();
        for (int status : seen) {
            if (status != -2 && (changes.isEmpty() || changes.get(changes.size() - 1) != status)) {
                changes.add(status);
            }
        }
        assertThat(changes).as("readiness on new connections after SIGTERM (-1: refused), in %s", seen)
                .endsWith(503, -1).doesNotContain(500);
        assertThat(seen.stream().filter(s -> s == 503).count()).as("503s during --shutdown-delay=2")
                .isGreaterThan(5);
        assertThat(esper.awaitExit(Duration.ofSeconds(10))).isZero();
        assertThat(esper.output()).contains("stopping: /health/ready answers 503; serving as usual for 2 s more");
    }

    /** {@code GET /health/ready} on a connection of its own: the status, or -1 if the connection is refused. */
    private int readyOnANewConnection() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET /health/ready HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : -2;
        } catch (ConnectException refused) {
            return -1;
        }
    }

    @Test
    void sigintStopsTheServerWithExitCodeZero() {
        EsperProcess esper = running(Map.of());

        esper.signal("INT");

        assertThat(esper.awaitExit(Duration.ofSeconds(10))).isZero();
        assertThat(esper.output()).contains("stopped");
    }

    // ---------------------------------------------------------------------------------------------
    // Serving (needs a working esper-servlet)

    @Test
    void theReadmeCurlExampleWorksVerbatim() throws Exception {
        running(Map.of());
        // README: curl -N http://localhost:3000/subscribe/abcdef123 (the port is this test's)
        EsperProcess subscriber = track(EsperProcess.command("curl", "-N",
                "http://localhost:" + port + "/subscribe/abcdef123"));
        // The opening comment comes once the stream is on its topic; /stats counts it a moment before that.
        subscriber.awaitOutput(":ok\n\n");
        await().atMost(EsperProcess.TIMEOUT).until(() -> clients(null) == 1);

        // README: curl -X POST http://localhost:3000/publish/abcdef123 -d $'event: testing\ndata: {"some":"data"}'
        EsperProcess publisher = track(EsperProcess.command("bash", "-c", "curl -X POST http://localhost:" + port
                + "/publish/abcdef123 -d $'event: testing\\ndata: {\"some\":\"data\"}'"));

        assertThat(publisher.awaitExit(EXIT_TIMEOUT)).isZero();
        assertThat(publisher.output()).contains("\"published\":1").contains("\"subscribers\":1");
        String received = subscriber.awaitOutput("data: {\"some\":\"data\"}\n\n");
        assertThat(received).containsPattern("(?m)^event: testing\\n(?:id: [^\\n]*\\n)?data: \\{\"some\":\"data\"\\}\\n\\n"
                + "|(?m)^id: [^\\n]*\\nevent: testing\\ndata: \\{\"some\":\"data\"\\}\\n\\n");
    }

    @Test
    void withBothSecretsSetEachSideNeedsATokenSignedWithItsOwnSecret() throws Exception {
        EsperProcess esper = running(Map.of("ESPER_SUBSCRIBER_SECRET", SUBSCRIBER_SECRET,
                "ESPER_PUBLISHER_SECRET", PUBLISHER_SECRET));

        assertThat(esper.output()).contains("subscribe (/subscribe): protected")
                .contains("publish (/publish, /stats): protected")
                .doesNotContain("OPEN", SUBSCRIBER_SECRET, PUBLISHER_SECRET);
        assertThat(subscribe(null).statusCode()).isEqualTo(401);
        assertThat(subscribe(token(PUBLISHER_SECRET, TOPIC)).statusCode()).isEqualTo(401);
        HttpResponse<InputStream> stream = subscribe(token(SUBSCRIBER_SECRET, TOPIC));
        assertThat(stream.statusCode()).isEqualTo(200);
        assertThat(stream.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/event-stream"));

        assertThat(publish(null, "data: x").statusCode()).isEqualTo(401);
        assertThat(publish(token(SUBSCRIBER_SECRET, TOPIC), "data: x").statusCode()).isEqualTo(401);
        assertThat(stats(null).statusCode()).isEqualTo(401);
        HttpResponse<String> published = publish(token(PUBLISHER_SECRET, TOPIC), "event: testing\ndata: protected");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        assertThat(published.body()).contains("\"published\":1", "\"subscribers\":1");
        assertThat(clients(token(PUBLISHER_SECRET, "anything"))).isEqualTo(1);
        assertThat(esper.output()).doesNotContain(token(PUBLISHER_SECRET, TOPIC).substring(0, 20));
    }

    @Test
    void withNoSecretsSetBothSidesAreOpenAndTheBannerSaysSo() throws Exception {
        EsperProcess esper = running(Map.of());

        assertThat(esper.output()).contains("subscribe (/subscribe): OPEN to anyone (neither ESPER_SUBSCRIBER_SECRET "
                + "nor ESPER_SUBSCRIBER_JWKS is set)")
                .contains("publish (/publish, /stats): OPEN to anyone (neither ESPER_PUBLISHER_SECRET nor "
                        + "ESPER_PUBLISHER_JWKS is set)");
        assertThat(subscribe(null).statusCode()).isEqualTo(200);
        HttpResponse<String> published = publish(null, "data: open");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        assertThat(published.body()).contains("\"subscribers\":1");
        assertThat(stats(null).statusCode()).isEqualTo(200);
    }

    @Test
    void noAuthOpensBothSidesEvenWithSecretsSetAndWarnsLoudly() throws Exception {
        EsperProcess esper = running(Map.of("ESPER_SUBSCRIBER_SECRET", SUBSCRIBER_SECRET,
                "ESPER_PUBLISHER_SECRET", "short"), "--no-auth");

        assertThat(esper.output()).contains("WARN").contains("--no-auth: AUTHENTICATION IS OFF")
                .doesNotContain(SUBSCRIBER_SECRET);
        assertThat(subscribe(null).statusCode()).isEqualTo(200);
        HttpResponse<String> published = publish(null, "data: open");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        assertThat(stats(null).statusCode()).isEqualTo(200);
    }

    @Test
    void sigtermWhileStreamsAreOpenEndsThemCleanlyAndExitsZeroPromptly() throws Exception {
        EsperProcess esper = running(Map.of());
        // curl exits 0 only if the stream ended with its final chunk (18 = cut off mid-transfer).
        EsperProcess first = track(EsperProcess.command("curl", "-sN", uri("/subscribe/" + TOPIC).toString()));
        EsperProcess second = track(EsperProcess.command("curl", "-sN", uri("/subscribe/" + TOPIC).toString()));
        await().atMost(EsperProcess.TIMEOUT).until(() -> clients(null) == 2);
        assertThat(publish(null, "data: last words").statusCode()).isEqualTo(200);

        long start = System.nanoTime();
        esper.signal("TERM");

        assertThat(esper.awaitExit(Duration.ofSeconds(10))).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(6));
        assertThat(first.awaitExit(Duration.ofSeconds(5))).isZero();
        assertThat(second.awaitExit(Duration.ofSeconds(5))).isZero();
        assertThat(first.output()).contains("data: last words\n\n");
        assertThat(second.output()).contains("data: last words\n\n");
        assertThat(esper.output()).contains("ending 2 open stream(s)").contains("stopped");
    }

    // ---------------------------------------------------------------------------------------------
    // Public keys (SPEC 9.2)

    @Test
    void withAJwkSetTheBannerNamesTheKeysAndAProviderTokenSubscribesWithNoKeyMaterialLogged() throws Exception {
        SigningKey key = SigningKey.rsa("rsa-1");
        try (JwksServer jwks = JwksServer.start(key)) {
            EsperProcess esper = running(Map.of("ESPER_SUBSCRIBER_JWKS", jwks.uri().toString(),
                    "ESPER_PUBLISHER_SECRET", PUBLISHER_SECRET), "--jwt-issuer=https://idp.example.com/realms/app",
                    "--no-query-token");
            String token = key.token("RS256", "{\"iss\":\"https://idp.example.com/realms/app\",\"sub\":\"" + TOPIC
                    + "\",\"exp\":" + (Instant.now().getEpochSecond() + 300) + "}");

            assertThat(subscribe(token).statusCode()).isEqualTo(200);
            assertThat(esper.output()).contains("subscribe (/subscribe): protected, needs a JWT signed by a key of the "
                    + "JWK Set " + jwks.uri() + ": 1 key (RSA 2048-bit kid 'rsa-1'), read at ")
                    .contains("iss 'https://idp.example.com/realms/app'")
                    .contains("publish (/publish, /stats): protected, needs a JWT signed with ESPER_PUBLISHER_SECRET, "
                            + "iss 'https://idp.example.com/realms/app'")
                    .contains("subscribe tokens are read from the Authorization header, then the 'esper_token' cookie "
                            + "(never from the URL: --no-query-token)")
                    .doesNotContain(key.jwk().replaceAll(".*\"n\":\"([^\"]{20}).*", "$1"))
                    .doesNotContain(token.substring(0, 30));
        }
    }

    @Test
    void aJwkSetThatCannotBeFetchedAtTheStartRefusesToStartSayingWhy() {
        int closed = Ports.freePort();
        EsperProcess esper = track(EsperProcess.esper(Map.of(), "--port=" + Ports.freePort(),
                "--subscriber-jwks=http://127.0.0.1:" + closed + "/jwks.json"));

        assertThat(esper.awaitExit(EXIT_TIMEOUT)).isEqualTo(1);
        assertThat(esper.output()).contains("esper: subscriber-jwks: cannot load public keys: the JWK Set http://127.0.0.1:"
                + closed + "/jwks.json cannot be fetched: connection refused; refusing to start").doesNotContain("\tat ");
    }

    @Test
    void aSecretAndAJwkSetForOneSideExit2NamingBothAndNotTheSecret() {
        EsperProcess esper = track(EsperProcess.esper(Map.of("ESPER_PUBLISHER_SECRET", PUBLISHER_SECRET),
                "--publisher-jwks=https://idp.example.com/jwks"));

        assertThat(esper.awaitExit(EXIT_TIMEOUT)).isEqualTo(2);
        assertThat(esper.output()).contains("esper: publisher jwks (--publisher-jwks) and publisher secret (environment "
                + "variable ESPER_PUBLISHER_SECRET) are both set: a side is keyed by an HMAC secret or by public keys, "
                + "never both; unset one; refusing to start").doesNotContain(PUBLISHER_SECRET);
    }
}
