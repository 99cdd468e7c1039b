package dev.esper.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.broker.Broker;
import dev.esper.broker.PublishResult;
import dev.esper.broker.Transport;
import dev.esper.config.EsperConfig;
import dev.esper.event.Event;
import dev.esper.testsupport.ApiFixture;
import dev.esper.testsupport.RawHttp;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * On Tomcat a stream takes its connection over ({@link TomcatHandOver}), so that Tomcat keeps no asynchronous
 * request (and no processor with its buffers) for it; the behaviour suites check the bytes on the wire, this the
 * path taken.
 */
class TomcatHandOverTest {
    private static final String TOPIC = "handover01";

    private ApiFixture server;
    private TomcatContainer tomcat;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void anOpenStreamLeavesTomcatNoAsynchronousRequest() throws Exception {
        start(new TomcatContainer(), Broker.builder());

        assertDeliveredAndEnded(0);
    }

    @Test
    void aStreamBehindAFilterThatWrapsTheRequestTakesItsConnectionOverToo() throws Exception {
        start(new TomcatContainer().wrappingRequests(), Broker.builder());

        assertDeliveredAndEnded(0);
    }

    @Test
    void aStreamThatOpensAfterTheDispatchStaysAnAsynchronousRequest() throws Exception {
        start(new TomcatContainer(), Broker.builder().transport(new FollowsLater()));

        assertDeliveredAndEnded(1);
    }

    private void start(TomcatContainer container, Broker.Builder broker) throws Exception {
        tomcat = container;
        server = ApiFixture.start(container, broker.build(), EsperConfig.builder().build());
    }

    /** One stream: Tomcat holds {@code asynchronous} async requests for it; it gets an event; a gone client ends it. */
    private void assertDeliveredAndEnded(int asynchronous) throws Exception {
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);

        await().atMost(Duration.ofSeconds(5)).until(() -> tomcat.asynchronousRequests() == asynchronous);
        assertThat(server.publish(TOPIC, "data: over").statusCode()).isEqualTo(200);
        assertThat(stream.awaitBody("data: over\n\n", Duration.ofSeconds(5))).startsWith(":ok\n\nid: ")
                .endsWith("\ndata: over\n\n");

        stream.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.clients() == 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> tomcat.asynchronousRequests() == 0);
    }

    /** The local transport, except that a first subscriber waits a moment, on another thread, for the topic. */
    static final class FollowsLater implements Transport {
        private final Transport local = Transport.local();

        @Override
        public void start(Sink sink) {
            local.start(sink);
        }

        @Override
        public CompletionStage<PublishResult> publish(TopicId topic, List<Event> events) {
            return local.publish(topic, events);
        }

        @Override
        public CompletionStage<Void> beforeSubscribe(TopicId topic) {
            return CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS));
        }
    }
}
