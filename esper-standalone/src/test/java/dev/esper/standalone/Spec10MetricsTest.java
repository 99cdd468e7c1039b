package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import dev.esper.testsupport.PrometheusText;
import dev.esper.testsupport.RawHttp;
import dev.esper.testsupport.Tokens;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC 10's {@code GET /metrics} on the standalone server: read by a strict Prometheus exposition parser, with
 * values that move as a test subscribes, publishes and drops a slow reader; protected like {@code /stats}.
 */
class Spec10MetricsTest {
    private static final String TOPIC = "metricsTopic1";
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<RawHttp> streams = new ArrayList<>();
    private EsperServer server;
    private final String publisher = "Bearer " + Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC);

    @AfterEach
    void stop() throws Exception {
        for (RawHttp s : streams) {
            try {
                s.close();
            } catch (IOException alreadyAborted) {
                // The test aborted it.
            }
        }
        if (server != null) {
            server.stop(Duration.ofMillis(200));
        }
    }

    private void start(EsperConfig.Builder config) {
        server = EsperServer.startOnAnyFreePort(config.bind("127.0.0.1").build());
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(WAIT);
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> publish(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri().resolve("publish/" + TOPIC)).timeout(WAIT)
                .header("Authorization", publisher).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private PrometheusText scrape() throws Exception {
        HttpResponse<String> r = get("metrics", "Authorization", publisher);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.parse(r.body(), false);
    }

    private RawHttp subscribe() throws Exception {
        RawHttp s = RawHttp.connect(server.port());
        streams.add(s);
        s.send("GET", "/subscribe/" + TOPIC, List.of(), null).readHead();
        assertThat(s.status()).isEqualTo(200);
        s.awaitBody(":ok\n\n", WAIT);
        return s;
    }

    @Test
    void anUnauthorisedScrapeIs401WhenThePublisherSideIsProtected() throws Exception {
        start(EsperConfig.builder().publisherSecret(Tokens.PUBLISHER_SECRET));

        HttpResponse<String> none = get("metrics");
        HttpResponse<String> subscriberToken = get("metrics", "Authorization",
                "Bearer " + Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC));

        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(none.body()).startsWith("{\"error\":").doesNotContain("esper_");
        assertThat(subscriberToken.statusCode()).isEqualTo(401);
        assertThat(scrape().value("esper_rejected_requests_total", "status", "401")).isEqualTo(2);
    }

    @Test
    void theMetricsFollowSubscribesPublishesAndADroppedSlowReader() throws Exception {
        start(EsperConfig.builder().publisherSecret(Tokens.PUBLISHER_SECRET).subscriberBuffer(64 * 1024)
                .heartbeat(Duration.ofSeconds(60)));
        PrometheusText before = scrape();
        assertThat(before.types()).containsEntry("esper_subscribers", "gauge").containsEntry("esper_topics", "gauge")
                .containsEntry("esper_published_events_total", "counter")
                .containsEntry("esper_delivered_events_total", "counter")
                .containsEntry("esper_dropped_subscribers_total", "counter")
                .containsEntry("esper_evicted_topics_total", "counter")
                .containsEntry("esper_rejected_requests_total", "counter")
                .containsEntry("esper_publish_duration_seconds", "histogram")
                .containsEntry("esper_fanout_backlog_bytes", "gauge")
                .containsEntry("esper_connections", "gauge")
                .containsEntry("jvm_memory_used_bytes", "gauge").containsEntry("jvm_threads_live_threads", "gauge")
                .containsKeys("jvm_gc_memory_allocated_bytes_total", "process_cpu_usage", "process_uptime_seconds");
        assertThat(before.value("esper_subscribers")).isZero();
        assertThat(before.value("esper_published_events_total")).isZero();

        RawHttp reader = subscribe();
        RawHttp slow = subscribe();
        assertThat(publish("data: one\n\ndata: two").statusCode()).isEqualTo(200);
        reader.awaitBody("data: two\n\n", WAIT);

        PrometheusText live = scrape();
        assertThat(live.value("esper_subscribers")).isEqualTo(2);
        assertThat(live.value("esper_topics")).isEqualTo(1);
        assertThat(live.value("esper_published_events_total")).isEqualTo(2);
        assertThat(live.value("esper_delivered_events_total")).isGreaterThanOrEqualTo(2);
        assertThat(live.value("esper_publish_duration_seconds_count", "outcome", "published")).isEqualTo(1);
        assertThat(live.value("esper_connections")).isGreaterThanOrEqualTo(2);

        // The slow reader reads nothing more: its socket and Jetty's buffers fill, then the broker drops it.
        reader.abort();
        String big = "data: " + "z".repeat(60_000);
        for (int i = 0; i < 400 && scrapeValue("esper_dropped_subscribers_total") == 0; i++) {
            assertThat(publish(big).statusCode()).isEqualTo(200);
        }
        await().atMost(WAIT).until(() -> scrapeValue("esper_dropped_subscribers_total") == 1);
        await().atMost(WAIT).until(() -> scrapeValue("esper_subscribers") == 0);
        PrometheusText after = scrape();
        assertThat(after.value("esper_published_events_total")).isGreaterThan(2);
        assertThat(after.value("esper_publish_duration_seconds_count", "outcome", "published"))
                .isEqualTo(after.value("esper_published_events_total") - 1);
        slow.abort();
    }

    @Test
    void theFanOutBacklogShowsBytesAStalledReaderHasNotBeenHanded() throws Exception {
        start(EsperConfig.builder().subscriberBuffer(64L * 1024 * 1024).heartbeat(Duration.ofSeconds(60)));
        RawHttp slow = subscribe();
        String big = "data: " + "y".repeat(60_000);

        for (int i = 0; i < 200; i++) {
            assertThat(publish(big).statusCode()).isEqualTo(200);
        }

        await().atMost(WAIT).until(() -> scrapeValue("esper_fanout_backlog_bytes") > 1_000_000);
        slow.abort();
        await().atMost(WAIT).until(() -> scrapeValue("esper_fanout_backlog_bytes") == 0);
    }

    @Test
    void openMetricsIsAnsweredWhenTheScrapeAsksForIt() throws Exception {
        start(EsperConfig.builder());
        publish("data: x");

        HttpResponse<String> r = get("metrics", "Accept",
                "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");

        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/openmetrics-text; version=1.0.0"));
        PrometheusText parsed = PrometheusText.parse(r.body(), true);
        assertThat(parsed.types()).containsEntry("esper_published_events", "counter");
        assertThat(parsed.value("esper_published_events_total")).isEqualTo(1);
    }

    private double scrapeValue(String name) throws Exception {
        return scrape().value(name);
    }
}
