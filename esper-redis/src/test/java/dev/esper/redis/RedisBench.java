package dev.esper.redis;

import dev.esper.broker.Broker;
import dev.esper.broker.Chunk;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import dev.esper.testsupport.RedisServerFixture;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.LongAdder;

/**
 * Fan-out throughput and publish latency, one node alone vs two nodes on Redis (a real redis-server on
 * loopback, started here). Not a test: run it by hand,
 * {@code mvn -B -q -pl esper-redis test-compile exec:java -Dexec.classpathScope=test -Dexec.mainClass=dev.esper.redis.RedisBench}.
 * Arguments: subscribers (default 1000), events (default 20000).
 */
public final class RedisBench {
    private static final TopicId TOPIC = TopicId.of("benchTopic1");

    private RedisBench() {
    }

    /** A subscriber that only counts the events it is handed. */
    private static final class Counter implements Flow.Subscriber<Chunk> {
        final LongAdder events;

        Counter(LongAdder events) {
            this.events = events;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Chunk c) {
            events.add(c.events());
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onComplete() {
        }
    }

    /**
     * Runs the benchmark.
     *
     * @param args subscribers, events
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        int subscribers = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        try (RedisServerFixture redis = RedisServerFixture.start(false)) {
            for (int round = 0; round < 2; round++) {
                boolean report = round == 1;
                run("one node, local transport", List.of(broker(null, null)), subscribers, events, report);
                String prefix = "bench" + round;
                run("two nodes on Redis", List.of(broker(redis.uri(), prefix), broker(redis.uri(), prefix)),
                        subscribers, events, report);
            }
        }
    }

    private static Broker broker(String redisUri, String prefix) {
        Broker.Builder b = Broker.builder().heartbeat(Duration.ZERO).subscriberBuffer(Long.MAX_VALUE / 4)
                .deliveryThreads(2);
        if (redisUri != null) {
            b.transport(RedisTransport.builder(redisUri).keyPrefix(prefix).build());
        }
        return b.build();
    }

    private static void run(String name, List<Broker> nodes, int subscribers, int events, boolean report)
            throws InterruptedException {
        LongAdder received = new LongAdder();
        for (int i = 0; i < subscribers; i++) {
            nodes.get(i % nodes.size()).subscribe(TOPIC, null, new Counter(received));
        }
        long[] latency = new long[events];
        Broker publisher = nodes.get(0);
        long start = System.nanoTime();
        for (int i = 0; i < events; i++) {
            long t0 = System.nanoTime();
            publisher.publish(TOPIC, Event.of("event number " + i + " with a payload of a few dozen bytes"));
            latency[i] = System.nanoTime() - t0;
        }
        long published = System.nanoTime();
        long expected = (long) subscribers * events;
        while (received.sum() < expected && System.nanoTime() - published < 60_000_000_000L) {
            Thread.sleep(5);
        }
        long end = System.nanoTime();
        for (Broker b : nodes) {
            b.close(Duration.ZERO);
        }
        if (!report) {
            return;
        }
        Arrays.sort(latency);
        double secs = (end - start) / 1e9;
        System.out.printf("%-28s %5d subscribers, %6d events: publish %8.0f events/s, fan-out %,12.0f deliveries/s"
                        + " (%s of %,d), publish latency p50 %6.1f us, p99 %7.1f us, max %8.1f us%n",
                name, subscribers, events, events / ((published - start) / 1e9), received.sum() / secs,
                received.sum() == expected ? "all" : "ONLY " + received.sum(), expected,
                latency[events / 2] / 1e3, latency[(int) (events * 0.99)] / 1e3, latency[events - 1] / 1e3);
    }
}
