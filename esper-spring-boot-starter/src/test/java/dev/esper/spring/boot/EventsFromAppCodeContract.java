package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.broker.Broker;
import dev.esper.event.Event;
import dev.esper.servlet.EsperServlet;
import dev.esper.testsupport.RawHttp;
import dev.esper.topic.TopicId;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Import;
import org.springframework.stereotype.Service;

/**
 * An application with the starter and no esper property: its code publishes through the {@link Broker} bean
 * and a real HTTP subscriber of the servlet at {@code /esper/*} receives it; HTTP publishes work too.
 */
@SpringBootTest(classes = EventsFromAppCodeContract.App.class, webEnvironment = WebEnvironment.RANDOM_PORT)
abstract class EventsFromAppCodeContract extends WebContract {
    /** Application code that publishes in-process. */
    @Service
    static class Greeter {
        private final Broker broker;

        Greeter(Broker broker) {
            this.broker = broker;
        }

        void greet(String name) {
            broker.publish(TopicId.of("greetings1"), Event.of("hello " + name).withName("greeting"));
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import(Greeter.class)
    static class App {
    }

    @Autowired
    Greeter greeter;

    @Autowired
    Broker broker;

    @Autowired
    ServletRegistrationBean<EsperServlet> registration;

    @Test
    void aSubscriberReceivesWhatApplicationCodePublishesThroughTheBrokerBean() throws Exception {
        try (RawHttp stream = Http.get(port, "/esper/subscribe/greetings1")) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.header("Content-Type")).startsWith("text/event-stream");
            stream.awaitBody(":ok", Duration.ofSeconds(5));

            greeter.greet("ann");

            assertThat(stream.awaitBody("data: hello ann\n\n", Duration.ofSeconds(5)))
                    .containsPattern("id: \\d+\nevent: greeting\ndata: hello ann\n\n");
        }
    }

    @Test
    void aPublishOverHttpReachesASubscriberWhateverItsContentType() throws Exception {
        try (RawHttp stream = Http.get(port, "/esper/subscribe/curlstyle1")) {
            stream.awaitBody(":ok", Duration.ofSeconds(5));
            // curl -d sends a form content type: no filter of the application may read it as form parameters.
            try (RawHttp publish = Http.post(port, "/esper/publish/curlstyle1",
                    "event: testing\ndata: {\"some\":\"data\"}", "Content-Type: application/x-www-form-urlencoded")) {
                assertThat(publish.status()).isEqualTo(200);
                assertThat(publish.readBody()).matches("\\{\"published\":1,\"ids\":\\[\"\\d+\"],\"subscribers\":1}");
            }
            stream.awaitBody("event: testing\ndata: {\"some\":\"data\"}\n\n", Duration.ofSeconds(5));
        }
    }

    @Test
    void aClientThatLeavesIsNoticedAtOnceNotAtTheNextHeartbeat() throws Exception {
        int before = broker.stats().clients();
        RawHttp stream = Http.get(port, "/esper/subscribe/leaving12");
        stream.awaitBody(":ok", Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(5)).until(() -> broker.stats().clients() == before + 1);

        stream.close();

        await("the subscriber counted gone well before the 15 s heartbeat").atMost(Duration.ofSeconds(3))
                .until(() -> broker.stats().clients() == before);
    }

    @Test
    void theServletIsAsyncAtTheDefaultPathAndLoadedAtStartUp() {
        assertThat(registration.getServletName()).isEqualTo("esper");
        assertThat(registration.getUrlMappings()).containsExactly("/esper/*");
        assertThat(registration.isAsyncSupported()).isTrue();
        assertThat(registration.getServlet().broker()).isSameAs(broker);
    }
}
