package dev.esper.examples.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.testing.EsperTestServer;
import dev.esper.testing.SseEvent;
import dev.esper.testing.SseTestClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The test helpers without the JUnit extension: start and close the server yourself. */
class EsperTestServerTest {
    @Test
    void aServerStartedByHandDeliversWhatIsPublished() {
        // snippet:without-junit
        try (EsperTestServer esper = EsperTestServer.start()) {
            SseTestClient client = esper.subscribe("abcdef123");
            esper.publish("abcdef123", "data: hello");
            SseEvent hello = client.awaitEvent(Duration.ofSeconds(5));
            assertThat(hello.data()).isEqualTo("hello");
        }
        // end-snippet:without-junit
    }
}
