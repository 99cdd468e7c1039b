package dev.esper.broker;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The seam every publish goes through: it fixes the batch's place in the topic's order and then
 * hands the ordered events to each node's {@link Sink}. The default, {@link #local()}, orders within
 * this process. A cross-node transport (for example on Redis pub/sub) orders cluster-wide, assigns the
 * ids there, and calls the sink of every node that follows the topic, including the one that published.
 *
 * <p>A cross-node transport also needs to know which topics this node's subscribers need, and to bring a
 * topic's local log in line with the cluster before a subscriber registers, so that a resume
 * ({@code Last-Event-ID}) on any node replays exactly what the client missed. The broker calls
 * {@link #beforeSubscribe} before it registers each local subscriber and {@link #afterUnsubscribe} once that
 * subscriber is gone (each {@code beforeSubscribe} that returned normally is matched by exactly one
 * {@code afterUnsubscribe}); the transport fills the topic's history with {@link Sink#replaceHistory}. The
 * local transport ignores both calls.
 *
 * <p>Implementations are thread-safe. A publish must not complete successfully unless the events
 * have their place in the order (it may complete exceptionally with a {@link CapacityExceededException}
 * when it cannot order them).
 */
public interface Transport extends AutoCloseable {
    /**
     * Connects the transport to the local broker. Called once, before any publish.
     *
     * @param sink where ordered events are appended on this node
     */
    void start(Sink sink);

    /**
     * Orders and publishes a batch, all or nothing.
     *
     * @param topic the topic
     * @param events one or more valid events; those without an id get one assigned
     * @return completes with the result once the events' order is fixed
     */
    CompletionStage<PublishResult> publish(TopicId topic, List<Event> events);

    /**
     * {@link #publish(TopicId, List)} for a publish made with an idempotency key. The broker already answers a
     * repeat of the key made on this node without calling the transport; a cross-node transport also remembers
     * the key where every node sees it, and answers a repeat made on another node with the first publish's
     * result, publishing nothing. The default ignores the key (one node).
     *
     * @param topic the topic
     * @param events one or more valid events
     * @param idempotencyKey the key, valid ({@link Broker#isValidIdempotencyKey})
     * @return as for {@link #publish(TopicId, List)}
     */
    default CompletionStage<PublishResult> publish(TopicId topic, List<Event> events, String idempotencyKey) {
        return publish(topic, events);
    }

    /**
     * Called before a local subscriber of {@code topic} registers. The stage completes once this node receives
     * the topic's events and its retained history is in line with the cluster's; a cross-node transport may
     * take a bounded time to get there, and must not block the calling thread meanwhile (it may be an I/O
     * thread). The default completes at once.
     *
     * @param topic the topic about to get a local subscriber
     * @return completes when the subscriber may register, or exceptionally with a
     *     {@link CapacityExceededException} if the topic cannot be followed now (the subscribe is refused with
     *     {@code 503}; {@link #afterUnsubscribe} is not called for it)
     */
    default CompletionStage<Void> beforeSubscribe(TopicId topic) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Called once a local subscriber registered after {@link #beforeSubscribe} is gone (or failed to
     * register). When a topic has no local subscriber left, a cross-node transport may stop following it.
     * Must not block or throw. The default does nothing.
     *
     * @param topic the topic that lost a local subscriber
     */
    default void afterUnsubscribe(TopicId topic) {
    }

    /**
     * The transport's state for {@code GET /stats} (shown as {@code "transport":{...}}), with values that are
     * strings, numbers or booleans; empty (the default, and the local transport) shows nothing.
     *
     * @return a snapshot, never null
     */
    default Map<String, Object> status() {
        return Map.of();
    }

    /**
     * Whether the transport can order publishes now, for the broker's readiness ({@link Broker#health()}): a
     * cross-node transport is {@link Health#down} while its connection is lost. Cheap and non-blocking (it is
     * read at every readiness probe). The default, and the local transport, is always {@link Health#up()}.
     *
     * @return the transport's health, never null
     */
    default Health health() {
        return Health.up();
    }

    /** Releases the transport's resources. */
    @Override
    default void close() {
    }

    /** The in-process transport: the local broker assigns ids and orders each topic under its lock. */
    static Transport local() {
        return new LocalTransport();
    }

    /**
     * The local end of a transport: appends ordered events to a topic on this node. Thread-safe.
     *
     * <h2>Positions</h2>
     * Each event has a <em>position</em> in its topic's order: a number that increases along the order and is
     * never reused for the topic. Multi-topic streams write positions into their event ids (SPEC 8), so that an id
     * resumes every topic exactly. A cross-node transport whose positions are the same on every node (with Redis,
     * the topic's sequence number) hands them over with {@link #append(TopicId, List, long[])} and
     * {@link #replaceHistory(TopicId, List, List, long[], long)}, and those ids then resume on any node. Without
     * positions, the broker assigns its own: such ids resume on this node only, and a topic whose history a
     * transport replaced cannot show a resume complete until its first retained event ages out.
     */
    interface Sink {
        /** The floor of a history whose older events are not known ({@link #replaceHistory(TopicId, List, List, long[], long)}). */
        long UNKNOWN_FLOOR = Long.MAX_VALUE;

        /**
         * Appends a batch to the topic's order and retention and schedules its delivery.
         *
         * @param topic the topic
         * @param events the events; those without an id get one assigned by this node
         * @return ids and subscriber count
         * @throws CapacityExceededException if a limit forbids it; nothing is appended then
         */
        PublishResult append(TopicId topic, List<Event> events);

        /**
         * Replaces the topic's retained events with {@code history} without delivering them to anyone:
         * a cross-node transport calls it from {@link Transport#beforeSubscribe} while the topic has no local
         * subscriber, with the events the cluster retains, so a subscriber that registers next resumes from
         * them. Retention bounds (count, age) apply as for published events.
         *
         * @param topic the topic
         * @param history the retained events, oldest first, each with its id
         * @param ages how long ago each event of {@code history} was published (same size, same order)
         * @throws IllegalStateException if the topic has a local subscriber
         * @throws IllegalArgumentException if an event has no id or the sizes differ
         * @throws CapacityExceededException if a limit forbids holding the topic; nothing is changed then
         */
        void replaceHistory(TopicId topic, List<Event> history, List<Duration> ages);

        /**
         * {@link #append(TopicId, List)}, with the events' positions (see the interface's description). The default
         * drops them.
         *
         * @param topic the topic
         * @param events the events, each with its id
         * @param positions each event's position: increasing, 0 or more, above those of the topic's earlier
         *     events; not kept
         * @return ids and subscriber count
         * @throws IllegalArgumentException if the positions do not fit those rules
         * @throws CapacityExceededException if a limit forbids it; nothing is appended then
         */
        default PublishResult append(TopicId topic, List<Event> events, long[] positions) {
            return append(topic, events);
        }

        /**
         * {@link #replaceHistory(TopicId, List, List)}, with the events' positions and the topic's <em>floor</em>:
         * every event of the topic at or below the floor is gone (not in {@code history}), every event above it is
         * in {@code history} or still to come. A resume from a position below the floor is told of a gap; one at or
         * above it is complete. The default drops both.
         *
         * @param topic the topic
         * @param history the retained events, oldest first, each with its id
         * @param ages how long ago each was published
         * @param positions each event's position, increasing, above {@code floor}; not kept
         * @param floor the floor, or {@link #UNKNOWN_FLOOR}
         * @throws IllegalStateException if the topic has a local subscriber
         * @throws IllegalArgumentException if an event has no id, or the sizes or positions do not fit
         * @throws CapacityExceededException if a limit forbids holding the topic; nothing is changed then
         */
        default void replaceHistory(TopicId topic, List<Event> history, List<Duration> ages, long[] positions,
                long floor) {
            replaceHistory(topic, history, ages);
        }
    }
}
