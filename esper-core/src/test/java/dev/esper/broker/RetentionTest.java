package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.event.Event;
import dev.esper.event.SseEncoder;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetentionTest {
    private final Topic topic = new Topic(TopicId.of("abcdef123"), 0, 1, 0);

    private static List<Event> events(String... data) {
        return Arrays.stream(data).map(Event::of).toList();
    }

    private static long frameBytes(String data, String id) {
        return SseEncoder.encode(Event.of(data), id).length;
    }

    @Test
    void linksABatchAfterTheTailAndCountsItAsRetained() {
        Retention retention = new Retention(10, 0, 1 << 20);

        retention.appendLocked(topic, events("a", "b"), List.of("1", "2"), Members.positions(2), null, 0);

        assertThat(topic.head.next.id).isEqualTo("1");
        assertThat(topic.tail.id).isEqualTo("2");
        assertThat(topic.tail.endOffset).isEqualTo(frameBytes("a", "1") + frameBytes("b", "2"));
        assertThat(topic.retainedCount).isEqualTo(2);
        assertThat(retention.events()).isEqualTo(2);
        assertThat(retention.bytes()).isEqualTo(topic.retainedBytes).isEqualTo(topic.tail.endOffset);
    }

    @Test
    void keepsOnlyTheNewestEventsUpToTheHistorySize() {
        Retention retention = new Retention(2, 0, 1 << 20);

        retention.appendLocked(topic, events("a", "b", "c"), List.of("1", "2", "3"), Members.positions(3), null, 0);

        assertThat(topic.head.next.id).isEqualTo("2");
        assertThat(topic.retainedCount).isEqualTo(2);
        assertThat(retention.events()).isEqualTo(2);
        assertThat(retention.bytes()).isEqualTo(frameBytes("b", "2") + frameBytes("c", "3"));
    }

    @Test
    void retainsNothingWithAHistorySizeOfZeroButStillLinksTheEvents() {
        Retention retention = new Retention(0, 0, 1 << 20);

        retention.appendLocked(topic, events("a"), List.of("1"), Members.positions(1), null, 0);

        assertThat(topic.tail.id).isEqualTo("1");
        assertThat(topic.retainedCount).isZero();
        assertThat(retention.bytes()).isZero();
    }

    @Test
    void dropsAnEventOnceItIsAsOldAsTheTtl() {
        Retention retention = new Retention(10, 1000, 1 << 20);
        retention.appendLocked(topic, events("a"), List.of("1"), Members.positions(1), null, 0);

        retention.trimLocked(topic, 999);
        assertThat(topic.retainedCount).isEqualTo(1);

        retention.trimLocked(topic, 1000);
        assertThat(topic.retainedCount).isZero();
        assertThat(retention.events()).isZero();
        assertThat(retention.bytes()).isZero();
    }

    @Test
    void datesEventsFromAnotherNodeByTheirAge() {
        Retention retention = new Retention(10, 5000, 1 << 20);

        retention.appendLocked(topic, events("old", "new"), List.of("1", "2"), Members.positions(2),
                List.of(Duration.ofSeconds(5), Duration.ofSeconds(1)), 10_000);

        assertThat(topic.head.next.id).isEqualTo("2");
        assertThat(topic.tail.timeMillis).isEqualTo(9_000);
    }

    @Test
    void releasingATopicStopsCountingItsEventsAndEmptiesItsRetainedLog() {
        Retention retention = new Retention(10, 0, 1 << 20);
        retention.appendLocked(topic, events("a", "b"), List.of("1", "2"), Members.positions(2), null, 0);
        Node tail = topic.tail;

        retention.releaseLocked(topic);

        assertThat(retention.events()).isZero();
        assertThat(retention.bytes()).isZero();
        assertThat(topic.head).isSameAs(tail);
        assertThat(topic.tail).isSameAs(tail);
        assertThat(topic.retainedCount).isZero();
    }

    @Test
    void isOverItsBoundOnlyPastTheMaximumBytes() {
        long oneFrame = frameBytes("a", "1");
        Retention exact = new Retention(10, 0, oneFrame);
        exact.appendLocked(topic, events("a"), List.of("1"), Members.positions(1), null, 0);
        assertThat(exact.isOverBound()).isFalse();

        Retention smaller = new Retention(10, 0, oneFrame - 1);
        smaller.appendLocked(new Topic(TopicId.of("abcdef124"), 0, 1, 0), events("a"), List.of("1"),
                Members.positions(1), null, 0);
        assertThat(smaller.isOverBound()).isTrue();
    }
}
