package dev.esper.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.esper.broker.Broker;
import dev.esper.broker.CapacityExceededException;
import dev.esper.broker.PublishResult;
import dev.esper.broker.TransportProvider;
import dev.esper.config.EsperConfig;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import dev.esper.testsupport.RedisServerFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several brokers in one JVM, each on its own {@link RedisTransport}, against a real redis-server. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisTransportTest {
    private static final TopicId TOPIC = TopicId.of("clusterTopic1");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private RedisServerFixture redis;
    private final List<Broker> nodes = new ArrayList<>();
    private final Map<Broker, RedisTransport> transports = new HashMap<>();

    @BeforeEach
    void startRedis() {
        redis = RedisServerFixture.start(true);
    }

    @AfterEach
    void stopAll() {
        for (Broker b : nodes) {
            b.close(Duration.ZERO);
        }
        redis.close();
    }

    private Broker node() {
        return node(RedisTransport.builder(redis.uri()));
    }

    private Broker node(RedisTransport.Builder transport) {
        return node(transport.build(), Broker.builder());
    }

    /** A node retaining {@code historySize} events per topic, locally and in Redis. */
    private Broker node(RedisTransport.Builder transport, int historySize) {
        EsperConfig config = EsperConfig.builder().historySize(historySize).build();
        return node(transport.config(config).build(), Broker.builder().config(config));
    }

    private Broker node(RedisTransport t, Broker.Builder broker) {
        Broker b = broker.transport(t).heartbeat(Duration.ZERO).build();
        nodes.add(b);
        transports.put(b, t);
        return b;
    }

    private static Collector subscribe(Broker node, String lastEventId) {
        Collector c = new Collector();
        node.subscribe(TOPIC, lastEventId, c);
        return c;
    }

    private static List<String> numbered(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    private static void publishAll(Broker node, List<String> data) {
        for (String d : data) {
            node.publish(TOPIC, Event.of(d));
        }
    }

    @Test
    void everySubscriberOnEveryNodeGetsEveryEventOnceInOneOrder() throws Exception {
        Broker a = node();
        Broker b = node();
        Broker c = node();
        List<Collector> subs = List.of(subscribe(a, null), subscribe(a, null), subscribe(b, null), subscribe(c, null));

        ExecutorService publishers = Executors.newFixedThreadPool(3);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (Broker node : List.of(a, b, c)) {
                String name = node == a ? "a" : node == b ? "b" : "c";
                done.add(publishers.submit(() -> {
                    go.await();
                    for (int i = 0; i < 100; i++) {
                        node.publish(TOPIC, List.of(Event.of(name + i + "x"), Event.of(name + i + "y")));
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            publishers.shutdownNow();
        }

        await().atMost(WAIT).until(() -> subs.stream().allMatch(s -> s.data().size() >= 600));
        List<String> order = subs.get(0).data();
        assertThat(order).hasSize(600).doesNotHaveDuplicates();
        for (Collector s : subs) {
            assertThat(s.data()).isEqualTo(order);
            assertThat(s.ids()).isEqualTo(subs.get(0).ids());
        }
        for (String node : List.of("a", "b", "c")) {
            List<String> mine = order.stream().filter(d -> d.startsWith(node)).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                expected.add(node + i + "x");
                expected.add(node + i + "y");
            }
            assertThat(mine).isEqualTo(expected);
        }
        int x = order.indexOf("b7x");
        assertThat(order.get(x + 1)).as("a batch stays together").isEqualTo("b7y");
        List<Long> ids = subs.get(0).ids().stream().map(Long::parseLong).toList();
        assertThat(ids).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void idsAreAssignedInRedisDecimalAndIncreasingAndGivenIdsAreKept() {
        Broker a = node();
        Broker b = node();
        Collector sub = subscribe(a, null);

        PublishResult first = b.publish(TOPIC, List.of(Event.of("one"), Event.of("two").withId("mine")));
        PublishResult second = a.publish(TOPIC, Event.of("three"));

        assertThat(first.ids().get(1)).isEqualTo("mine");
        long one = Long.parseLong(first.ids().get(0));
        long three = Long.parseLong(second.ids().get(0));
        assertThat(three).isGreaterThan(one);
        assertThat(one).as("seeded from Redis' clock").isGreaterThan(System.currentTimeMillis() * 1000 - 60_000_000L);
        assertThat(second.subscribers()).isEqualTo(1);
        await().atMost(WAIT).until(() -> sub.ids().size() == 3);
        assertThat(sub.ids()).containsExactly(first.ids().get(0), "mine", second.ids().get(0));
    }

    @Test
    void aResumeOnAnotherNodeReplaysExactlyWhatWasMissedWhilePublishesGoOn() throws Exception {
        // Retention must cover everything published before the resume, however fast the publisher runs
        // (it is bounded below to 1,000 events).
        Broker a = node(RedisTransport.builder(redis.uri()), 2_000);
        Broker b = node(RedisTransport.builder(redis.uri()), 2_000);
        Broker c = node(RedisTransport.builder(redis.uri()), 2_000);
        Collector first = subscribe(a, null);
        publishAll(b, numbered("e", 1, 5));
        await().atMost(WAIT).until(() -> first.data().size() == 5);
        String last = first.ids().get(4);
        first.subscription.cancel();
        publishAll(b, numbered("e", 6, 10));

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger next = new AtomicInteger(11);
        Thread publisher = new Thread(() -> {
            while (!stop.get() && next.get() <= 1_000) {
                b.publish(TOPIC, Event.of("e" + next.getAndIncrement()));
            }
        });
        publisher.start();
        await().atMost(WAIT).until(() -> next.get() > 30);
        Collector resumed = subscribe(c, last);
        await().atMost(WAIT).until(() -> next.get() > 60);
        stop.set(true);
        publisher.join(10_000);
        int end = next.get() - 1;

        await().atMost(WAIT).until(() -> resumed.data().size() >= end - 5);
        assertThat(resumed.data()).isEqualTo(numbered("e", 6, end));
    }

    @Test
    void aResumeFromAnIdRedisNoLongerRetainsReplaysWhatItRetains() {
        Broker a = node(RedisTransport.builder(redis.uri()).config(EsperConfig.builder().historySize(3).build()));
        Broker b = node(RedisTransport.builder(redis.uri()).config(EsperConfig.builder().historySize(3).build()));
        publishAll(b, numbered("e", 1, 6));

        Collector resumed = subscribe(a, "unknown");

        await().atMost(WAIT).until(() -> resumed.data().size() == 3);
        assertThat(resumed.data()).containsExactly("e4", "e5", "e6");
        assertThat(resumed.gaps()).containsExactly("{\"topics\":[\"clustertopic1\"]}");
    }

    @Test
    void retainedEventsOlderThanTheHistoryTtlAreNotReplayed() {
        // Long enough that "new" cannot also expire between its publish and the resume on a loaded machine.
        Duration ttl = Duration.ofSeconds(3);
        Broker a = node(RedisTransport.builder(redis.uri()).config(EsperConfig.builder().historyTtl(ttl).build()));
        Broker b = node(RedisTransport.builder(redis.uri()).config(EsperConfig.builder().historyTtl(ttl).build()));
        publishAll(b, List.of("old"));

        await().atMost(WAIT).pollDelay(ttl.plusMillis(50)).until(() -> redis.command("EXISTS esper:{clustertopic1}:log"),
                r -> r.equals(":0"));
        publishAll(b, List.of("new"));
        Collector resumed = subscribe(a, "unknown");

        await().atMost(WAIT).until(() -> resumed.data().size() == 1);
        assertThat(resumed.data()).containsExactly("new");
    }

    @Test
    void aNodeFollowsOnlyTopicsItsSubscribersNeed() {
        Broker a = node();
        Broker b = node();
        RedisTransport ta = transportOf(a);
        b.publish(TopicId.of("nobodyListens"), Event.of("x"));
        assertThat(ta.status()).containsEntry("followed_topics", 0);
        assertThat(numsub("esper:nobodylistens")).isZero();

        Collector sub = subscribe(a, null);
        assertThat(ta.status()).containsEntry("followed_topics", 1);
        sub.subscription.cancel();

        assertThat(ta.status()).containsEntry("followed_topics", 0);
        await().atMost(WAIT).until(() -> numsub("esper:clustertopic1") == 0);
    }

    @Test
    void aPublishRedisDidNotAnswerInTimeIsSaidToHaveMaybeBeenPublished() {
        Broker b = node(RedisTransport.builder(redis.uri()).timeout(Duration.ofMillis(300)));
        subscribe(b, null);
        redis.command("CLIENT PAUSE 1500 WRITE");

        assertThatThrownBy(() -> b.publish(TOPIC, Event.of("slow")))
                .isInstanceOf(CapacityExceededException.class)
                .hasMessageContaining("may have been published")
                .hasMessageContaining("publishing it again may publish it twice");
    }

    @Test
    void aPublishRepeatedOnAnotherNodeWithItsIdempotencyKeyGetsTheFirstIdsAndPublishesNothing() {
        Broker a = node();
        Broker b = node();
        Collector sub = subscribe(a, null);

        PublishResult first = a.publishAsync(TOPIC, List.of(Event.of("once")), "order-42").toCompletableFuture()
                .join();
        PublishResult again = b.publishAsync(TOPIC, List.of(Event.of("once")), "order-42").toCompletableFuture()
                .join();
        b.publish(TOPIC, Event.of("marker"));

        assertThat(again.ids()).isEqualTo(first.ids());
        await().atMost(WAIT).until(() -> sub.data().contains("marker"));
        assertThat(sub.data()).containsExactly("once", "marker");
    }

    @Test
    void publishesGet503WhileRedisIsDownAndSubscribersResumeWhenItIsBack() {
        Broker a = node();
        Broker b = node();
        Collector sub = subscribe(a, null);
        publishAll(b, numbered("e", 1, 5));
        await().atMost(WAIT).until(() -> sub.data().size() == 5);

        redis.kill();
        await().atMost(WAIT).until(() -> !transportOf(b).isUp());
        assertThatThrownBy(() -> b.publish(TOPIC, Event.of("lost?")))
                .isInstanceOf(CapacityExceededException.class)
                .hasMessageContaining("not ordered")
                .hasMessageContaining("Redis at 127.0.0.1:" + redis.port());
        assertThatThrownBy(() -> b.subscribe(TopicId.of("notFollowedYet"), null, new Collector()))
                .isInstanceOf(CapacityExceededException.class);
        assertThatThrownBy(() -> b.subscribeAsync(TopicId.of("notFollowedYet2"), null, new Collector())
                .toCompletableFuture().join()).hasCauseInstanceOf(CapacityExceededException.class);
        assertThat(a.stats().toJson()).contains("\"state\":\"down\"");
        assertThat(b.health().isUp()).isFalse();
        assertThat(b.health().reason()).startsWith("Redis at 127.0.0.1:" + redis.port() + " is unreachable");
        assertThat(sub.open()).isTrue();

        redis.start();
        await().atMost(WAIT).until(() -> transportOf(a).isUp() && transportOf(b).isUp());
        assertThat(a.health().isUp()).isTrue();
        assertThat(b.health().isUp()).isTrue();
        await().atMost(WAIT).ignoreExceptions().until(() -> b.publish(TOPIC, Event.of("e6")) != null);
        publishAll(b, numbered("e", 7, 10));

        await().atMost(WAIT).until(() -> sub.data().size() >= 10);
        assertThat(sub.data()).isEqualTo(numbered("e", 1, 10));
        assertThat(sub.open()).isTrue();
        List<Long> ids = sub.ids().stream().map(Long::parseLong).toList();
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        assertThat(a.stats().toJson()).contains("\"state\":\"up\"").contains("\"disconnects\":");
        assertThat(transportOf(a).status().get("disconnects")).isNotEqualTo(0L);

        Collector resumed = subscribe(b, sub.ids().get(2));
        await().atMost(WAIT).until(() -> resumed.data().size() >= 7);
        assertThat(resumed.data()).as("history survived the restart (AOF)").isEqualTo(numbered("e", 4, 10));
    }

    @Test
    void eventsPublishedWhileOnlyThePubSubConnectionIsDownAreDeliveredAfterItReconnects() {
        Broker a = node();
        Broker b = node();
        Collector sub = subscribe(a, null);
        publishAll(b, numbered("e", 1, 3));
        await().atMost(WAIT).until(() -> sub.data().size() == 3);

        assertThat(redis.command("CLIENT KILL TYPE pubsub")).startsWith(":");
        publishAll(b, numbered("e", 4, 20));

        await().atMost(WAIT).until(() -> sub.data().size() >= 20);
        assertThat(sub.data()).isEqualTo(numbered("e", 1, 20));
        assertThat(sub.open()).isTrue();
    }

    @Test
    void aBrokerCannotStartWithoutRedis() {
        RedisTransport transport = RedisTransport.builder("redis://127.0.0.1:1").timeout(Duration.ofMillis(500)).build();

        assertThatThrownBy(() -> Broker.builder().transport(transport).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot connect to Redis at 127.0.0.1:1");
    }

    @Test
    void aConfigurationWithRedisFindsThisTransportThroughTheServiceLoader() {
        EsperConfig config = EsperConfig.builder().redis("redis://127.0.0.1:1").build();

        assertThat(TransportProvider.forConfig(config, getClass().getClassLoader()))
                .hasValueSatisfying(t -> assertThat(t).isInstanceOf(RedisTransport.class));
        assertThat(TransportProvider.forConfig(EsperConfig.defaults(), getClass().getClassLoader())).isEmpty();
    }

    @Test
    void theBuilderNamesTheBadValue() {
        assertThatThrownBy(() -> RedisTransport.builder("http://[bad").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redis://");
        assertThatThrownBy(() -> RedisTransport.builder(redis.uri()).keyPrefix("a b").build())
                .hasMessageContaining("key prefix");
        assertThatThrownBy(() -> RedisTransport.builder(redis.uri()).timeout(Duration.ZERO).build())
                .hasMessageContaining("timeout");
    }

    private long numsub(String channel) {
        // PUBSUB NUMSUB answers *2, $len, channel, :count; the fixture reads one line, so ask for a count.
        String r = redis.command("EVAL \"return redis.call('PUBSUB','NUMSUB',ARGV[1])[2]\" 0 " + channel);
        return Long.parseLong(r.substring(1));
    }

    private RedisTransport transportOf(Broker b) {
        return transports.get(b);
    }
}
