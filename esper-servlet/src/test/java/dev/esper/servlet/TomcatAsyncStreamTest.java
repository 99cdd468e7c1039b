package dev.esper.servlet;

import dev.esper.broker.Broker;
import dev.esper.broker.PublishResult;
import dev.esper.broker.Transport;
import dev.esper.config.EsperConfig;
import dev.esper.event.Event;
import dev.esper.testsupport.ApiFixture;
import dev.esper.topic.TopicId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The behaviour suite on Tomcat when a stream opens after the container's dispatch has returned, as with a
 * cross-node transport that must first follow the topic: such a stream cannot take its connection over
 * ({@link TomcatHandOver}), so it stays an asynchronous request, watched by {@link TomcatDisconnectWatch}.
 */
class TomcatAsyncStreamTest extends ServletContract {
    @Override
    protected ServletContainer frontEnd() {
        return new TomcatContainer(TomcatConnectorSettings.forStreams(1_000));
    }

    @Override
    protected ApiFixture open(Broker.Builder broker) throws Exception {
        return super.open(broker.transport(new FollowsLater()));
    }

    @Override
    protected ApiFixture withConfig(Broker.Builder broker, EsperConfig.Builder config) throws Exception {
        return super.withConfig(broker.transport(new FollowsLater()), config);
    }

    /** The local transport, except that a first subscriber waits a moment, on another thread, for the topic. */
    private static final class FollowsLater implements Transport {
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
