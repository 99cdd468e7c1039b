package dev.esper.examples.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The metrics example of docs/operations.md runs and prints esper's meters and its readiness. */
class BrokerMetricsTest {
    @Test
    void printsTheScrapeAndTheReadiness() {
        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            BrokerMetrics.main(new String[0]);
        } finally {
            System.setOut(out);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("# TYPE esper_subscribers gauge")
                .contains("esper_published_events_total 0.0").contains("ready: true");
    }
}
