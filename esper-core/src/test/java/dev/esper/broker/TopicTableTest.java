package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TopicTableTest {
    private static final TopicId A = TopicId.of("topicaaaa");
    private static final TopicId B = TopicId.of("topicbbbb");
    private static final TopicId C = TopicId.of("topiccccc");

    private final ManualClock clock = new ManualClock();

    private TopicTable table(int maxTopics, Retention retention) {
        return new TopicTable(maxTopics, retention, clock, 1, null);
    }

    private static Retention roomy() {
        return new Retention(100, 0, 1 << 20);
    }

    private static void retain(Retention retention, Topic t, String data) {
        retainAt(retention, t, data, 0);
    }

    private static void retainAt(Retention retention, Topic t, String data, long timeMillis) {
        underLock(t, () -> retention.appendLocked(t, List.of(Event.of(data)), List.of("1"), Members.positions(1), null,
                timeMillis));
    }

    private static void underLock(Topic t, Runnable action) {
        t.lock.lock();
        try {
            action.run();
        } finally {
            t.lock.unlock();
        }
    }

    private static void addSubscriber(Topic t) {
        t.subscribers.add(Members.stalledAt(t));
    }

    @Test
    void createsATopicOnceAndHandsOutTheSameOneAfterwards() {
        TopicTable table = table(10, roomy());

        Topic first = table.topicFor(A);

        assertThat(table.topicFor(A)).isSameAs(first);
        assertThat(table.get(A)).isSameAs(first);
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void evictsAnIdleTopicToMakeRoomForANewOne() {
        TopicTable table = table(1, roomy());
        Topic a = table.topicFor(A);

        Topic b = table.topicFor(B);

        assertThat(a.removed).isTrue();
        assertThat(table.get(A)).isNull();
        assertThat(table.get(B)).isSameAs(b);
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.evicted()).isEqualTo(1);
    }

    @Test
    void givesATopicUsedSinceTheHandLastPassedASecondChance() {
        TopicTable table = table(2, roomy());
        table.topicFor(A);
        table.topicFor(B);
        assertThat(table.evictOneIdle()).isTrue();
        Topic passed = table.get(A) != null ? table.get(A) : table.get(B);
        Topic fresh = table.topicFor(C);

        assertThat(table.evictOneIdle()).isTrue();

        assertThat(passed.removed).isTrue();
        assertThat(fresh.removed).isFalse();
        assertThat(table.all()).containsExactly(fresh);
    }

    @Test
    void looksATopicUpAgainIfItWasForgottenWhileWaitingForItsLock() throws Exception {
        TopicTable table = table(10, roomy());
        Topic forgotten = table.topicFor(A);
        forgotten.lock.lock();
        CompletableFuture<Topic> held = CompletableFuture.supplyAsync(() -> {
            Topic t = table.lockHeld(A);
            t.lock.unlock();
            return t;
        });
        try {
            await().atMost(Duration.ofSeconds(10)).until(forgotten.lock::hasQueuedThreads);
            table.forgetLocked(forgotten);
        } finally {
            forgotten.lock.unlock();
        }

        Topic t = held.get(10, TimeUnit.SECONDS);

        assertThat(t).isNotSameAs(forgotten);
        assertThat(t.removed).isFalse();
        assertThat(table.get(A)).isSameAs(t);
    }

    @Test
    void neverEvictsATopicWithASubscriber() {
        TopicTable table = table(1, roomy());
        Topic a = table.topicFor(A);
        addSubscriber(a);

        assertThatThrownBy(() -> table.topicFor(B)).isInstanceOf(CapacityExceededException.class)
                .hasMessage("too many topics (1, the max-topics limit) and none is idle; try again later");
        assertThat(table.get(A)).isSameAs(a);
        assertThat(table.get(B)).isNull();
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void findsNothingToEvictInAnEmptyTable() {
        assertThat(table(1, roomy()).evictOneIdle()).isFalse();
    }

    @Test
    void forgettingATopicStopsCountingItsRetainedEvents() {
        Retention retention = roomy();
        TopicTable table = table(10, retention);
        Topic a = table.topicFor(A);
        retain(retention, a, "hello");

        underLock(a, () -> table.forgetLocked(a));

        assertThat(retention.events()).isZero();
        assertThat(retention.bytes()).isZero();
        assertThat(table.size()).isZero();
        assertThat(table.get(A)).isNull();
    }

    @Test
    void forgetsOnlyATopicThatHoldsNothing() {
        Retention retention = roomy();
        TopicTable table = table(10, retention);
        Topic withEvent = table.topicFor(A);
        retain(retention, withEvent, "hello");
        Topic withSubscriber = table.topicFor(B);
        addSubscriber(withSubscriber);
        Topic empty = table.topicFor(C);

        for (Topic t : List.of(withEvent, withSubscriber, empty)) {
            underLock(t, () -> table.forgetIfEmptyLocked(t));
        }

        assertThat(table.all()).containsExactlyInAnyOrder(withEvent, withSubscriber);
        assertThat(empty.removed).isTrue();
        assertThat(table.size()).isEqualTo(2);
    }

    @Test
    void evictsIdleTopicsWhileRetentionIsOverItsBound() {
        Retention retention = new Retention(100, 0, 10);
        TopicTable table = table(10, retention);
        retain(retention, table.topicFor(A), "more than ten bytes");

        table.makeRoomForRetention();

        assertThat(table.get(A)).isNull();
        assertThat(retention.bytes()).isZero();
        assertThat(table.evicted()).isEqualTo(1);
    }

    @Test
    void dropsTheOldestRetainedEventsAcrossTopicsWhenNoTopicIsIdle() {
        Retention retention = new Retention(100, 0, 100);
        TopicTable table = table(10, retention);
        Topic a = table.topicFor(A);
        Topic b = table.topicFor(B);
        addSubscriber(a);
        addSubscriber(b);
        retainAt(retention, a, "a1 thirty bytes of data here", 1);
        retainAt(retention, b, "b1 thirty bytes of data here", 2);
        retainAt(retention, a, "a2 thirty bytes of data here", 3);
        retainAt(retention, b, "b2 thirty bytes of data here", 4);
        assertThat(retention.bytes()).isGreaterThan(100);

        table.makeRoomForRetention();

        assertThat(retention.bytes()).isLessThanOrEqualTo(90);
        assertThat(new String(a.head.next.frame, java.nio.charset.StandardCharsets.UTF_8)).contains("a2");
        assertThat(new String(b.head.next.frame, java.nio.charset.StandardCharsets.UTF_8)).contains("b2");
        assertThat(table.get(A)).isSameAs(a);
        assertThat(table.evicted()).isZero();
    }
}
