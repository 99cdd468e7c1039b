package dev.esper.spring.boot;

import dev.esper.broker.CapacityExceededException;
import dev.esper.broker.Health;
import dev.esper.broker.PublishResult;
import dev.esper.broker.Transport;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A cross-node transport for tests whose connection a test takes down ({@link #down}: publishes refused, health
 * DOWN with a reason, state {@code down} in the status) and brings back. Orders on this node.
 */
final class DownableTransport implements Transport {
    static final String REASON = "lost the connection to the cluster";

    private volatile Sink sink;
    /** The connection is lost. */
    volatile boolean down;

    @Override
    public void start(Sink s) {
        sink = s;
    }

    @Override
    public CompletionStage<PublishResult> publish(TopicId topic, List<Event> events) {
        if (down) {
            return CompletableFuture.failedFuture(new CapacityExceededException(REASON));
        }
        return CompletableFuture.completedFuture(sink.append(topic, events));
    }

    @Override
    public Map<String, Object> status() {
        return Map.of("type", "test", "state", down ? "down" : "up");
    }

    @Override
    public Health health() {
        return down ? Health.down(REASON) : Health.up();
    }
}
