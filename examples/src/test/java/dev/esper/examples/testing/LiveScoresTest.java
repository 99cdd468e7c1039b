package dev.esper.examples.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.testing.EsperExtension;
import dev.esper.testing.SseEvent;
import dev.esper.testing.SseTestClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How a user tests code that publishes to esper: start a real esper in one line, point the code under
 * test at {@code esper.baseUri()}, and read what subscribers receive.
 */
class LiveScoresTest {
    @RegisterExtension
    static EsperExtension esper = EsperExtension.withDefaults();

    /** The code under test: publishes a score change as one SSE event. */
    static void announceGoal(EsperExtension esper, String match, int home, int away) {
        esper.publish(match, "event: score\ndata: {\"home\":" + home + ",\"away\":" + away + "}");
    }

    @Test
    void subscribersSeeEveryGoalInOrder() {
        SseTestClient scores = esper.subscribe("match2026final");

        announceGoal(esper, "match2026final", 1, 0);
        announceGoal(esper, "match2026final", 1, 1);

        List<SseEvent> events = scores.awaitEvents(2, Duration.ofSeconds(5));
        assertThat(events).extracting(SseEvent::event).containsOnly("score");
        assertThat(events).extracting(SseEvent::data)
                .containsExactly("{\"home\":1,\"away\":0}", "{\"home\":1,\"away\":1}");
    }

    @Test
    void aLateSubscriberResumesFromTheLastEventItSaw() {
        SseTestClient early = esper.subscribe("match2026semi");
        announceGoal(esper, "match2026semi", 1, 0);
        String seen = early.awaitEvent(Duration.ofSeconds(5)).id();
        early.close();
        announceGoal(esper, "match2026semi", 2, 0);

        SseTestClient again = esper.subscribe("match2026semi", seen);

        assertThat(again.awaitEvent(Duration.ofSeconds(5)).data()).isEqualTo("{\"home\":2,\"away\":0}");
    }
}
