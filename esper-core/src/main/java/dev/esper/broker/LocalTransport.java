package dev.esper.broker;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Orders publishes in this process only. */
final class LocalTransport implements Transport {
    private volatile Sink sink;

    @Override
    public void start(Sink sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    @Override
    public CompletionStage<PublishResult> publish(TopicId topic, List<Event> events) {
        Sink s = sink;
        if (s == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("transport not started"));
        }
        try {
            return CompletableFuture.completedFuture(s.append(topic, events));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
