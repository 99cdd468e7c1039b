package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SPEC 4: slow consumers, global limits, eviction; every rejection changes nothing. */
class Spec4LimitsTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");
    private static final String KB = "x".repeat(1000);

    private final ManualClock clock = new ManualClock();
    private Broker broker;

    private Broker build(Broker.Builder b) {
        broker = b.clock(clock).deliveryExecutor(Runnable::run).manualMaintenance().build();
        return broker;
    }

    @AfterEach
    void close() {
        if (broker != null) {
            broker.close(Duration.ZERO);
        }
    }

    @Test
    void dropsASubscriberWhoseUnsentLiveBytesPassTheBoundWhileItDoesNotReadAndCountsIt() {
        build(Broker.builder().subscriberBuffer(10_000));
        RecordingSubscriber slow = RecordingSubscriber.stalled();
        RecordingSubscriber fast = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, slow);
        broker.subscribe(TOPIC, null, fast);

        for (int i = 0; i < 20; i++) {
            broker.publish(TOPIC, Event.of(KB));
        }
        assertThat(slow.error).as("over the bound, but not yet longer than the stall time without reading").isNull();
        clock.advance(Duration.ofMillis(FanOut.STALL_MILLIS + 1));
        broker.publish(TOPIC, Event.of(KB));

        assertThat(slow.error).isInstanceOf(SubscriberTooSlowException.class)
                .hasMessageContaining("subscriber-buffer");
        assertThat(fast.events()).hasSize(21);
        assertThat(fast.error).isNull();
        BrokerStats stats = broker.stats();
        assertThat(stats.dropped()).isEqualTo(1);
        assertThat(stats.clients()).isEqualTo(1);
    }

    @Test
    void keepsASubscriberThatIsBehindButWithinTheBound() {
        build(Broker.builder().subscriberBuffer(100_000));
        RecordingSubscriber slow = RecordingSubscriber.stalled();
        broker.subscribe(TOPIC, null, slow);

        for (int i = 0; i < 20; i++) {
            broker.publish(TOPIC, Event.of(KB));
        }
        slow.subscription.request(Long.MAX_VALUE);

        assertThat(slow.error).isNull();
        assertThat(slow.events()).hasSize(20);
    }

    @Test
    void aReplayDoesNotCountAgainstTheSubscriberBuffer() {
        build(Broker.builder().subscriberBuffer(5_000).historySize(100));
        for (int i = 0; i < 50; i++) {
            broker.publish(TOPIC, Event.of(KB));
        }
        RecordingSubscriber resuming = RecordingSubscriber.stalled();
        broker.subscribe(TOPIC, "unknown", resuming);

        broker.publish(TOPIC, Event.of("live"));
        resuming.subscription.request(Long.MAX_VALUE);

        assertThat(resuming.error).isNull();
        assertThat(resuming.dataList()).hasSize(51);
    }

    @Test
    void aPublisherIsNeverBlockedByASubscriberThatDoesNotRead() {
        build(Broker.builder().subscriberBuffer(1024 * 1024));
        broker.subscribe(TOPIC, null, RecordingSubscriber.stalled());

        for (int i = 0; i < 5_000; i++) {
            broker.publish(TOPIC, Event.of(KB));
        }
        clock.advance(Duration.ofMillis(FanOut.STALL_MILLIS + 1));
        broker.publish(TOPIC, Event.of(KB));

        assertThat(broker.stats().published()).isEqualTo(5_001);
        assertThat(broker.stats().dropped()).isEqualTo(1);
    }

    @Test
    void refusesSubscribersPastMaxSubscribersAndAddsNothing() {
        build(Broker.builder().maxSubscribers(2));
        broker.subscribe(TOPIC, null, RecordingSubscriber.ready());
        broker.subscribe(TOPIC, null, RecordingSubscriber.ready());
        RecordingSubscriber third = RecordingSubscriber.ready();

        assertThatThrownBy(() -> broker.subscribe(TopicId.of("othertopic"), null, third))
                .isInstanceOf(CapacityExceededException.class)
                .hasMessageContaining("max-subscribers")
                .satisfies(e -> assertThat(((CapacityExceededException) e).status()).isEqualTo(503));
        assertThat(third.subscription).isNull();
        assertThat(broker.stats().clients()).isEqualTo(2);
        assertThat(broker.stats().topics()).isEqualTo(1);
    }

    @Test
    void aFreedSubscriberSlotCanBeUsedAgain() {
        build(Broker.builder().maxSubscribers(1));
        RecordingSubscriber first = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, first);
        first.subscription.cancel();

        broker.subscribe(TOPIC, null, RecordingSubscriber.ready());

        assertThat(broker.stats().clients()).isEqualTo(1);
    }

    @Test
    void evictsTheLeastRecentlyUsedIdleTopicWhenTopicsAreFull() {
        build(Broker.builder().maxTopics(3));
        TopicId a = TopicId.of("topicaaaa");
        TopicId b = TopicId.of("topicbbbb");
        TopicId c = TopicId.of("topiccccc");
        broker.publish(a, Event.of("a"));
        broker.publish(b, Event.of("b"));
        broker.publish(c, Event.of("c"));

        broker.publish(TopicId.of("topicdddd"), Event.of("d"));

        BrokerStats stats = broker.stats();
        assertThat(stats.topics()).isEqualTo(3);
        assertThat(stats.evicted()).isEqualTo(1);
        assertThat(stats.retainedEvents()).isEqualTo(3);
    }

    @Test
    void neverEvictsATopicThatHasSubscribers() {
        build(Broker.builder().maxTopics(2));
        TopicId busy = TopicId.of("busytopic");
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(busy, null, sub);
        broker.publish(TopicId.of("idletopic1"), Event.of("x"));

        broker.publish(TopicId.of("idletopic2"), Event.of("y"));
        broker.publish(busy, Event.of("still here"));

        assertThat(sub.dataList()).containsExactly("still here");
        assertThat(broker.stats().topics()).isEqualTo(2);
    }

    @Test
    void answers503WhenTopicsAreFullAndNoneIsIdle() {
        build(Broker.builder().maxTopics(2));
        broker.subscribe(TopicId.of("busytopic1"), null, RecordingSubscriber.ready());
        broker.subscribe(TopicId.of("busytopic2"), null, RecordingSubscriber.ready());

        assertThatThrownBy(() -> broker.publish(TopicId.of("newtopic1"), Event.of("x")))
                .isInstanceOf(CapacityExceededException.class)
                .hasMessageContaining("max-topics");
        assertThat(broker.stats().published()).isZero();
        assertThat(broker.stats().topics()).isEqualTo(2);
    }

    @Test
    void onAFullBrokerOfBusyTopicsEachEvictionAttemptIsBoundedAndTheHandStillReachesTheIdleOne() {
        int busy = Broker.EVICTION_SCAN_LIMIT + Broker.EVICTION_SCAN_LIMIT / 2;
        build(Broker.builder().maxTopics(busy + 1).maxSubscribers(busy));
        for (int i = 0; i < busy; i++) {
            broker.subscribe(TopicId.of("busytopic" + i), null, RecordingSubscriber.ready());
        }
        broker.publish(TopicId.of("idletopic"), Event.of("x"));

        // Each attempt looks at no more than the scan limit, so one may find nothing (503); but the hand keeps
        // its place, and within two passes over the topics (second chance for the recently used idle one)
        // it reaches the idle topic.
        int attempts = 0;
        int refused = 0;
        boolean published = false;
        while (!published && attempts < 2 * (busy + 1) / Broker.EVICTION_SCAN_LIMIT + 2) {
            attempts++;
            try {
                broker.publish(TopicId.of("newtopic" + attempts), Event.of("y"));
                published = true;
            } catch (CapacityExceededException e) {
                refused++;
            }
        }
        assertThat(published).as("after %d attempts, %d refused", attempts, refused).isTrue();
        // The idle topic was just used, so the hand must pass it twice, more than the limit apart: an attempt
        // that was not bounded would have found it at once.
        assertThat(refused).as("attempts stopped at the scan limit").isPositive();
        assertThat(broker.stats().evicted()).isEqualTo(1);
        assertThat(broker.stats().topics()).isEqualTo(busy + 1);
    }

    @Test
    void aFloodOfDistinctTopicsStaysWithinMaxTopics() {
        build(Broker.builder().maxTopics(1_000));
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, sub);

        for (int i = 0; i < 20_000; i++) {
            broker.publish(TopicId.of("flood" + String.format("%06d", i)), Event.of("x"));
            assertThat(broker.stats().topics()).isLessThanOrEqualTo(1_000);
        }
        broker.publish(TOPIC, Event.of("served"));

        assertThat(sub.dataList()).containsExactly("served");
        assertThat(broker.stats().retainedEvents()).isLessThanOrEqualTo(1_000);
    }

    @Test
    void boundsRetainedBytesByEvictingIdleTopics() {
        build(Broker.builder().maxRetainedBytes(50_000));

        for (int i = 0; i < 500; i++) {
            broker.publish(TopicId.of("bytes" + String.format("%06d", i)), Event.of(KB));
        }

        assertThat(broker.stats().retainedBytes()).isLessThan(50_000 + 2_000);
        assertThat(broker.stats().evicted()).isPositive();
    }

    @Test
    void whenRetainedBytesAreFullAndNoTopicIsIdleTheOldestRetainedEventsMakeRoomAndThePublishSucceeds() {
        build(Broker.builder().maxRetainedBytes(5_000));
        TopicId other = TopicId.of("othertopic1");
        RecordingSubscriber reader = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, reader);
        broker.subscribe(other, null, RecordingSubscriber.ready());
        for (int i = 0; i < 5; i++) {
            broker.publish(TOPIC, Event.of(KB));
            clock.advance(Duration.ofMillis(1));
        }
        assertThat(broker.stats().retainedBytes()).isGreaterThan(5_000);

        broker.publish(other, Event.of("fresh"));

        assertThat(broker.stats().published()).isEqualTo(6);
        assertThat(broker.stats().retainedBytes()).isLessThanOrEqualTo(5_000);
        assertThat(reader.events()).hasSize(5);
        RecordingSubscriber resuming = RecordingSubscriber.ready();
        broker.subscribe(other, "unknown", resuming);
        assertThat(resuming.dataList()).as("the newest event stays retained").containsExactly("fresh");
    }

    @Test
    void closeDeliversWhatIsQueuedThenCompletesEveryStream() {
        build(Broker.builder());
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, sub);
        broker.publish(TOPIC, Event.of("last words"));

        broker.close(Duration.ofSeconds(1));

        assertThat(sub.dataList()).containsExactly("last words");
        assertThat(sub.completions.get()).isEqualTo(1);
        assertThat(broker.stats().clients()).isZero();
    }

    @Test
    void closeCompletesAStreamWhoseSubscriberStoppedReadingAfterTheGrace() {
        build(Broker.builder());
        RecordingSubscriber stalled = RecordingSubscriber.stalled();
        broker.subscribe(TOPIC, null, stalled);
        broker.publish(TOPIC, Event.of("never read"));

        broker.close(Duration.ofMillis(50));

        assertThat(stalled.completions.get()).isEqualTo(1);
        assertThat(broker.stats().clients()).isZero();
    }

    @Test
    void refusesPublishesAndSubscribesOnceClosed() {
        build(Broker.builder());
        broker.close(Duration.ZERO);

        assertThatThrownBy(() -> broker.publish(TOPIC, Event.of("x")))
                .isInstanceOf(CapacityExceededException.class).hasMessageContaining("shutting down");
        assertThatThrownBy(() -> broker.subscribe(TOPIC, null, RecordingSubscriber.ready()))
                .isInstanceOf(CapacityExceededException.class).hasMessageContaining("shutting down");
    }

    @Test
    void builderRejectsOutOfRangeValuesNamingThem() {
        assertThatThrownBy(() -> Broker.builder().historySize(-1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("history size");
        assertThatThrownBy(() -> Broker.builder().maxTopics(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max topics");
        assertThatThrownBy(() -> Broker.builder().maxSubscribers(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max subscribers");
        assertThatThrownBy(() -> Broker.builder().subscriberBuffer(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("subscriber buffer");
        assertThatThrownBy(() -> Broker.builder().heartbeat(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeat");
        assertThatThrownBy(() -> Broker.builder().historyTtl(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("history ttl");
    }
}
