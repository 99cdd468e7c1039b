package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Delivery, ids, ordering and the stream's framing (SPEC 2.1, 2.2, 7), with delivery run inline. */
class BrokerDeliveryTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");

    private final ManualClock clock = new ManualClock();
    private Broker broker = inline(Broker.builder());

    private Broker inline(Broker.Builder b) {
        return b.clock(clock).deliveryExecutor(Runnable::run).manualMaintenance().build();
    }

    @AfterEach
    void close() {
        broker.close(Duration.ZERO);
    }

    @Test
    void firstChunkIsTheOpeningCommentSoHeadersCanBeFlushedAtOnce() {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, sub);

        assertThat(sub.chunks).hasSize(1);
        assertThat(sub.chunks.get(0).toString()).isEqualTo(":ok\n\n");
        assertThat(sub.chunks.get(0).events()).isZero();
    }

    @Test
    void deliversThePublishedEventReFramedWithItsAssignedId() {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, sub);

        PublishResult result = broker.publish(TOPIC, Event.of("{\"some\":\"data\"}").withName("testing"));

        assertThat(result.published()).isEqualTo(1);
        assertThat(result.subscribers()).isEqualTo(1);
        String id = result.ids().get(0);
        assertThat(sub.text()).isEqualTo(":ok\n\nid: " + id + "\nevent: testing\ndata: {\"some\":\"data\"}\n\n");
    }

    @Test
    void assignsDecimalIdsThatIncreaseWithPublishOrder() {
        List<String> ids = broker.publish(TOPIC, List.of(Event.of("a"), Event.of("b"))).ids();
        List<String> more = broker.publish(TOPIC, Event.of("c")).ids();

        assertThat(ids).allMatch(s -> s.matches("[0-9]+"));
        long a = Long.parseLong(ids.get(0));
        long b = Long.parseLong(ids.get(1));
        long c = Long.parseLong(more.get(0));
        assertThat(a).isLessThan(b);
        assertThat(b).isLessThan(c);
    }

    @Test
    void keepsAnIdTheEventBrought() {
        PublishResult r = broker.publish(TOPIC, List.of(Event.of("x").withId("my-id 7"), Event.of("y")));

        assertThat(r.ids().get(0)).isEqualTo("my-id 7");
        assertThat(r.ids().get(1)).matches("[0-9]+");
    }

    @Test
    void deliversToTopicsCaseInsensitively() {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TopicId.of("ABCdef123"), null, sub);

        broker.publish(TopicId.of("abcDEF123"), Event.of("hi"));

        assertThat(sub.dataList()).containsExactly("hi");
        assertThat(broker.stats().topics()).isEqualTo(1);
    }

    @Test
    void doesNotDeliverOtherTopicsEvents() {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, sub);

        broker.publish(TopicId.of("othertopic1"), Event.of("not for you"));

        assertThat(sub.events()).isEmpty();
    }

    @Test
    void publishingToATopicWithoutSubscribersSucceedsAndRetainsTheEvent() {
        PublishResult r = broker.publish(TOPIC, Event.of("kept"));

        assertThat(r.subscribers()).isZero();
        RecordingSubscriber late = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, "0", late);
        assertThat(late.dataList()).containsExactly("kept");
    }

    @Test
    void subscribeWithoutLastEventIdReplaysNothing() {
        broker.publish(TOPIC, Event.of("old"));
        RecordingSubscriber sub = RecordingSubscriber.ready();

        broker.subscribe(TOPIC, null, sub);
        broker.publish(TOPIC, Event.of("new"));

        assertThat(sub.dataList()).containsExactly("new");
    }

    @Test
    void emptyLastEventIdIsTheSameAsNone() {
        broker.publish(TOPIC, Event.of("old"));
        RecordingSubscriber sub = RecordingSubscriber.ready();

        broker.subscribe(TOPIC, "", sub);

        assertThat(sub.events()).isEmpty();
    }

    @Test
    void resumesAfterLastEventIdWithoutDuplicates() {
        List<String> ids = broker.publish(TOPIC, List.of(Event.of("1"), Event.of("2"), Event.of("3"))).ids();
        RecordingSubscriber sub = RecordingSubscriber.ready();

        broker.subscribe(TOPIC, ids.get(0), sub);
        broker.publish(TOPIC, Event.of("4"));

        assertThat(sub.dataList()).containsExactly("2", "3", "4");
    }

    @Test
    void resumeFromTheNewestIdReplaysNothingAndMissesNothingLive() {
        List<String> ids = broker.publish(TOPIC, List.of(Event.of("1"), Event.of("2"))).ids();
        RecordingSubscriber sub = RecordingSubscriber.ready();

        broker.subscribe(TOPIC, ids.get(1), sub);
        broker.publish(TOPIC, Event.of("3"));

        assertThat(sub.dataList()).containsExactly("3");
    }

    @Test
    void anIdNoLongerRetainedReplaysEverythingRetained() {
        broker.close(Duration.ZERO);
        broker = inline(Broker.builder().historySize(2));
        List<String> ids = broker.publish(TOPIC, List.of(Event.of("1"), Event.of("2"), Event.of("3"))).ids();
        RecordingSubscriber sub = RecordingSubscriber.ready();

        broker.subscribe(TOPIC, ids.get(0), sub);

        assertThat(sub.dataList()).containsExactly("2", "3");
    }

    @Test
    void anIdTheTopicNeverHadReplaysEverythingRetained() {
        broker.publish(TOPIC, List.of(Event.of("1"), Event.of("2")));
        RecordingSubscriber sub = RecordingSubscriber.ready();

        broker.subscribe(TOPIC, "no-such-id", sub);

        assertThat(sub.dataList()).containsExactly("1", "2");
    }

    @Test
    void retainsAtMostHistorySizeEventsPerTopic() {
        broker.close(Duration.ZERO);
        broker = inline(Broker.builder().historySize(3));
        for (int i = 1; i <= 10; i++) {
            broker.publish(TOPIC, Event.of(Integer.toString(i)));
        }
        RecordingSubscriber sub = RecordingSubscriber.ready();

        broker.subscribe(TOPIC, "unknown", sub);

        assertThat(sub.dataList()).containsExactly("8", "9", "10");
        assertThat(broker.stats().retainedEvents()).isEqualTo(3);
    }

    @Test
    void historySizeZeroRetainsNothingAndForgetsTheTopic() {
        broker.close(Duration.ZERO);
        broker = inline(Broker.builder().historySize(0));

        broker.publish(TOPIC, Event.of("gone"));

        assertThat(broker.stats().topics()).isZero();
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, "unknown", sub);
        assertThat(sub.dataList()).isEmpty();
        assertThat(sub.gaps()).containsExactly("{\"topics\":[\"abcdef123\"]}");
    }

    @Test
    void dropsRetainedEventsOlderThanTheHistoryTtl() {
        broker.close(Duration.ZERO);
        broker = inline(Broker.builder().historyTtl(Duration.ofSeconds(300)));
        broker.publish(TOPIC, Event.of("old"));
        clock.advance(Duration.ofSeconds(200));
        broker.publish(TOPIC, Event.of("young"));
        clock.advance(Duration.ofSeconds(100));

        broker.maintain();

        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, "unknown", sub);
        assertThat(sub.dataList()).containsExactly("young");
    }

    @Test
    void historyTtlZeroMeansNoAgeLimit() {
        broker.close(Duration.ZERO);
        broker = inline(Broker.builder().historyTtl(Duration.ZERO));
        broker.publish(TOPIC, Event.of("ancient"));
        clock.advance(Duration.ofDays(30));

        broker.maintain();

        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, "unknown", sub);
        assertThat(sub.dataList()).containsExactly("ancient");
    }

    @Test
    void forgetsATopicWhoseLastEventExpiredAndThatHasNoSubscriber() {
        broker.publish(TOPIC, Event.of("x"));
        assertThat(broker.stats().topics()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(301));

        broker.maintain();

        assertThat(broker.stats().topics()).isZero();
        assertThat(broker.stats().retainedEvents()).isZero();
        assertThat(broker.stats().retainedBytes()).isZero();
    }

    @Test
    void forgetsATopicWhenItsLastSubscriberLeavesAndNothingIsRetained() {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, sub);
        assertThat(broker.stats().topics()).isEqualTo(1);

        sub.subscription.cancel();

        assertThat(broker.stats().topics()).isZero();
        assertThat(broker.stats().clients()).isZero();
    }

    @Test
    void keepsATopicWithRetainedEventsAfterItsLastSubscriberLeaves() {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, sub);
        broker.publish(TOPIC, Event.of("x"));

        sub.subscription.cancel();

        assertThat(broker.stats().topics()).isEqualTo(1);
    }

    @Test
    void neverReusesAnIdAfterTheTopicWasForgottenAndCameBack() {
        broker.close(Duration.ZERO);
        broker = inline(Broker.builder().historySize(0));
        String first = broker.publish(TOPIC, Event.of("a")).ids().get(0);
        assertThat(broker.stats().topics()).isZero();

        String second = broker.publish(TOPIC, Event.of("b")).ids().get(0);

        assertThat(Long.parseLong(second)).isGreaterThan(Long.parseLong(first));
    }

    @Test
    void cancellingRemovesTheSubscriberAtOnceAndStopsDelivery() {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, sub);

        sub.subscription.cancel();
        broker.publish(TOPIC, Event.of("after"));

        assertThat(broker.stats().clients()).isZero();
        assertThat(sub.events()).isEmpty();
    }

    @Test
    void countsPublishedAndDeliveredEventsIncludingReplays() {
        broker.publish(TOPIC, Event.of("1"));
        RecordingSubscriber a = RecordingSubscriber.ready();
        RecordingSubscriber b = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, "unknown", a);
        broker.subscribe(TOPIC, null, b);

        broker.publish(TOPIC, Event.of("2"));

        BrokerStats stats = broker.stats();
        assertThat(stats.published()).isEqualTo(2);
        assertThat(stats.delivered()).isEqualTo(3);
        assertThat(stats.clients()).isEqualTo(2);
    }

    @Test
    void waitsForDemandAndThenSendsEverythingQueuedInOneChunk() {
        RecordingSubscriber sub = RecordingSubscriber.stalled();
        broker.subscribe(TOPIC, null, sub);
        broker.publish(TOPIC, List.of(Event.of("1"), Event.of("2")));
        broker.publish(TOPIC, Event.of("3"));
        assertThat(sub.chunks).isEmpty();

        sub.subscription.request(1);

        assertThat(sub.chunks).hasSize(1);
        assertThat(sub.chunks.get(0).events()).isEqualTo(3);
        assertThat(sub.dataList()).containsExactly("1", "2", "3");
    }

    @Test
    void sharesOneEncodedFrameAmongAllSubscribers() {
        RecordingSubscriber a = RecordingSubscriber.ready();
        RecordingSubscriber b = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, a);
        broker.subscribe(TOPIC, null, b);

        broker.publish(TOPIC, Event.of("shared"));

        assertThat(a.chunks.get(1).asByteBuffer()).isEqualTo(b.chunks.get(1).asByteBuffer());
        assertThat(a.chunks.get(1).asByteBuffer().isReadOnly()).isTrue();
    }

    @Test
    void sendsAHeartbeatOnlyAfterTheStreamWasIdleForTheInterval() {
        broker.close(Duration.ZERO);
        broker = inline(Broker.builder().heartbeat(Duration.ofSeconds(15)));
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, sub);

        clock.advance(Duration.ofSeconds(10));
        broker.publish(TOPIC, Event.of("activity"));
        clock.advance(Duration.ofSeconds(10));
        broker.maintain();
        assertThat(sub.text()).doesNotContain(":\n\n:");
        int before = sub.chunks.size();

        clock.advance(Duration.ofSeconds(5));
        broker.maintain();

        assertThat(sub.chunks).hasSize(before + 1);
        assertThat(sub.chunks.get(before).toString()).isEqualTo(":\n\n");
    }

    @Test
    void heartbeatZeroSendsNoHeartbeat() {
        broker.close(Duration.ZERO);
        broker = inline(Broker.builder().heartbeat(Duration.ZERO));
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, sub);

        clock.advance(Duration.ofHours(1));
        broker.maintain();

        assertThat(sub.text()).isEqualTo(":ok\n\n");
    }

    @Test
    void requestingZeroIsAnErrorThatEndsTheStream() {
        RecordingSubscriber sub = RecordingSubscriber.stalled();
        broker.subscribe(TOPIC, null, sub);

        sub.subscription.request(0);

        assertThat(sub.error).isInstanceOf(IllegalArgumentException.class);
        assertThat(broker.stats().clients()).isZero();
    }

    @Test
    void aSubscriberThatThrowsIsRemovedWithoutHurtingTheOthers() {
        RecordingSubscriber good = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, new RecordingSubscriberThatThrows());
        broker.subscribe(TOPIC, null, good);

        broker.publish(TOPIC, Event.of("x"));
        broker.publish(TOPIC, Event.of("y"));

        assertThat(good.dataList()).containsExactly("x", "y");
        assertThat(broker.stats().clients()).isEqualTo(1);
    }

    @Test
    void rejectsAnEmptyBatch() {
        assertThatThrownBy(() -> broker.publish(TOPIC, List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least one event");
    }

    @Test
    void publishResultRendersTheJsonBodyOfSpec22() {
        PublishResult r = new PublishResult(2, List.of("17", "a\"b"), 3);

        assertThat(r.toJson()).isEqualTo("{\"published\":2,\"ids\":[\"17\",\"a\\\"b\"],\"subscribers\":3}");
    }

    @Test
    void statsRenderTheFieldsOfSpec23() {
        broker.publish(TOPIC, Event.of("x"));

        String json = broker.stats().toJson();

        assertThat(json).contains("\"clients\":0", "\"topics\":1", "\"published\":1", "\"delivered\":0",
                "\"dropped\":0", "\"uptime_seconds\":0");
    }

    /** Fails on every chunk, as an adapter whose connection broke might. */
    private static final class RecordingSubscriberThatThrows implements java.util.concurrent.Flow.Subscriber<Chunk> {
        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Chunk item) {
            throw new IllegalStateException("broken pipe");
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }
    }
}
