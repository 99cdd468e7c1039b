package dev.esper.broker;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The seam every publish goes through: it fixes the batch's place in the topic's order and then
 * hands the ordered events to each node's {@link Sink}. The default, {@link #local()}, orders within
 * this process. A cross-node transport (for example on Redis pub/sub) orders cluster-wide, assigns the
 * ids there, and calls the sink of every node, including the one that published.
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

    /** Releases the transport's resources. */
    @Override
    default void close() {
    }

    /** The in-process transport: the local broker assigns ids and orders each topic under its lock. */
    static Transport local() {
        return new LocalTransport();
    }

    /** The local end of a transport: appends ordered events to a topic on this node. Thread-safe. */
    interface Sink {
        /**
         * Appends a batch to the topic's order and retention and schedules its delivery.
         *
         * @param topic the topic
         * @param events the events; those without an id get one assigned by this node
         * @return ids and subscriber count
         * @throws CapacityExceededException if a limit forbids it; nothing is appended then
         */
        PublishResult append(TopicId topic, List<Event> events);
    }
}
