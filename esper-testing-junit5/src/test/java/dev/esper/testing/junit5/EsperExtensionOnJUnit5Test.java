package dev.esper.testing.junit5;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.testing.EsperExtension;
import dev.esper.testing.SseEvent;
import dev.esper.testing.SseTestClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.commons.util.ReflectionUtils;

/** The test helpers on the JUnit 5 an app already has: discovered, started and used as on JUnit 6. */
class EsperExtensionOnJUnit5Test {
    @RegisterExtension
    static EsperExtension esper = EsperExtension.withDefaults();

    @Test
    void runsOnJUnit5() {
        assertThat(ReflectionUtils.class.getPackage().getImplementationVersion()).startsWith("1.14.");
        assertThat(Test.class.getPackage().getImplementationVersion()).startsWith("5.14.");
    }

    @Test
    void deliversWhatIsPublishedAfterSubscribeReturns() {
        SseTestClient events = esper.subscribe("junit5app1");
        esper.publish("junit5app1", "event: hello\ndata: from junit 5");
        SseEvent event = events.awaitEvent(Duration.ofSeconds(10));
        assertThat(event.event()).isEqualTo("hello");
        assertThat(event.data()).isEqualTo("from junit 5");
    }
}
