package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Every publish goes through the transport seam, where a cross-node transport plugs in. */
class TransportSeamTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");

    /** Orders "cluster-wide" (here: a counter standing for a shared sequence) and assigns the ids itself. */
    private static final class ClusterLikeTransport implements Transport {
        private final AtomicLong sequence = new AtomicLong(1000);
        private final List<Transport.Sink> nodes = new ArrayList<>();
        boolean refuse;
        boolean closed;

        @Override
        public void start(Sink sink) {
            nodes.add(sink);
        }

        @Override
        public CompletionStage<PublishResult> publish(TopicId topic, List<Event> events) {
            if (refuse) {
                return CompletableFuture.failedFuture(new CapacityExceededException("cluster unreachable"));
            }
            List<Event> ordered = new ArrayList<>();
            for (Event e : events) {
                ordered.add(e.withId("c" + sequence.incrementAndGet()));
            }
            PublishResult result = null;
            for (Sink node : nodes) {
                result = node.append(topic, ordered);
            }
            return CompletableFuture.completedFuture(result);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void publishesThroughAPluggedTransportThatAssignsTheIds() {
        ClusterLikeTransport transport = new ClusterLikeTransport();
        try (Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build()) {
            RecordingSubscriber sub = RecordingSubscriber.ready();
            broker.subscribe(TOPIC, null, sub);

            PublishResult r = broker.publish(TOPIC, List.of(Event.of("a"), Event.of("b")));

            assertThat(r.ids()).containsExactly("c1001", "c1002");
            assertThat(sub.ids()).containsExactly("c1001", "c1002");
        }
        assertThat(transport.closed).isTrue();
    }

    @Test
    void aTransportThatCannotOrderTheBatchPublishesNothing() {
        ClusterLikeTransport transport = new ClusterLikeTransport();
        transport.refuse = true;
        try (Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build()) {
            RecordingSubscriber sub = RecordingSubscriber.ready();
            broker.subscribe(TOPIC, null, sub);

            assertThatThrownBy(() -> broker.publish(TOPIC, Event.of("a")))
                    .isInstanceOf(CapacityExceededException.class)
                    .hasMessage("cluster unreachable");
            assertThat(sub.events()).isEmpty();
            assertThat(broker.stats().published()).isZero();
            broker.close(Duration.ZERO);
        }
    }
}
