package dev.esper.micrometer;

import dev.esper.broker.Broker;
import dev.esper.broker.BrokerListener;
import dev.esper.broker.BrokerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;

/**
 * A {@link Broker}'s counters, gauges and publish-time histogram, bound to any Micrometer {@link MeterRegistry}:
 * {@code new EsperMetrics(broker).bindTo(registry)}. Named after Micrometer's conventions, they reach
 * Prometheus as (SPEC 10):
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>Micrometer name</th><th>Prometheus</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code esper.subscribers}</td><td>{@code esper_subscribers}</td><td>gauge</td>
 *       <td>open subscriber streams</td></tr>
 *   <tr><td>{@code esper.topics}</td><td>{@code esper_topics}</td><td>gauge</td>
 *       <td>topics held (with a subscriber or a retained event)</td></tr>
 *   <tr><td>{@code esper.published.events}</td><td>{@code esper_published_events_total}</td><td>counter</td>
 *       <td>events published</td></tr>
 *   <tr><td>{@code esper.delivered.events}</td><td>{@code esper_delivered_events_total}</td><td>counter</td>
 *       <td>events handed to subscribers' streams, replays included</td></tr>
 *   <tr><td>{@code esper.dropped.subscribers}</td><td>{@code esper_dropped_subscribers_total}</td><td>counter</td>
 *       <td>subscribers disconnected as too slow or for the memory budget</td></tr>
 *   <tr><td>{@code esper.evicted.topics}</td><td>{@code esper_evicted_topics_total}</td><td>counter</td>
 *       <td>idle topics evicted to make room</td></tr>
 *   <tr><td>{@code esper.rejected.requests}</td><td>{@code esper_rejected_requests_total{status}}</td>
 *       <td>counter</td><td>requests refused, by HTTP status</td></tr>
 *   <tr><td>{@code esper.publish.duration}</td><td>{@code esper_publish_duration_seconds{outcome}}</td>
 *       <td>histogram</td><td>publish handling time, from the call to the broker to its outcome
 *       ({@code published} or {@code refused}); buckets {@link #PUBLISH_BUCKETS}</td></tr>
 *   <tr><td>{@code esper.fanout.backlog}</td><td>{@code esper_fanout_backlog_bytes}</td><td>gauge</td>
 *       <td>bytes published that open streams have not been handed yet</td></tr>
 *   <tr><td>{@code esper.retained.events}</td><td>{@code esper_retained_events}</td><td>gauge</td>
 *       <td>events retained for resumes</td></tr>
 *   <tr><td>{@code esper.retained}</td><td>{@code esper_retained_bytes}</td><td>gauge</td>
 *       <td>bytes of those events</td></tr>
 *   <tr><td>{@code esper.memory.held}</td><td>{@code esper_memory_held_bytes}</td><td>gauge</td>
 *       <td>heap the broker holds in events, against {@code esper_memory_budget_bytes}</td></tr>
 *   <tr><td>{@code esper.ready}</td><td>{@code esper_ready}</td><td>gauge</td>
 *       <td>1 while {@link Broker#health()} is up, else 0</td></tr>
 * </table>
 *
 * <p>Gauges and counters read {@link Broker#stats()} when the registry asks (a scrape), so they count from the
 * broker's start whenever they are bound. The histogram and the statuses not seen before hear the broker through
 * a {@link BrokerListener}, added at the first {@link #bindTo} and removed by {@link #close()}. Counters, as
 * Micrometer's function counters do, hold the broker weakly (they read NaN once it is gone); a running broker
 * is held by what serves it. For a health indicator, read
 * {@link Broker#health()} (a {@code Health}: up, or down with a reason).
 *
 * <p>Thread-safe: {@link #bindTo} may be called for several registries.
 */
public final class EsperMetrics implements MeterBinder, AutoCloseable {
    /** The upper bounds of the publish-time histogram's buckets, from 50 µs to 5 s. */
    public static final List<Duration> PUBLISH_BUCKETS = List.of(Duration.ofNanos(50_000), Duration.ofNanos(100_000),
            Duration.ofNanos(250_000), Duration.ofNanos(500_000), Duration.ofMillis(1), Duration.ofNanos(2_500_000),
            Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
            Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2_500), Duration.ofSeconds(5));

    private final Broker broker;
    private final Tags tags;
    /** The registries bound so far, each with its timers and the statuses registered there. */
    private final List<Bound> bound = new CopyOnWriteArrayList<>();
    /** Whether {@link #listener} is added to the broker. */
    private final AtomicBoolean listening = new AtomicBoolean();
    private final BrokerListener listener = new BrokerListener() {
        @Override
        public void publishHandled(long durationNanos, int events, boolean published) {
            for (Bound b : bound) {
                (published ? b.published : b.refused).record(durationNanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void requestRejected(int status) {
            for (Bound b : bound) {
                b.register(status);
            }
        }
    };

    /** One registry's timers and the rejected-request statuses registered in it. */
    private final class Bound {
        final MeterRegistry registry;
        final Timer published;
        final Timer refused;
        final Set<Integer> statuses = ConcurrentHashMap.newKeySet();

        Bound(MeterRegistry registry) {
            this.registry = registry;
            this.published = publishTimer(registry, "published");
            this.refused = publishTimer(registry, "refused");
        }

        /** Registers the counter of {@code status}, unless it is registered already. */
        void register(int status) {
            if (statuses.add(status)) {
                FunctionCounter.builder("esper.rejected.requests", broker,
                                b -> b.stats().rejected().getOrDefault(status, 0L))
                        .description("Requests refused, by HTTP status")
                        .tags(tags).tag("status", Integer.toString(status))
                        .register(registry);
            }
        }
    }

    /**
     * The metrics of {@code broker}, with no extra tags.
     *
     * @param broker the broker; not null
     */
    public EsperMetrics(Broker broker) {
        this(broker, Tags.empty());
    }

    /**
     * The metrics of {@code broker}, each with {@code tags} (e.g. the node's name when one registry holds several
     * brokers).
     *
     * @param broker the broker; not null
     * @param tags tags added to every meter; not null
     */
    public EsperMetrics(Broker broker, Iterable<Tag> tags) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.tags = Tags.of(Objects.requireNonNull(tags, "tags"));
    }

    /** The broker measured. */
    public Broker broker() {
        return broker;
    }

    /**
     * Registers the meters in {@code registry} (see the class description).
     *
     * @param registry the registry; not null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        gauge(registry, "esper.subscribers", null, "Open subscriber streams", BrokerStats::clients);
        gauge(registry, "esper.topics", null, "Topics held (with a subscriber or a retained event)",
                BrokerStats::topics);
        counter(registry, "esper.published.events", "Events published", BrokerStats::published);
        counter(registry, "esper.delivered.events", "Events handed to subscribers' streams, replays included",
                BrokerStats::delivered);
        counter(registry, "esper.dropped.subscribers",
                "Subscribers disconnected as too slow or for the memory budget", BrokerStats::dropped);
        counter(registry, "esper.evicted.topics", "Idle topics evicted to make room", BrokerStats::evicted);
        gauge(registry, "esper.fanout.backlog", BaseUnits.BYTES,
                "Bytes published that open streams have not been handed yet (at most a second old)",
                BrokerStats::backlogBytes);
        gauge(registry, "esper.retained.events", null, "Events retained for resumes", BrokerStats::retainedEvents);
        gauge(registry, "esper.retained", BaseUnits.BYTES, "Bytes of the events retained for resumes",
                BrokerStats::retainedBytes);
        gauge(registry, "esper.memory.budget", BaseUnits.BYTES, "Heap the broker may hold in events",
                BrokerStats::memoryBudget);
        gauge(registry, "esper.memory.held", BaseUnits.BYTES, "Heap the broker holds in events",
                BrokerStats::memoryHeld);
        Gauge.builder("esper.ready", broker, b -> b.health().isUp() ? 1 : 0)
                .description("1 while the broker should get traffic (GET /health/ready is 200), else 0")
                .tags(tags).strongReference(true).register(registry);
        Bound b = new Bound(registry);
        bound.add(b);
        if (listening.compareAndSet(false, true)) {
            broker.addListener(listener);
        }
        // Every status counted so far; the listener registers those counted from now on.
        for (int status : broker.stats().rejected().keySet()) {
            b.register(status);
        }
    }

    private Timer publishTimer(MeterRegistry registry, String outcome) {
        return Timer.builder("esper.publish.duration")
                .description("Publish handling time, from the call to the broker to its outcome")
                .tags(tags).tag("outcome", outcome)
                .serviceLevelObjectives(PUBLISH_BUCKETS.toArray(Duration[]::new))
                .register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String unit, String description,
            ToDoubleFunction<BrokerStats> value) {
        Gauge.builder(name, broker, b -> value.applyAsDouble(b.stats()))
                .description(description).baseUnit(unit).tags(tags).strongReference(true).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description,
            ToDoubleFunction<BrokerStats> value) {
        FunctionCounter.builder(name, broker, b -> value.applyAsDouble(b.stats()))
                .description(description).tags(tags).register(registry);
    }

    /**
     * Stops hearing the broker: the histogram records no more, and statuses not yet seen are no longer added.
     * The meters stay in their registries (remove them there). Idempotent.
     */
    @Override
    public void close() {
        if (listening.compareAndSet(true, false)) {
            broker.removeListener(listener);
        }
    }
}
