package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The memory budget (issue "Reliability, round 2", item 1: subscribers on distinct topics that never read
 * exhausted the heap, each within its own bound): what subscribers hold beyond retention counts with retention,
 * and past the budget the furthest behind give way first, then the oldest retained events.
 */
class MemoryBudgetTest {
    private static final TopicId A = TopicId.of("topicaaaa");
    private static final TopicId B = TopicId.of("topicbbbb");
    private static final TopicId C = TopicId.of("topiccccc");
    private static final String DATA_600 = "x".repeat(600);

    private final ManualClock clock = new ManualClock();
    private Broker broker;

    @AfterEach
    void close() {
        broker.close(Duration.ZERO);
    }

    private Broker broker(int historySize, long budget) {
        broker = Broker.builder().historySize(historySize).memoryBudget(budget).clock(clock)
                .deliveryExecutor(Runnable::run).manualMaintenance().build();
        return broker;
    }

    private void publish(TopicId topic, int events) {
        for (int i = 0; i < events; i++) {
            broker.publish(topic, Event.of(DATA_600));
        }
    }

    private RecordingSubscriber subscribe(TopicId topic, RecordingSubscriber s) {
        broker.subscribe(topic, null, s);
        return s;
    }

    /** What one 600-byte event costs: its frame (ids here all have 16 digits) plus the per-event overhead. */
    private static long eventCost() {
        return "id: 1796558400000000\ndata: \n\n".length() + 600 + MemoryBudget.EVENT_OVERHEAD;
    }

    @Test
    void subscribersFurthestBehindAreDroppedFirstUntilATenthUnderTheBudget() {
        broker(0, 100 * eventCost());
        RecordingSubscriber a = subscribe(A, RecordingSubscriber.stalled());
        RecordingSubscriber b = subscribe(B, RecordingSubscriber.stalled());
        RecordingSubscriber c = subscribe(C, RecordingSubscriber.stalled());
        publish(A, 80);
        publish(B, 60);
        publish(C, 20);
        assertThat(broker.stats().memoryHeld()).isEqualTo(160 * eventCost());

        broker.maintain();

        // Dropping A (80 behind) leaves 80 events, under the 90 of a tenth under the budget: B and C stay.
        assertThat(a.error).isInstanceOf(SubscriberTooSlowException.class)
                .hasMessageContaining("memory-budget");
        assertThat(b.error).isNull();
        assertThat(c.error).isNull();
        BrokerStats stats = broker.stats();
        assertThat(stats.memoryHeld()).isEqualTo(80 * eventCost());
        assertThat(stats.memoryBudget()).isEqualTo(100 * eventCost());
        assertThat(stats.dropped()).isEqualTo(1);
        assertThat(stats.droppedForMemory()).isEqualTo(1);
        assertThat(stats.clients()).isEqualTo(2);
        assertThat(stats.toJson()).contains("\"memory_budget\":" + 100 * eventCost(),
                "\"memory_held\":" + 80 * eventCost(), "\"dropped_for_memory\":1");
    }

    @Test
    void withinTheBudgetNothingIsDroppedAndHeldFollowsWhatSubscribersStillHold() {
        broker(0, 100 * eventCost());
        RecordingSubscriber a = subscribe(A, RecordingSubscriber.stalled());
        publish(A, 50);

        broker.maintain();
        assertThat(broker.stats().memoryHeld()).isEqualTo(50 * eventCost());

        a.subscription.cancel();
        broker.maintain();

        assertThat(a.error).isNull();
        assertThat(broker.stats().memoryHeld()).isZero();
        assertThat(broker.stats().dropped()).isZero();
    }

    @Test
    void aReaderThatKeepsUpStaysWhileSilentSubscribersOfItsTopicAndOthersAreDropped() {
        broker(0, 30 * eventCost());
        RecordingSubscriber reader = subscribe(A, RecordingSubscriber.ready());
        RecordingSubscriber silentA = subscribe(A, RecordingSubscriber.stalled());
        RecordingSubscriber silentB = subscribe(B, RecordingSubscriber.stalled());
        publish(A, 40);
        publish(B, 40);

        broker.maintain();

        assertThat(silentA.error).isInstanceOf(SubscriberTooSlowException.class);
        assertThat(silentB.error).isInstanceOf(SubscriberTooSlowException.class);
        assertThat(reader.error).isNull();
        assertThat(broker.stats().memoryHeld()).isZero();
        publish(A, 1);
        assertThat(reader.events()).hasSize(41);
        assertThat(broker.stats().droppedForMemory()).isEqualTo(2);
    }

    @Test
    void retainedEventsYieldOnlyAfterSubscribersHoldingEventsBeyondRetention() {
        broker(50, 160 * eventCost());
        publish(A, 50); // retained, oldest
        RecordingSubscriber silent = subscribe(B, RecordingSubscriber.stalled());
        publish(B, 150); // 50 retained, 100 more held by the silent subscriber alone

        broker.maintain();

        assertThat(silent.error).isInstanceOf(SubscriberTooSlowException.class);
        BrokerStats stats = broker.stats();
        assertThat(stats.retainedEvents()).isEqualTo(100);
        assertThat(stats.memoryHeld()).isEqualTo(100 * eventCost());
    }

    @Test
    void pastTheBudgetWithNoSubscriberTheOldestRetainedEventsAcrossTopicsAreDropped() {
        broker(100, 100 * eventCost());
        publish(A, 100);
        clock.advance(Duration.ofSeconds(1));
        publish(B, 100);

        broker.maintain();

        // Down to 90 events, taken from A, whose events are older.
        BrokerStats stats = broker.stats();
        assertThat(stats.retainedEvents()).isEqualTo(90);
        assertThat(stats.memoryHeld()).isEqualTo(90 * eventCost());
        assertThat(stats.dropped()).isZero();
        RecordingSubscriber replayB = RecordingSubscriber.ready();
        broker.subscribe(B, "not-retained", replayB);
        assertThat(replayB.dataList()).hasSize(90);
    }

    @Test
    void theBudgetDefaultsToHalfTheMaxHeapAndComesFromTheConfig() {
        broker = Broker.builder().deliveryExecutor(Runnable::run).manualMaintenance()
                .config(dev.esper.config.EsperConfig.builder().memoryBudget(12345).build()).build();
        assertThat(broker.stats().memoryBudget()).isEqualTo(12345);
        broker.close(Duration.ZERO);

        broker = Broker.builder().deliveryExecutor(Runnable::run).manualMaintenance().build();
        assertThat(broker.stats().memoryBudget()).isEqualTo(Runtime.getRuntime().maxMemory() / 2);
    }
}
