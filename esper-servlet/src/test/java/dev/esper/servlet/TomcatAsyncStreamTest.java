package dev.esper.servlet;

import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.testsupport.ApiFixture;

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
        return super.open(broker.transport(new TomcatHandOverTest.FollowsLater()));
    }

    @Override
    protected ApiFixture withConfig(Broker.Builder broker, EsperConfig.Builder config) throws Exception {
        return super.withConfig(broker.transport(new TomcatHandOverTest.FollowsLater()), config);
    }
}
