package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The seam a cross-node transport needs beyond publishing: it is told which topics local subscribers need
 * ({@code beforeSubscribe} / {@code afterUnsubscribe}), fills a topic's history from the cluster before the
 * first local subscriber registers ({@code Sink.replaceHistory}), and reports its state in {@code /stats}.
 */
class FollowingTransportSeamTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");
    private static final TopicId OTHER = TopicId.of("otherTopic1");

    /** A hand-written cross-node transport: records the calls and lets each test decide what they do. */
    private static final class FollowingTransport implements Transport {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile Sink sink;
        volatile Consumer<TopicId> onBeforeSubscribe = t -> { };
        /** What beforeSubscribe answers, after onBeforeSubscribe ran: by default, ready at once. */
        volatile CompletionStage<Void> following = CompletableFuture.completedFuture(null);

        @Override
        public void start(Sink s) {
            this.sink = s;
        }

        @Override
        public CompletionStage<PublishResult> publish(TopicId topic, List<Event> events) {
            return CompletableFuture.completedFuture(sink.append(topic, events));
        }

        @Override
        public CompletionStage<Void> beforeSubscribe(TopicId topic) {
            calls.add("before " + topic);
            onBeforeSubscribe.accept(topic);
            return following;
        }

        @Override
        public void afterUnsubscribe(TopicId topic) {
            calls.add("after " + topic);
        }

        @Override
        public Map<String, Object> status() {
            return Map.of("state", "up", "followed", 1, "healthy", true);
        }
    }

    private static List<Event> events(String... ids) {
        List<Event> out = new ArrayList<>();
        for (String id : ids) {
            out.add(Event.of("e" + id).withId(id));
        }
        return out;
    }

    private static List<Duration> ages(int n, Duration age) {
        List<Duration> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(age);
        }
        return out;
    }

    @Test
    void tellsTheTransportBeforeASubscriberRegistersAndOnceItIsGone() {
        FollowingTransport transport = new FollowingTransport();
        try (Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build()) {
            transport.onBeforeSubscribe = t -> assertThat(broker.stats().clients()).isEqualTo(1);
            RecordingSubscriber sub = RecordingSubscriber.ready();
            broker.subscribe(TOPIC, null, sub);
            assertThat(transport.calls).containsExactly("before abcdef123");

            sub.subscription.cancel();
            sub.subscription.cancel();

            assertThat(transport.calls).containsExactly("before abcdef123", "after abcdef123");
        }
    }

    @Test
    void aTransportThatCannotFollowTheTopicRefusesTheSubscribeAndChangesNothing() {
        FollowingTransport transport = new FollowingTransport();
        transport.onBeforeSubscribe = t -> {
            throw new CapacityExceededException("cluster unreachable");
        };
        try (Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build()) {
            RecordingSubscriber sub = RecordingSubscriber.ready();

            assertThatThrownBy(() -> broker.subscribe(TOPIC, null, sub))
                    .isInstanceOf(CapacityExceededException.class)
                    .hasMessage("cluster unreachable");
            assertThat(sub.subscription).isNull();
            assertThat(broker.stats().clients()).isZero();
            assertThat(broker.stats().topics()).isZero();
            assertThat(transport.calls).containsExactly("before abcdef123");
        }
    }

    @Test
    void subscribeAsyncReturnsAtOnceAndRegistersWhenTheTransportFollowsTheTopic() {
        FollowingTransport transport = new FollowingTransport();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        transport.following = ready;
        try (Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build()) {
            RecordingSubscriber sub = RecordingSubscriber.ready();

            CompletableFuture<Void> subscribed = broker.subscribeAsync(TOPIC, null, sub).toCompletableFuture();

            assertThat(subscribed).isNotDone();
            assertThat(sub.subscription).as("not registered while the transport is not ready").isNull();
            assertThat(broker.stats().clients()).as("the slot is held meanwhile").isEqualTo(1);
            ready.complete(null);
            assertThat(subscribed).isCompleted();
            assertThat(sub.subscription).isNotNull();
            assertThat(sub.text()).startsWith(":ok");
        }
    }

    @Test
    void subscribeAsyncFailsWithTheTransportsRefusalAndChangesNothing() {
        FollowingTransport transport = new FollowingTransport();
        CompletableFuture<Void> ready = new CompletableFuture<>();
        transport.following = ready;
        try (Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build()) {
            RecordingSubscriber sub = RecordingSubscriber.ready();
            CompletableFuture<Void> subscribed = broker.subscribeAsync(TOPIC, null, sub).toCompletableFuture();

            ready.completeExceptionally(new CapacityExceededException("cluster unreachable"));

            assertThatThrownBy(subscribed::join).hasCauseInstanceOf(CapacityExceededException.class)
                    .hasRootCauseMessage("cluster unreachable");
            assertThat(sub.subscription).isNull();
            assertThat(broker.stats().clients()).isZero();
            assertThat(broker.stats().topics()).isZero();
            assertThat(transport.calls).containsExactly("before abcdef123");
        }
    }

    @Test
    void aSubscriberRefusedForTheTopicLimitIsRefusedBeforeTheTransportIsAsked() {
        FollowingTransport transport = new FollowingTransport();
        try (Broker broker = Broker.builder().transport(transport).maxTopics(1).deliveryExecutor(Runnable::run)
                .build()) {
            broker.subscribe(TOPIC, null, RecordingSubscriber.ready());

            assertThatThrownBy(() -> broker.subscribe(OTHER, null, RecordingSubscriber.ready()))
                    .isInstanceOf(CapacityExceededException.class);
            assertThat(transport.calls).containsExactly("before abcdef123");
            assertThat(broker.stats().clients()).isEqualTo(1);
        }
    }

    @Test
    void aStreamOfSeveralTopicsThatOneTopicCannotFollowIsRefusedAndTheOthersAreReportedGone() {
        FollowingTransport transport = new FollowingTransport();
        try (Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build()) {
            transport.following = CompletableFuture.completedFuture(null);
            transport.onBeforeSubscribe = t -> transport.following = t.equals(OTHER)
                    ? CompletableFuture.failedFuture(new CapacityExceededException("cannot follow " + t))
                    : CompletableFuture.completedFuture(null);
            RecordingSubscriber sub = RecordingSubscriber.ready();

            assertThatThrownBy(() -> broker.subscribe(List.of(TOPIC, OTHER), null, sub))
                    .isInstanceOf(CapacityExceededException.class).hasMessageContaining("cannot follow othertopic1");
            assertThat(transport.calls).containsExactly("before abcdef123", "before othertopic1", "after abcdef123");
            assertThat(sub.subscription).isNull();
            assertThat(broker.stats().clients()).isZero();
            assertThat(broker.stats().topics()).isZero();
        }
    }

    @Test
    void historyFilledBeforeTheFirstSubscriberIsReplayedOnResumeAndDeliveredToNoOne() {
        FollowingTransport transport = new FollowingTransport();
        try (Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build()) {
            transport.onBeforeSubscribe = t -> {
                if (broker.stats().clients() == 1) {
                    transport.sink.replaceHistory(t, events("5", "6", "7"), ages(3, Duration.ofSeconds(1)));
                }
            };
            RecordingSubscriber resumed = RecordingSubscriber.ready();
            broker.subscribe(TOPIC, "5", resumed);
            RecordingSubscriber fresh = RecordingSubscriber.ready();
            broker.subscribe(TOPIC, null, fresh);

            transport.sink.append(TOPIC, events("8"));

            assertThat(resumed.ids()).containsExactly("6", "7", "8");
            assertThat(fresh.ids()).containsExactly("8");
            assertThat(broker.stats().published()).isEqualTo(1);
            assertThat(broker.stats().retainedEvents()).isEqualTo(4);
        }
    }

    @Test
    void replacingTheHistoryDropsWhatTheTopicRetainedBefore() {
        FollowingTransport transport = new FollowingTransport();
        try (Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build()) {
            broker.publish(TOPIC, events("1", "2"));

            transport.sink.replaceHistory(TOPIC, events("10", "11"), ages(2, Duration.ZERO));
            RecordingSubscriber sub = RecordingSubscriber.ready();
            broker.subscribe(TOPIC, "unknown", sub);

            assertThat(sub.ids()).containsExactly("10", "11");
            assertThat(broker.stats().retainedEvents()).isEqualTo(2);
        }
    }

    @Test
    void anEmptyHistoryForgetsAnIdleTopic() {
        FollowingTransport transport = new FollowingTransport();
        try (Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build()) {
            broker.publish(TOPIC, events("1"));

            transport.sink.replaceHistory(TOPIC, List.of(), List.of());
            transport.sink.replaceHistory(OTHER, List.of(), List.of());

            assertThat(broker.stats().topics()).isZero();
            assertThat(broker.stats().retainedEvents()).isZero();
            assertThat(broker.stats().retainedBytes()).isZero();
        }
    }

    @Test
    void historyKeepsItsAgeAndTheRetentionBounds() {
        FollowingTransport transport = new FollowingTransport();
        try (Broker broker = Broker.builder().transport(transport).historySize(2).historyTtl(Duration.ofSeconds(60))
                .deliveryExecutor(Runnable::run).build()) {
            List<Duration> ages = List.of(Duration.ofSeconds(90), Duration.ofSeconds(30), Duration.ofSeconds(20),
                    Duration.ofSeconds(10));

            transport.sink.replaceHistory(TOPIC, events("1", "2", "3", "4"), ages);
            RecordingSubscriber sub = RecordingSubscriber.ready();
            broker.subscribe(TOPIC, "unknown", sub);

            assertThat(sub.ids()).containsExactly("3", "4");
        }
    }

    @Test
    void historyIsNotReplacedUnderALocalSubscriber() {
        FollowingTransport transport = new FollowingTransport();
        try (Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build()) {
            broker.subscribe(TOPIC, null, RecordingSubscriber.ready());

            assertThatThrownBy(() -> transport.sink.replaceHistory(TOPIC, events("1"), ages(1, Duration.ZERO)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("abcdef123");
            assertThatThrownBy(() -> transport.sink.replaceHistory(OTHER, List.of(Event.of("x")),
                    ages(1, Duration.ZERO)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("id");
            assertThatThrownBy(() -> transport.sink.replaceHistory(OTHER, events("1"), List.of()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ages");
        }
    }

    @Test
    void statsShowTheTransportStateAndTheLocalTransportShowsNone() {
        FollowingTransport transport = new FollowingTransport();
        try (Broker cluster = Broker.builder().transport(transport).build();
                Broker local = Broker.builder().build()) {
            assertThat(cluster.stats().transport()).containsEntry("state", "up");
            assertThat(cluster.stats().toJson())
                    .endsWith(",\"transport\":{\"followed\":1,\"healthy\":true,\"state\":\"up\"}}");
            assertThat(local.stats().transport()).isEmpty();
            assertThat(local.stats().toJson()).doesNotContain("transport").endsWith("}");
        }
    }
}
