package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Who counts as too slow: a subscriber is dropped for not reading, not for being sent an event while it is
 * still writing the one before (issue: a reader that keeps up was dropped as too slow).
 */
class SlowSubscriberTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");
    private static final long BOUND = 64 * 1024;
    private static final String EVENT_60K = "x".repeat(60 * 1024);

    private final ManualClock clock = new ManualClock();
    private final Broker broker = Broker.builder().subscriberBuffer(BOUND).clock(clock)
            .deliveryExecutor(Runnable::run).manualMaintenance().build();

    @AfterEach
    void close() {
        broker.close(Duration.ZERO);
    }

    /** An adapter whose writes complete only when the test says: one write in flight at a time. */
    private static final class Writer implements Flow.Subscriber<Chunk> {
        Flow.Subscription subscription;
        final List<Chunk> inFlight = new ArrayList<>();
        int events;
        Throwable error;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(Chunk chunk) {
            inFlight.add(chunk);
        }

        /** The socket took the chunk in flight: count it and ask for the next. */
        void completeWrite() {
            Chunk c = inFlight.remove(0);
            events += c.events();
            subscription.request(1);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {
        }
    }

    private Writer subscribe() {
        Writer w = new Writer();
        broker.subscribe(TOPIC, null, w);
        w.completeWrite(); // the opening comment
        return w;
    }

    @Test
    void aReaderTwoLargeEventsBehindWhileItsWriteIsInFlightIsNotDropped() {
        Writer reader = subscribe();
        broker.publish(TOPIC, Event.of(EVENT_60K)); // handed over: in flight
        broker.publish(TOPIC, Event.of(EVENT_60K)); // waits
        broker.publish(TOPIC, Event.of(EVENT_60K)); // waits: 120 KiB behind the write, over the 64 KiB bound

        assertThat(reader.error).isNull();
        reader.completeWrite();
        reader.completeWrite();
        reader.completeWrite();
        assertThat(reader.events).isEqualTo(3);
        assertThat(broker.stats().dropped()).isZero();
    }

    @Test
    void aReaderOverTheBoundWhoseWriteMakesNoProgressForTheStallTimeIsDroppedAtTheNextPublish() {
        Writer reader = subscribe();
        broker.publish(TOPIC, Event.of(EVENT_60K));
        broker.publish(TOPIC, Event.of(EVENT_60K));
        broker.publish(TOPIC, Event.of(EVENT_60K));
        clock.advance(Duration.ofMillis(FanOut.STALL_MILLIS + 1));

        broker.publish(TOPIC, Event.of("more"));

        assertThat(reader.error).isInstanceOf(SubscriberTooSlowException.class);
        assertThat(broker.stats().dropped()).isEqualTo(1);
    }

    @Test
    void theMaintenancePassDropsAStalledReaderOverTheBoundWithoutAnotherPublish() {
        Writer reader = subscribe();
        for (int i = 0; i < 3; i++) {
            broker.publish(TOPIC, Event.of(EVENT_60K));
        }
        broker.maintain();
        assertThat(reader.error).isNull();
        clock.advance(Duration.ofMillis(FanOut.STALL_MILLIS + 1));

        broker.maintain();

        assertThat(reader.error).isInstanceOf(SubscriberTooSlowException.class);
    }

    @Test
    void aStalledReaderWithinTheBoundIsKept() {
        Writer reader = subscribe();
        broker.publish(TOPIC, Event.of("small"));
        clock.advance(Duration.ofMinutes(5));

        broker.publish(TOPIC, Event.of("small"));
        broker.maintain();

        assertThat(reader.error).isNull();
    }

    @Test
    void aReaderWithDemandOutstandingIsNeverStalledHoweverLongAgoItLastWrote() {
        Writer reader = subscribe();
        clock.advance(Duration.ofMinutes(5));

        for (int i = 0; i < 3; i++) {
            broker.publish(TOPIC, Event.of(EVENT_60K));
        }

        assertThat(reader.error).isNull();
        assertThat(reader.inFlight).hasSize(1);
    }

    @Test
    void aReaderFarBehindIsKeptWhileItsWritesMakeProgress() {
        Writer reader = subscribe();
        // A write completes every 1.5 s (within the 2 s), an event is published every 0.5 s.
        for (int i = 0; i < 40; i++) {
            broker.publish(TOPIC, Event.of(EVENT_60K));
            clock.advance(Duration.ofMillis(FanOut.STALL_MILLIS / 4));
            if (i % 3 == 0) {
                reader.completeWrite();
            }
        }
        broker.maintain();

        assertThat(reader.error).as("about 26 events behind, but writing").isNull();
        assertThat(reader.events).isEqualTo(14);
    }

    @Test
    void aReaderThatStopsReadingIsDroppedWithTheReasonInItsError() {
        Writer reader = subscribe();
        for (int i = 0; i < 3; i++) {
            broker.publish(TOPIC, Event.of(EVENT_60K));
        }
        clock.advance(Duration.ofMillis(FanOut.STALL_MILLIS + 1));
        broker.maintain();

        assertThat(reader.error).isInstanceOf(SubscriberTooSlowException.class)
                .hasMessageContaining("without reading").hasMessageContaining("subscriber-buffer");
    }
}
