package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MaintenanceTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");

    private final ManualClock clock = new ManualClock();
    private final Retention retention = new Retention(100, 1000, 1 << 20);
    private final TopicTable topics = new TopicTable(10, retention, clock, 1, null);
    private final FanOut fanOut = new FanOut(Runnable::run, 1, 1 << 20, clock);
    private final Maintenance maintenance = new Maintenance(topics, retention, fanOut,
            new MemoryBudget(Long.MAX_VALUE / 2, topics, fanOut), clock, 0, false);

    @Test
    void runsASecondApartOrAQuarterOfTheHeartbeatIfThatIsShorter() {
        assertThat(Maintenance.periodMillis(0)).isEqualTo(1000);
        assertThat(Maintenance.periodMillis(15_000)).isEqualTo(1000);
        assertThat(Maintenance.periodMillis(2000)).isEqualTo(500);
        assertThat(Maintenance.periodMillis(20)).isEqualTo(10);
    }

    @Test
    void forgetsATopicOnceAllItsEventsExpired() {
        Topic t = topics.topicFor(TOPIC);
        retention.appendLocked(t, List.of(Event.of("a")), List.of("1"), Members.positions(1), null, clock.millis());

        maintenance.runOnce();
        assertThat(topics.get(TOPIC)).isSameAs(t);

        clock.advance(Duration.ofSeconds(1));
        maintenance.runOnce();

        assertThat(topics.get(TOPIC)).isNull();
        assertThat(t.removed).isTrue();
        assertThat(retention.events()).isZero();
        assertThat(topics.size()).isZero();
    }

    @Test
    void forgetsATopicLeftWithNothing() {
        topics.topicFor(TOPIC);

        maintenance.runOnce();

        assertThat(topics.get(TOPIC)).isNull();
    }

    @Test
    void keepsATopicWithASubscriberAfterItsEventsExpired() {
        Topic t = topics.topicFor(TOPIC);
        t.subscribers.add(Members.stalledAt(t));
        retention.appendLocked(t, List.of(Event.of("a")), List.of("1"), Members.positions(1), null, clock.millis());
        clock.advance(Duration.ofSeconds(1));

        maintenance.runOnce();

        assertThat(topics.get(TOPIC)).isSameAs(t);
        assertThat(t.retainedCount).isZero();
    }
}
