package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.esper.broker.Broker;
import dev.esper.event.Event;
import dev.esper.testsupport.PrometheusText;
import dev.esper.testsupport.RawHttp;
import dev.esper.topic.TopicId;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

/**
 * With Actuator (and micrometer-registry-prometheus) on the class path: {@code /actuator/health} has the
 * component {@code esper}, UP, and DOWN with its reason while the broker's transport is down or a shutdown is under
 * way, in the readiness group too when the application adds it there; {@code /actuator/metrics} and
 * {@code /actuator/prometheus} show esper's meters, which move when application code publishes through the
 * {@link Broker} bean.
 */
@SpringBootTest(classes = ActuatorContract.App.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "management.endpoints.web.exposure.include=health,metrics,prometheus",
        "management.endpoint.health.show-details=always",
        "management.endpoint.health.probes.enabled=true",
        "management.endpoint.health.group.readiness.include=readinessState,esper"})
abstract class ActuatorContract extends WebContract {
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        /** A cross-node transport the tests take down, as a Redis that cannot be reached would be. */
        @Bean
        DownableTransport clusterTransport() {
            return new DownableTransport();
        }
    }

    @Autowired
    Broker broker;

    @Autowired
    DownableTransport transport;

    /** The status and body of a GET. */
    private record Answer(int status, String body) {
        <T> T json(String path) {
            return JsonPath.read(body, path);
        }
    }

    private Answer get(String target) throws IOException {
        try (RawHttp http = Http.get(port, target)) {
            return new Answer(http.status(), http.readBody());
        }
    }

    @Test
    void healthShowsEsperUpWithItsSubscribersTopicsAndTransport() throws Exception {
        try (RawHttp stream = Http.get(port, "/esper/subscribe/actuator17")) {
            stream.awaitBody(":ok\n\n", Duration.ofSeconds(5));

            Answer health = get("/actuator/health");

            assertThat(health.status()).as(health.body()).isEqualTo(200);
            assertThat(health.<String>json("$.status")).isEqualTo("UP");
            assertThat(health.<String>json("$.components.esper.status")).isEqualTo("UP");
            assertThat(health.<Integer>json("$.components.esper.details.subscribers")).isGreaterThanOrEqualTo(1);
            assertThat(health.<Integer>json("$.components.esper.details.topics")).isGreaterThanOrEqualTo(1);
            assertThat(health.<String>json("$.components.esper.details.transport.state")).isEqualTo("up");
            assertThat(health.body()).doesNotContain("\"reason\"");
        }
    }

    @Test
    void aTransportThatIsDownTurnsEsperAndReadinessDownWithItsReasonButNotLiveness() throws Exception {
        transport.down = true;
        try {
            Answer health = get("/actuator/health");
            assertThat(health.status()).as(health.body()).isEqualTo(503);
            assertThat(health.<String>json("$.status")).isEqualTo("DOWN");
            assertThat(health.<String>json("$.components.esper.status")).isEqualTo("DOWN");
            assertThat(health.<String>json("$.components.esper.details.reason"))
                    .isEqualTo(DownableTransport.REASON);
            assertThat(health.<String>json("$.components.esper.details.transport.state")).isEqualTo("down");

            Answer readiness = get("/actuator/health/readiness");
            assertThat(readiness.status()).as(readiness.body()).isEqualTo(503);
            assertThat(readiness.<String>json("$.components.esper.status")).isEqualTo("DOWN");
            assertThat(readiness.<String>json("$.components.readinessState.status")).isEqualTo("UP");

            Answer liveness = get("/actuator/health/liveness");
            assertThat(liveness.status()).as("a lost Redis is no reason to restart: " + liveness.body())
                    .isEqualTo(200);
        } finally {
            transport.down = false;
        }
        assertThat(get("/actuator/health").status()).as("back up").isEqualTo(200);
        assertThat(get("/actuator/health/readiness").status()).isEqualTo(200);
    }

    @Test
    @DirtiesContext
    void aShutdownUnderWayTurnsEsperDown() throws Exception {
        broker.beginShutdown();

        Answer health = get("/actuator/health/esper");

        assertThat(health.status()).as(health.body()).isEqualTo(503);
        assertThat(health.<String>json("$.status")).isEqualTo("DOWN");
        assertThat(health.<String>json("$.details.reason")).isEqualTo("shutting down");
        assertThat(get("/actuator/health/readiness").status()).isEqualTo(503);
    }

    @Test
    void theMetricsEndpointShowsEspersMetersMovingAfterAPublish() throws Exception {
        Answer names = get("/actuator/metrics");
        assertThat(names.<List<String>>json("$.names")).contains("esper.subscribers", "esper.topics",
                "esper.published.events", "esper.delivered.events", "esper.publish.duration", "esper.ready",
                "esper.memory.held");
        double before = publishedEvents();

        broker.publish(TopicId.of("actuator17m"), List.of(Event.of("one"), Event.of("two"), Event.of("three")));

        assertThat(publishedEvents()).isEqualTo(before + 3);
    }

    private double publishedEvents() throws IOException {
        Answer metric = get("/actuator/metrics/esper.published.events");
        assertThat(metric.status()).as(metric.body()).isEqualTo(200);
        assertThat(metric.<String>json("$.measurements[0].statistic")).isEqualTo("COUNT");
        return metric.<Number>json("$.measurements[0].value").doubleValue();
    }

    @Test
    void thePrometheusEndpointShowsEspersMetersMovingAfterAPublish() throws Exception {
        PrometheusText before = scrape();
        assertThat(before.value("esper_ready")).isEqualTo(1);

        broker.publish(TopicId.of("actuator17p"), Event.of("counted"));

        PrometheusText after = scrape();
        assertThat(after.value("esper_published_events_total"))
                .isEqualTo(before.value("esper_published_events_total") + 1);
        assertThat(after.value("esper_publish_duration_seconds_count", "outcome", "published"))
                .isGreaterThan(before.value("esper_publish_duration_seconds_count", "outcome", "published"));
        assertThat(after.types()).containsEntry("esper_subscribers", "gauge")
                .containsEntry("esper_published_events_total", "counter")
                .containsEntry("esper_publish_duration_seconds", "histogram");
    }

    private PrometheusText scrape() throws IOException {
        Answer scrape = get("/actuator/prometheus");
        assertThat(scrape.status()).as(scrape.body()).isEqualTo(200);
        return PrometheusText.parse(scrape.body(), false);
    }
}
