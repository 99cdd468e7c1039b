package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.broker.Broker;
import dev.esper.event.Event;
import dev.esper.testsupport.RawHttp;
import dev.esper.topic.TopicId;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closing the application with open streams (Spring Boot shuts its web server down gracefully, waiting up to
 * 30 s for requests in progress): the broker closes first, so every stream gets what was published and ends at
 * once, and the shutdown does not wait for them.
 */
abstract class ShutdownContract {
    /** {@code "Tomcat"} or {@code "Jetty"}, from the concrete class's name. */
    String container() {
        return getClass().getSimpleName().startsWith("Jetty") ? "Jetty" : "Tomcat";
    }

    @Test
    void closingTheApplicationEndsOpenStreamsAtOnceWithWhatWasPublished() throws Exception {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(EventsFromAppCodeContract.App.class)
                .properties("server.port=0").run();
        RawHttp stream;
        try {
            assertThat(((WebServerApplicationContext) app).getWebServer().getClass().getSimpleName())
                    .startsWith(container());
            int port = ((WebServerApplicationContext) app).getWebServer().getPort();
            stream = Http.get(port, "/esper/subscribe/closing12");
            stream.awaitBody(":ok\n\n", Duration.ofSeconds(5));
            app.getBean(Broker.class).publish(TopicId.of("closing12"), Event.of("last words"));
        } catch (Exception | AssertionError e) {
            app.close();
            throw e;
        }

        long start = System.nanoTime();
        app.close();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        try (stream) {
            assertThat(stream.awaitEnd(Duration.ofSeconds(5))).as("the stream ended").isTrue();
            assertThat(stream.bodySoFar()).contains("data: last words\n\n");
        }
        assertThat(took).as("shutdown time").isLessThan(Duration.ofSeconds(10));
    }
}
