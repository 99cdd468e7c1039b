package dev.esper.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.broker.Broker;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link EsperMetrics} on real Micrometer registries: the names, and values that follow the broker. */
class EsperMetricsTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");

    private final Broker broker = Broker.builder().deliveryExecutor(Runnable::run).build();
    private final EsperMetrics metrics = new EsperMetrics(broker);

    @AfterEach
    void close() {
        metrics.close();
        broker.close(Duration.ZERO);
    }

    /** A subscriber that reads everything. */
    private static Flow.Subscriber<Object> reader() {
        return new Flow.Subscriber<>() {
            private Flow.Subscription subscription;

            @Override
            public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(Object item) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onComplete() {
            }
        };
    }

    private static double gauge(MeterRegistry r, String name) {
        return r.get(name).gauge().value();
    }

    private static double counter(MeterRegistry r, String name) {
        return r.get(name).functionCounter().count();
    }

    @Test
    void gaugesAndCountersFollowTheBrokerFromItsStart() {
        broker.publish(TOPIC, Event.of("before binding"));
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        assertThat(counter(registry, "esper.published.events")).isEqualTo(1);
        assertThat(gauge(registry, "esper.subscribers")).isZero();

        broker.subscribe(TOPIC, null, reader());
        broker.publish(TOPIC, List.of(Event.of("a"), Event.of("b")));

        assertThat(gauge(registry, "esper.subscribers")).isEqualTo(1);
        assertThat(gauge(registry, "esper.topics")).isEqualTo(1);
        assertThat(counter(registry, "esper.published.events")).isEqualTo(3);
        assertThat(counter(registry, "esper.delivered.events")).isEqualTo(2);
        assertThat(counter(registry, "esper.dropped.subscribers")).isZero();
        assertThat(counter(registry, "esper.evicted.topics")).isZero();
        assertThat(gauge(registry, "esper.retained.events")).isEqualTo(3);
        assertThat(gauge(registry, "esper.retained")).isPositive();
        assertThat(registry.get("esper.retained").gauge().getId().getBaseUnit()).isEqualTo("bytes");
        assertThat(gauge(registry, "esper.fanout.backlog")).isZero();
        assertThat(gauge(registry, "esper.memory.budget")).isEqualTo(broker.stats().memoryBudget());
        assertThat(gauge(registry, "esper.ready")).isEqualTo(1);

        broker.beginShutdown();
        assertThat(gauge(registry, "esper.ready")).isZero();
    }

    @Test
    void publishesAreTimedByOutcomeIntoTheHistogram() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);

        broker.publish(TOPIC, Event.of("a"));
        broker.publish(TOPIC, Event.of("b"));

        Timer published = registry.get("esper.publish.duration").tag("outcome", "published").timer();
        assertThat(published.count()).isEqualTo(2);
        assertThat(registry.get("esper.publish.duration").tag("outcome", "refused").timer().count()).isZero();
        assertThat(published.takeSnapshot().histogramCounts()).hasSize(EsperMetrics.PUBLISH_BUCKETS.size());

        metrics.close();
        broker.publish(TOPIC, Event.of("c"));
        assertThat(published.count()).as("closed: no longer listening").isEqualTo(2);
    }

    @Test
    void rejectedRequestsAreCountedByStatusIncludingStatusesFirstSeenAfterBinding() {
        broker.recordRejected(401);
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        metrics.bindTo(registry);
        assertThat(registry.get("esper.rejected.requests").tag("status", "401").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("esper.rejected.requests").tag("status", "503").functionCounter().count()).isZero();

        broker.recordRejected(418);
        broker.recordRejected(401);

        assertThat(registry.get("esper.rejected.requests").tag("status", "418").functionCounter().count()).isEqualTo(1);
        assertThat(registry.get("esper.rejected.requests").tag("status", "401").functionCounter().count()).isEqualTo(2);
    }

    @Test
    void severalRegistriesAndExtraTagsAreServed() {
        EsperMetrics tagged = new EsperMetrics(broker, Tags.of("node", "a"));
        SimpleMeterRegistry one = new SimpleMeterRegistry();
        SimpleMeterRegistry two = new SimpleMeterRegistry();
        tagged.bindTo(one);
        tagged.bindTo(two);

        broker.publish(TOPIC, Event.of("a"));

        for (MeterRegistry r : List.of(one, two)) {
            assertThat(r.get("esper.publish.duration").tag("node", "a").tag("outcome", "published").timer().count())
                    .isEqualTo(1);
            assertThat(r.get("esper.topics").tag("node", "a").gauge().value()).isEqualTo(1);
        }
        tagged.close();
    }

    @Test
    void prometheusNamesFollowSpec10() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(registry);
        broker.publish(TOPIC, Event.of("a"));

        String scrape = registry.scrape();

        assertThat(scrape).contains("# TYPE esper_subscribers gauge", "# TYPE esper_topics gauge",
                "# TYPE esper_published_events_total counter", "esper_published_events_total 1.0",
                "# TYPE esper_delivered_events_total counter", "# TYPE esper_dropped_subscribers_total counter",
                "# TYPE esper_evicted_topics_total counter", "# TYPE esper_rejected_requests_total counter",
                "esper_rejected_requests_total{status=\"401\"} 0.0", "# TYPE esper_publish_duration_seconds histogram",
                "esper_publish_duration_seconds_bucket{outcome=\"published\",le=\"0.001\"} ",
                "esper_publish_duration_seconds_count{outcome=\"published\"} 1",
                "# TYPE esper_fanout_backlog_bytes gauge", "esper_retained_bytes ", "esper_memory_held_bytes ",
                "esper_ready 1.0");
    }
}
