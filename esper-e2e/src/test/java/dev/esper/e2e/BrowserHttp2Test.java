package dev.esper.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import dev.esper.standalone.EsperServer;
import dev.esper.testsupport.PrometheusText;
import dev.esper.testsupport.TestCertificates;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why HTTP/2 matters for SSE (SPEC 10), in a real headless Chromium: a page that opens ten {@code EventSource}s to
 * one origin gets all ten over HTTP/2 (streams of one connection), while over HTTP/1.1 the browser holds back
 * every stream past its six connections per host.
 */
class BrowserHttp2Test {
    private static final int STREAMS = 10;
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    static Path dir;
    private static TestCertificates.Pair pem;
    private static SSLContext trust;
    /** The certificate is self-signed: the browser is told to accept it. */
    @RegisterExtension
    static final Chromium CHROMIUM = new Chromium("--ignore-certificate-errors");
    private EsperServer esper;
    private HttpClient http;

    @BeforeAll
    static void start() {
        pem = TestCertificates.make(dir);
        trust = TestCertificates.trusting(pem.cert());
    }

    @AfterEach
    void stopEsper() {
        CHROMIUM.browser().open("about:blank");
        if (esper != null) {
            esper.stop(Duration.ofMillis(200));
        }
    }

    private void startEsper(EsperConfig.Builder config) {
        esper = EsperServer.startOnAnyFreePort(config.bind("127.0.0.1").build());
        http = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private String base() {
        String uri = esper.uri().toString();
        return uri.substring(0, uri.length() - 1);
    }

    private void openStreams(String topic) {
        CHROMIUM.browser().open(CHROMIUM.pages().origin() + "/streams.html?esper=" + URLEncoder.encode(base(), StandardCharsets.UTF_8)
                + "&topic=" + topic + "&n=" + STREAMS);
    }

    private PrometheusText metrics() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(esper.uri().resolve("metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return PrometheusText.parse(r.body(), false);
    }

    private void publish(String topic, String data) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/publish/" + topic))
                .POST(HttpRequest.BodyPublishers.ofString("data: " + data)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @SuppressWarnings("unchecked")
    private List<List<String>> received() {
        return (List<List<String>>) CHROMIUM.browser().js("return window.received;");
    }

    @Test
    void overHttp2TenStreamsToOneOriginAllOpenAndAllReceiveEvents() throws Exception {
        startEsper(EsperConfig.builder().tls(pem.cert(), pem.key()));
        String topic = "browserHttp2";

        openStreams(topic);

        await().atMost(WAIT).until(() -> CHROMIUM.browser().jsLong("return window.opens;") == STREAMS);
        await().atMost(WAIT).until(() -> metrics().value("esper_subscribers") == STREAMS);
        assertThat(metrics().value("esper_connections")).as("the browser's streams share one connection "
                + "(the test's own client has another)").isLessThanOrEqualTo(2);
        publish(topic, "to every tab");
        await().atMost(WAIT).until(() -> received().stream().allMatch(r -> r.contains("to every tab")));
        assertThat(received()).hasSize(STREAMS).allSatisfy(r -> assertThat(r).containsExactly("to every tab"));
    }

    @Test
    void overHttp11TheBrowserHoldsBackTheStreamsPastSixConnections() throws Exception {
        startEsper(EsperConfig.builder());
        String topic = "browserHttp11";

        openStreams(topic);

        await().atMost(WAIT).until(() -> metrics().value("esper_subscribers") == 6);
        // Nothing more comes, however long the page waits: the other four wait for a connection to free up.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> metrics().value("esper_subscribers") == 6);
        assertThat(CHROMIUM.browser().jsLong("return window.opens;")).isEqualTo(6);
        List<?> states = (List<?>) CHROMIUM.browser().js("return window.openStates();");
        assertThat(states).filteredOn(state -> ((Number) state).intValue() == 0).as("EventSources still CONNECTING")
                .hasSize(STREAMS - 6);
        publish(topic, "to the open ones");
        await().atMost(WAIT).until(() -> received().stream().filter(r -> r.contains("to the open ones")).count() == 6);
    }
}
