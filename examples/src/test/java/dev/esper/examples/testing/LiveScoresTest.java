package dev.esper.examples.testing;

// snippet:live-scores
import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.testing.EsperExtension;
import dev.esper.testing.SseEvent;
import dev.esper.testing.SseTestClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LiveScoresTest {
    @RegisterExtension
    static EsperExtension esper = EsperExtension.withDefaults();

    @Test
    void subscribersSeeTheGoal() {
        SseTestClient scores = esper.subscribe("match2026final");   // returns once the stream is open
        esper.publish("match2026final", "event: score\ndata: {\"home\":1,\"away\":0}");

        SseEvent e = scores.awaitEvent(Duration.ofSeconds(5));
        assertThat(e.event()).isEqualTo("score");
        assertThat(e.data()).isEqualTo("{\"home\":1,\"away\":0}");
    }

    @Test
    void aLateSubscriberResumesFromTheLastEventItSaw() {
        SseTestClient early = esper.subscribe("match2026semi");
        esper.publish("match2026semi", "event: score\ndata: {\"home\":1,\"away\":0}");
        String seen = early.awaitEvent(Duration.ofSeconds(5)).id();
        early.close();
        esper.publish("match2026semi", "event: score\ndata: {\"home\":2,\"away\":0}");

        SseTestClient again = esper.subscribe("match2026semi", seen);   // sends Last-Event-ID

        assertThat(again.awaitEvent(Duration.ofSeconds(5)).data()).isEqualTo("{\"home\":2,\"away\":0}");
    }
}
// end-snippet:live-scores
