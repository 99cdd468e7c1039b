package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SPEC 8.1 on one-topic streams: a resume that cannot be shown complete says so first; a complete one does not. */
class Spec81GapTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");
    private static final String GAP = ":ok\n\nevent: esper-gap\ndata: {\"topics\":[\"abcdef123\"]}\n\n";

    private final ManualClock clock = new ManualClock();
    private Broker broker = build(Broker.builder().historySize(3));

    private Broker build(Broker.Builder b) {
        return b.clock(clock).deliveryExecutor(Runnable::run).manualMaintenance().build();
    }

    @AfterEach
    void close() {
        broker.close(Duration.ZERO);
    }

    private RecordingSubscriber resume(String lastEventId) {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, lastEventId, sub);
        return sub;
    }

    @Test
    void anIdTheTopicRetainsResumesWithoutAGap() {
        List<String> ids = broker.publish(TOPIC, List.of(Event.of("1"), Event.of("2"), Event.of("3"))).ids();

        RecordingSubscriber sub = resume(ids.get(0));

        assertThat(sub.text()).startsWith(":ok\n\nid: ");
        assertThat(sub.gaps()).isEmpty();
        assertThat(sub.dataList()).containsExactly("2", "3");
    }

    @Test
    void theIdOfTheLastEventNoLongerRetainedResumesWithoutAGapEverythingRetainedFollowsIt() {
        List<String> ids = broker.publish(TOPIC, List.of(Event.of("1"), Event.of("2"), Event.of("3"), Event.of("4")))
                .ids();

        RecordingSubscriber sub = resume(ids.get(0));

        assertThat(sub.gaps()).isEmpty();
        assertThat(sub.dataList()).containsExactly("2", "3", "4");
    }

    @Test
    void anIdOlderThanRetentionSendsTheGapEventFirstThenEverythingRetained() {
        List<String> ids = broker.publish(TOPIC, List.of(Event.of("1"), Event.of("2"), Event.of("3"), Event.of("4"),
                Event.of("5"))).ids();

        RecordingSubscriber sub = resume(ids.get(0));

        assertThat(sub.text()).startsWith(GAP + "id: " + ids.get(2) + "\n");
        assertThat(sub.dataList()).containsExactly("3", "4", "5");
    }

    @Test
    void anIdTheTopicNeverHadIsAGap() {
        broker.publish(TOPIC, Event.of("kept"));

        RecordingSubscriber sub = resume("never-seen");

        assertThat(sub.text()).startsWith(GAP);
        assertThat(sub.dataList()).containsExactly("kept");
    }

    @Test
    void aClientThatHadTheLastEventOfATopicThatRetainsNothingResumesWithoutAGap() {
        broker.close(Duration.ZERO);
        broker = build(Broker.builder().historySize(0));
        RecordingSubscriber first = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, first);
        String id = broker.publish(TOPIC, Event.of("seen")).ids().get(0);

        RecordingSubscriber second = resume(id);

        assertThat(second.text()).isEqualTo(":ok\n\n");
    }

    @Test
    void noResumeMeansNoGap() {
        broker.publish(TOPIC, Event.of("old"));

        assertThat(resume(null).text()).isEqualTo(":ok\n\n");
        assertThat(resume("").text()).isEqualTo(":ok\n\n");
    }
}
