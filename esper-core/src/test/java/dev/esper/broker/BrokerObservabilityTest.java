package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What a broker tells operators (SPEC 10): readiness, publish durations, refusals, the fan-out backlog. */
class BrokerObservabilityTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");

    /** Records what it hears. */
    private static final class Recorder implements BrokerListener {
        final List<String> heard = new CopyOnWriteArrayList<>();

        @Override
        public void publishHandled(long durationNanos, int events, boolean published) {
            assertThat(durationNanos).isNotNegative();
            heard.add("publish " + events + " " + published);
        }

        @Override
        public void requestRejected(int status) {
            heard.add("rejected " + status);
        }
    }

    @Test
    void readinessIsTheTransportsHealthUntilAShutdownBegins() {
        SwitchableTransport transport = new SwitchableTransport();
        Broker broker = Broker.builder().transport(transport).build();
        assertThat(broker.health()).isEqualTo(Health.up());

        transport.down = true;
        assertThat(broker.health()).isEqualTo(Health.down("lost the connection to the cluster"));
        transport.down = false;
        assertThat(broker.health().isUp()).isTrue();

        broker.beginShutdown();
        assertThat(broker.health()).isEqualTo(Health.down("shutting down"));
        assertThat(broker.publish(TOPIC, Event.of("still served")).published()).isEqualTo(1);
        broker.close(Duration.ZERO);
        assertThat(broker.health()).isEqualTo(Health.down("shutting down"));
    }

    @Test
    void aTransportWhoseHealthThrowsMakesTheBrokerDownWithoutTheMessage() {
        Transport broken = new SwitchableTransport() {
            @Override
            public Health health() {
                throw new IllegalStateException("secret internals");
            }
        };
        try (Broker broker = Broker.builder().transport(broken).build()) {
            assertThat(broker.health().isUp()).isFalse();
            assertThat(broker.health().reason()).doesNotContain("secret internals");
        }
    }

    @Test
    void healthIsAValidatedValueWithItsJson() {
        assertThat(Health.up().toJson()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(Health.down("redis \"a\" down").toJson())
                .isEqualTo("{\"status\":\"DOWN\",\"reason\":\"redis \\\"a\\\" down\"}");
        assertThatThrownBy(() -> Health.down(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Health(Health.Status.UP, "why")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void listenersHearEveryPublishWithItsOutcomeOnceItCompletes() {
        SwitchableTransport transport = new SwitchableTransport();
        try (Broker broker = Broker.builder().transport(transport).build()) {
            Recorder recorder = new Recorder();
            broker.addListener(recorder);

            broker.publish(TOPIC, List.of(Event.of("a"), Event.of("b")));
            broker.publishAsync(TOPIC, List.of(Event.of("c")), "key-1");
            broker.publishAsync(TOPIC, List.of(Event.of("c")), "key-1");
            transport.down = true;
            assertThatThrownBy(() -> broker.publish(TOPIC, Event.of("d"))).isInstanceOf(CapacityExceededException.class);
            transport.down = false;
            transport.hold = true;
            broker.publishAsync(TOPIC, List.of(Event.of("e")));
            assertThat(recorder.heard).containsExactly("publish 2 true", "publish 1 true", "publish 1 true",
                    "publish 1 false");

            transport.held.complete(new PublishResult(1, List.of("9"), 0));
            assertThat(recorder.heard).hasSize(5).last().isEqualTo("publish 1 true");

            broker.removeListener(recorder);
            transport.hold = false;
            broker.publish(TOPIC, Event.of("f"));
            assertThat(recorder.heard).hasSize(5);
        }
    }

    @Test
    void aListenerThatThrowsBreaksNeitherThePublishNorOtherListeners() {
        try (Broker broker = Broker.builder().build()) {
            broker.addListener(new BrokerListener() {
                @Override
                public void publishHandled(long durationNanos, int events, boolean published) {
                    throw new IllegalStateException("broken listener");
                }

                @Override
                public void requestRejected(int status) {
                    throw new IllegalStateException("broken listener");
                }
            });
            Recorder recorder = new Recorder();
            broker.addListener(recorder);

            assertThat(broker.publish(TOPIC, Event.of("a")).published()).isEqualTo(1);
            broker.recordRejected(401);

            assertThat(recorder.heard).containsExactly("publish 1 true", "rejected 401");
        }
    }

    @Test
    void refusalsAreCountedByStatusWithTheKnownStatusesPresentFromTheStart() {
        try (Broker broker = Broker.builder().build()) {
            assertThat(broker.stats().rejected()).containsKeys(400, 401, 403, 404, 405, 408, 413, 500, 503)
                    .allSatisfy((status, n) -> assertThat(n).isZero());
            assertThat(broker.stats().toJson()).contains("\"rejected\":{}");

            broker.recordRejected(401);
            broker.recordRejected(401);
            broker.recordRejected(418);

            assertThat(broker.stats().rejected()).containsEntry(401, 2L).containsEntry(418, 1L);
            assertThat(broker.stats().toJson()).contains("\"rejected\":{\"401\":2,\"418\":1}");
            assertThatThrownBy(() -> broker.recordRejected(200)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("from 400 to 599, was 200");
        }
    }

    @Test
    void theBacklogIsTheBytesPublishedThatOpenStreamsHaveNotBeenHandedAtTheLastPass() {
        try (Broker broker = Broker.builder().manualMaintenance().deliveryExecutor(Runnable::run).build()) {
            RecordingSubscriber reader = RecordingSubscriber.ready();
            RecordingSubscriber silent = RecordingSubscriber.stalled();
            broker.subscribe(TOPIC, null, reader);
            broker.subscribe(TOPIC, null, silent);
            broker.maintain();
            assertThat(broker.stats().backlogBytes()).isZero();

            broker.publish(TOPIC, List.of(Event.of("0123456789"), Event.of("abcdefghij")));
            broker.maintain();

            long frames = "id: 1\ndata: 0123456789\n\n".length() * 2L;
            assertThat(broker.stats().backlogBytes()).isBetween(frames, frames + 60);
            assertThat(broker.stats().toJson()).contains("\"backlog_bytes\":" + broker.stats().backlogBytes());
            silent.subscription.cancel();
            broker.maintain();
            assertThat(broker.stats().backlogBytes()).isZero();
        }
    }
}
