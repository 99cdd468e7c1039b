package dev.esper.examples.cluster;

import dev.esper.broker.Broker;
import dev.esper.broker.PublishResult;
import dev.esper.config.EsperConfig;
import dev.esper.event.Event;
import dev.esper.redis.RedisTransport;
import dev.esper.topic.TopicId;

/**
 * An embedded broker that is one node of a cluster joined through Redis: what it publishes reaches the
 * topic's subscribers on every node.
 *
 * <pre>
 * redis-server --port 6379 &amp;
 * java -cp ... dev.esper.examples.cluster.ClusteredBroker
 * </pre>
 */
public final class ClusteredBroker {
    private ClusteredBroker() {
    }

    /**
     * Publishes one event through Redis and prints its id.
     *
     * @param args not used
     */
    public static void main(String[] args) {
        // snippet:redis-broker
        EsperConfig config = EsperConfig.builder().redis("redis://127.0.0.1:6379").build();
        Broker broker = Broker.builder()
                .config(config)
                .transport(RedisTransport.builder("redis://127.0.0.1:6379").config(config).build())
                .build();
        // end-snippet:redis-broker
        try (broker) {
            PublishResult published = broker.publish(TopicId.of("abcdef123"), Event.of("hello from this node"));
            System.out.println("published through Redis: " + published);
        }
    }
}
