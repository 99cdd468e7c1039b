package dev.esper.broker;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A cross-node transport for tests whose connection a test takes down ({@link #down}: publishes refused with
 * {@code 503}, health DOWN) and brings back, and whose publishes it can hold ({@link #hold}: they complete when
 * the test completes {@link #held}). Orders on this node. Public for the tests of other core packages.
 */
public class SwitchableTransport implements Transport {
    private volatile Sink sink;
    /** The connection is lost. */
    public volatile boolean down;
    /** Publishes wait for {@link #held}. */
    public volatile boolean hold;
    /** What held publishes complete with. */
    public final CompletableFuture<PublishResult> held = new CompletableFuture<>();

    /** Up, and not holding publishes. */
    public SwitchableTransport() {
        // Fields start as documented.
    }

    @Override
    public void start(Sink s) {
        sink = s;
    }

    @Override
    public CompletionStage<PublishResult> publish(TopicId topic, List<Event> events) {
        if (down) {
            return CompletableFuture.failedFuture(new CapacityExceededException("cluster unreachable"));
        }
        if (hold) {
            return held;
        }
        return CompletableFuture.completedFuture(sink.append(topic, events));
    }

    @Override
    public Health health() {
        return down ? Health.down("lost the connection to the cluster") : Health.up();
    }
}
