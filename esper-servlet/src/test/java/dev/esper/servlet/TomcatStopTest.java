package dev.esper.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.testsupport.StreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Stopping Tomcat with streams open, as an app does on shutdown: Tomcat finds no thread of esper's that its web
 * application started and left running ("appears to have started a thread named [esper-delivery-1] but has
 * failed to stop it. This is very likely to create a memory leak"). esper's threads are made lazily, on
 * request threads, so they would otherwise carry the application's class loader.
 */
class TomcatStopTest {
    @Test
    void stoppingTomcatWithOpenStreamsReportsNoLeakedThread() throws Exception {
        try (LogCapture log = LogCapture.start()) {
            for (boolean declarative : new boolean[] {false, true}) {
                Broker broker = Broker.builder().build();
                TomcatContainer tomcat = new TomcatContainer();
                try {
                    EsperServlet servlet = declarative ? new EsperServlet()
                            : new EsperServlet(broker, EsperConfig.builder().build());
                    int port = tomcat.mount("", Map.of("/*", servlet), Map.of());
                    try (StreamReader a = StreamReader.reading(port, "/subscribe/stoptopic1");
                            StreamReader b = StreamReader.reading(port, "/subscribe/stoptopic1")) {
                        await().atMost(Duration.ofSeconds(5)).until(() -> servlet.broker().stats().clients() == 2);
                        // Through Tomcat: the broker's delivery threads start on a request thread.
                        HttpResponse<String> published = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                URI.create("http://127.0.0.1:" + port + "/publish/stoptopic1"))
                                .POST(HttpRequest.BodyPublishers.ofString("data: before the stop")).build(),
                                HttpResponse.BodyHandlers.ofString());
                        assertThat(published.statusCode()).isEqualTo(200);
                        await().atMost(Duration.ofSeconds(5)).until(() -> a.events() == 1 && b.events() == 1);
                        tomcat.close();
                    }
                } finally {
                    tomcat.close();
                    broker.close();
                }
            }
            // (Tomcat may name one of its own connector threads, caught finishing a stream as it stops.)
            assertThat(log.text()).contains("Stopping service [Tomcat]")
                    .doesNotContain("started a thread named [esper");
        }
    }
}
