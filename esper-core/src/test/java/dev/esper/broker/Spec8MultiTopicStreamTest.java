package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SPEC 8 in the broker: one stream, one demand and one bound for several topics; ids that resume every topic. */
class Spec8MultiTopicStreamTest {
    private static final TopicId A = TopicId.of("scoresaaa");
    private static final TopicId B = TopicId.of("chatroomb");
    private static final TopicId C = TopicId.of("noticesccc");

    private final ManualClock clock = new ManualClock();
    private Broker broker = build(Broker.builder());

    private Broker build(Broker.Builder b) {
        return b.clock(clock).deliveryExecutor(Runnable::run).manualMaintenance().build();
    }

    @AfterEach
    void close() {
        broker.close(Duration.ZERO);
    }

    private static String topicOf(RecordingSubscriber.Received e) {
        return e.id().substring(0, e.id().indexOf(':'));
    }

    /** Data of the events received per topic, as the event ids name them. */
    private static List<String> of(RecordingSubscriber sub, TopicId topic) {
        List<String> out = new ArrayList<>();
        for (RecordingSubscriber.Received e : sub.events()) {
            if (!"esper-gap".equals(e.name()) && topicOf(e).equals(topic.value())) {
                out.add(e.data());
            }
        }
        return out;
    }

    private static String lastId(RecordingSubscriber sub) {
        List<String> ids = sub.ids();
        return ids.get(ids.size() - 1);
    }

    @Test
    void oneStreamReceivesTheEventsOfEveryTopicEachIdNamingItsTopicThenACursor() {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B, C), null, sub);

        broker.publish(A, Event.of("a1"));
        broker.publish(B, Event.of("b1"));
        broker.publish(C, Event.of("c1"));
        broker.publish(A, Event.of("a2"));

        assertThat(sub.dataList()).containsExactly("a1", "b1", "c1", "a2");
        assertThat(sub.events()).extracting(Spec8MultiTopicStreamTest::topicOf)
                .containsExactly("scoresaaa", "chatroomb", "noticesccc", "scoresaaa");
        assertThat(sub.ids()).allMatch(id -> id.matches("[a-z0-9]{8,64}:1[A-Za-z0-9._~-]+")).doesNotHaveDuplicates();
        assertThat(sub.gaps()).isEmpty();
    }

    @Test
    void eachEventKeepsItsNameDataAndRetryButShowsTheCursorInPlaceOfThePublishersId() {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B), null, sub);

        broker.publish(B, new Event("line one\nline two", "score", "publisher-id-7", "2500"));

        String text = sub.text();
        assertThat(text).contains("\nevent: score\nretry: 2500\ndata: line one\ndata: line two\n\n")
                .doesNotContain("publisher-id-7");
        assertThat(sub.events()).singleElement().satisfies(e -> {
            assertThat(e.id()).startsWith("chatroomb:1");
            assertThat(e.name()).isEqualTo("score");
        });
    }

    @Test
    void resumingWithTheLastIdGivesEveryTopicExactlyWhatItMissedAtVeryDifferentRates() {
        broker.close(Duration.ZERO);
        broker = build(Broker.builder().historySize(1000));
        RecordingSubscriber first = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B, C), null, first);
        for (int i = 1; i <= 50; i++) {
            broker.publish(A, Event.of("a" + i));
            if (i % 25 == 0) {
                broker.publish(B, Event.of("b" + i));
            }
        }
        String last = lastId(first);
        first.subscription.cancel();
        for (int i = 51; i <= 80; i++) {
            broker.publish(A, Event.of("a" + i));
        }
        broker.publish(C, Event.of("c1"));

        RecordingSubscriber resumed = RecordingSubscriber.ready();
        broker.subscribe(List.of(C, B, A), last, resumed);
        broker.publish(B, Event.of("b-live"));

        List<String> expectedA = new ArrayList<>();
        for (int i = 51; i <= 80; i++) {
            expectedA.add("a" + i);
        }
        assertThat(of(resumed, A)).containsExactlyElementsOf(expectedA);
        assertThat(of(resumed, B)).containsExactly("b-live");
        assertThat(of(resumed, C)).containsExactly("c1");
        assertThat(resumed.gaps()).isEmpty();
    }

    @Test
    void aResumeFromTheMiddleOfABatchGivesTheRestOfIt() {
        RecordingSubscriber first = RecordingSubscriber.stalled();
        broker.subscribe(List.of(A, B), null, first);
        broker.publish(A, List.of(Event.of("1"), Event.of("2"), Event.of("3")));
        first.subscription.request(2);    // the opening comment, then the batch in one chunk
        String afterOne = first.events().get(0).id();

        RecordingSubscriber resumed = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B), afterOne, resumed);

        assertThat(resumed.dataList()).containsExactly("2", "3");
        assertThat(resumed.gaps()).isEmpty();
    }

    @Test
    void aTopicWhoseResumeIsOlderThanItsRetentionIsNamedInAGapEventBeforeTheReplayAndOnlyIt() {
        broker.close(Duration.ZERO);
        broker = build(Broker.builder().historySize(3));
        RecordingSubscriber first = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B), null, first);
        broker.publish(A, Event.of("a0"));
        broker.publish(B, Event.of("b0"));
        String last = lastId(first);
        first.subscription.cancel();
        for (int i = 1; i <= 5; i++) {
            broker.publish(A, Event.of("a" + i));
        }
        broker.publish(B, Event.of("b1"));

        RecordingSubscriber resumed = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B), last, resumed);

        assertThat(resumed.text()).startsWith(":ok\n\nevent: esper-gap\ndata: {\"topics\":[\"scoresaaa\"]}\n\nid: ");
        assertThat(of(resumed, A)).containsExactly("a3", "a4", "a5");
        assertThat(of(resumed, B)).containsExactly("b1");
    }

    @Test
    void aCompleteResumeSendsNoGapEvenForTopicsThatRetainNothingOrWereForgotten() {
        broker.close(Duration.ZERO);
        broker = build(Broker.builder().historySize(0));
        RecordingSubscriber first = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B, C), null, first);
        broker.publish(A, Event.of("a0"));
        broker.publish(B, Event.of("b0"));
        String last = lastId(first);
        first.subscription.cancel();
        assertThat(broker.stats().topics()).as("nothing retained, no subscriber: all forgotten").isZero();

        RecordingSubscriber resumed = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B, C), last, resumed);
        broker.publish(C, Event.of("c-live"));

        assertThat(resumed.gaps()).isEmpty();
        assertThat(resumed.dataList()).containsExactly("c-live");
    }

    /** A transport that wraps the local one (to trace or count, say) hands no positions: floors stay exact. */
    @Test
    void aTransportThatOnlyWrapsTheLocalOneKeepsResumesExactWithoutFalseGaps() {
        broker.close(Duration.ZERO);
        Transport local = Transport.local();
        broker = build(Broker.builder().historySize(0).transport(new Transport() {
            @Override
            public void start(Sink sink) {
                local.start(sink);
            }

            @Override
            public java.util.concurrent.CompletionStage<PublishResult> publish(TopicId topic, List<Event> events) {
                return local.publish(topic, events);
            }
        }));
        RecordingSubscriber first = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B, C), null, first);
        broker.publish(A, Event.of("a0"));
        String last = lastId(first);
        first.subscription.cancel();

        RecordingSubscriber resumed = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B, C), last, resumed);
        broker.publish(B, Event.of("b-live"));

        assertThat(resumed.gaps()).isEmpty();
        assertThat(resumed.dataList()).containsExactly("b-live");
    }

    @Test
    void aTopicThatRetainsNothingAndPublishedWhileTheClientWasAwayIsAGap() {
        broker.close(Duration.ZERO);
        broker = build(Broker.builder().historySize(0));
        RecordingSubscriber first = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B), null, first);
        broker.publish(A, Event.of("a0"));
        String last = lastId(first);
        first.subscription.cancel();
        broker.publish(B, Event.of("b-lost"));

        RecordingSubscriber resumed = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B), last, resumed);

        assertThat(resumed.gaps()).containsExactly("{\"topics\":[\"chatroomb\"]}");
        assertThat(resumed.dataList()).isEmpty();
    }

    @Test
    void anIdThatIsNotACursorOfTheseTopicsNamesEveryTopicInTheGapAndReplaysAllTheyRetain() {
        broker.publish(A, Event.of("a-kept"));
        RecordingSubscriber other = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, C), null, other);
        broker.publish(A, Event.of("a1"));
        String ofAnotherSet = lastId(other);

        for (String id : List.of("17", ofAnotherSet, "scoresaaa:garbage")) {
            RecordingSubscriber resumed = RecordingSubscriber.ready();
            broker.subscribe(List.of(A, B), id, resumed);
            assertThat(resumed.gaps()).as(id).containsExactly("{\"topics\":[\"chatroomb\",\"scoresaaa\"]}");
            assertThat(resumed.dataList()).as(id).containsExactly("a-kept", "a1");
            resumed.subscription.cancel();
        }
    }

    @Test
    void aStreamCountsOnceAsAClientAndOnceAsASubscriberOfEachTopic() {
        broker.subscribe(List.of(A, B, C), null, RecordingSubscriber.ready());
        broker.subscribe(A, null, RecordingSubscriber.ready());

        assertThat(broker.stats().clients()).isEqualTo(2);
        assertThat(broker.stats().topics()).isEqualTo(3);
        assertThat(broker.publish(A, Event.of("x")).subscribers()).isEqualTo(2);
        assertThat(broker.publish(B, Event.of("x")).subscribers()).isEqualTo(1);
    }

    @Test
    void cancellingTheStreamLeavesEveryTopicAndForgetsThoseLeftWithNothing() {
        broker.close(Duration.ZERO);
        broker = build(Broker.builder().historySize(0));
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B, C), null, sub);

        sub.subscription.cancel();

        assertThat(broker.stats().clients()).isZero();
        assertThat(broker.stats().topics()).isZero();
    }

    @Test
    void topicsEqualIgnoringCaseCountOnceAndPastTheLimitIsRefusedChangingNothing() {
        broker.close(Duration.ZERO);
        broker = build(Broker.builder().maxStreamTopics(2));
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, TopicId.of("SCORESaaa"), B), null, sub);
        broker.publish(A, Event.of("once"));
        assertThat(sub.dataList()).containsExactly("once");

        assertThatThrownBy(() -> broker.subscribe(List.of(A, B, C), null, RecordingSubscriber.ready()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a stream may follow at most 2 topics (the max-stream-topics limit), was 3");
        assertThatThrownBy(() -> broker.subscribe(List.<TopicId>of(), null, RecordingSubscriber.ready()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(broker.stats().clients()).isEqualTo(1);
        assertThat(broker.stats().topics()).isEqualTo(2);
    }

    @Test
    void aBusyTopicCannotHoldTheOthersBack() {
        RecordingSubscriber sub = RecordingSubscriber.stalled();
        broker.subscribe(List.of(A, B), null, sub);
        sub.subscription.request(1);
        String big = "x".repeat(10_000);
        for (int i = 0; i < 30; i++) {
            broker.publish(A, Event.of(big));
        }
        broker.publish(B, Event.of("b-urgent"));

        sub.subscription.request(1);

        Chunk next = sub.chunks.get(1);
        assertThat(next.size()).isLessThanOrEqualTo(StreamSubscription.MAX_CHUNK);
        assertThat(next.toString()).contains("data: b-urgent");
    }

    @Test
    void aSlowReaderOfSeveralTopicsIsDroppedByItsOneBoundOverAllOfThem() {
        broker.close(Duration.ZERO);
        broker = build(Broker.builder().subscriberBuffer(10_000));
        RecordingSubscriber slow = RecordingSubscriber.stalled();
        broker.subscribe(List.of(A, B, C), null, slow);
        String kb = "x".repeat(1000);
        for (int i = 0; i < 4; i++) {
            broker.publish(A, Event.of(kb));
            broker.publish(B, Event.of(kb));
            broker.publish(C, Event.of(kb));
        }
        clock.advance(Duration.ofMillis(FanOut.STALL_MILLIS + 1));
        broker.maintain();

        assertThat(slow.error).isInstanceOf(SubscriberTooSlowException.class)
                .hasMessageContaining("'chatroomb', 'noticesccc', 'scoresaaa'");
        assertThat(broker.stats().dropped()).isEqualTo(1);
        assertThat(broker.stats().clients()).isZero();
    }

    @Test
    void aReaderOfSeveralTopicsWithinItsBoundIsKept() {
        broker.close(Duration.ZERO);
        broker = build(Broker.builder().subscriberBuffer(100_000));
        RecordingSubscriber slow = RecordingSubscriber.stalled();
        broker.subscribe(List.of(A, B, C), null, slow);
        String kb = "x".repeat(1000);
        for (int i = 0; i < 4; i++) {
            broker.publish(A, Event.of(kb));
            broker.publish(B, Event.of(kb));
        }
        clock.advance(Duration.ofMillis(FanOut.STALL_MILLIS + 1));
        broker.maintain();

        assertThat(slow.error).isNull();
        slow.subscription.request(Long.MAX_VALUE);
        assertThat(slow.dataList()).hasSize(8);
    }

    @Test
    void theBrokerClosingEndsAStreamOfSeveralTopicsOnceAfterWhatItHas() {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B), null, sub);
        broker.publish(B, Event.of("last"));

        broker.close(Duration.ofSeconds(1));

        assertThat(sub.dataList()).containsExactly("last");
        assertThat(sub.completions.get()).isEqualTo(1);
    }

    @Test
    void anIdleStreamOfSeveralTopicsGetsOneHeartbeat() {
        broker.close(Duration.ZERO);
        broker = build(Broker.builder().heartbeat(Duration.ofSeconds(1)));
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(List.of(A, B, C), null, sub);

        clock.advance(Duration.ofSeconds(1));
        broker.maintain();

        assertThat(sub.text()).isEqualTo(":ok\n\n:\n\n");
    }
}
