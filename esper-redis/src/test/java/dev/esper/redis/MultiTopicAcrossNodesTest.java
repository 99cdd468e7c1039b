package dev.esper.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.event.Event;
import dev.esper.testsupport.RedisServerFixture;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 8 and 8.1 across nodes: a stream of several topics on one node, cut, resumed on another node with the last
 * event id, against a real redis-server. The cursor is made of Redis' sequence numbers, so it means the same on
 * every node.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MultiTopicAcrossNodesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private RedisServerFixture redis;
    private final List<Broker> nodes = new ArrayList<>();

    @BeforeEach
    void startRedis() {
        redis = RedisServerFixture.start(true);
    }

    @AfterEach
    void stopAll() {
        nodes.forEach(b -> b.close(Duration.ZERO));
        redis.close();
    }

    private Broker node(int historySize) {
        EsperConfig config = EsperConfig.builder().historySize(historySize).build();
        Broker b = Broker.builder().config(config).heartbeat(Duration.ZERO)
                .transport(RedisTransport.builder(redis.uri()).config(config).build()).build();
        nodes.add(b);
        return b;
    }

    private static List<TopicId> eightTopics() {
        List<TopicId> out = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            out.add(TopicId.of("across" + i + "topic"));
        }
        return out;
    }

    private static Collector subscribe(Broker node, List<TopicId> topics, String lastEventId) {
        Collector c = new Collector();
        node.subscribe(topics, lastEventId, c);
        return c;
    }

    /** Per topic, the data of the events received (each event's data is {@code <topic>#<n>}). */
    private static Map<String, List<String>> byTopic(List<TopicId> topics, List<String> data) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        topics.forEach(t -> out.put(t.value(), new ArrayList<>()));
        for (String d : data) {
            out.get(d.substring(0, d.indexOf('#'))).add(d);
        }
        return out;
    }

    @Test
    void eightTopicsCutOnOneNodeResumeOnAnotherExactlyWhilePublishingGoesOnAtVeryDifferentRates() throws Exception {
        Broker a = node(5_000);
        Broker b = node(5_000);
        Broker publisherNode = node(5_000);
        List<TopicId> topics = eightTopics();
        Map<String, List<String>> published = new LinkedHashMap<>();
        topics.forEach(t -> published.put(t.value(), new ArrayList<>()));
        Collector first = subscribe(a, topics, null);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger round = new AtomicInteger();
        Thread publisher = new Thread(() -> {
            while (!stop.get() && round.get() < 2_000) {
                int r = round.incrementAndGet();
                for (int k = 0; k < topics.size(); k++) {
                    // Topic 0 every round, topic k every 2^k rounds: rates 128 times apart; topic 7 maybe never.
                    if (r % (1 << k) == 0) {
                        String data = topics.get(k).value() + "#" + r;
                        synchronized (published) {
                            published.get(topics.get(k).value()).add(data);
                        }
                        publisherNode.publish(topics.get(k), Event.of(data));
                    }
                }
            }
        }, "test-publisher");
        publisher.start();
        await().atMost(WAIT).until(() -> first.data().size() >= 40);
        first.subscription.cancel();
        // What the client has when its stream is gone: one snapshot for its events and its last id.
        String snapshot = first.text();
        List<String> had = Collector.field(snapshot, "data: ", false);
        List<String> ids = Collector.field(snapshot, "id: ", false);
        String lastId = ids.get(ids.size() - 1);
        await().atMost(WAIT).until(() -> round.get() > 150);

        Collector resumed = subscribe(b, topics, lastId);
        await().atMost(WAIT).until(() -> round.get() > 250);
        stop.set(true);
        publisher.join(20_000);

        Map<String, List<String>> expected;
        synchronized (published) {
            expected = new LinkedHashMap<>(published);
        }
        int total = expected.values().stream().mapToInt(List::size).sum();
        await().atMost(WAIT).until(() -> had.size() + resumed.data().size() >= total);
        Map<String, List<String>> before = byTopic(topics, had);
        Map<String, List<String>> after = byTopic(topics, resumed.data());
        for (TopicId t : topics) {
            List<String> both = new ArrayList<>(before.get(t.value()));
            both.addAll(after.get(t.value()));
            assertThat(both).as(t.value()).containsExactlyElementsOf(expected.get(t.value()));
        }
        assertThat(resumed.gaps()).isEmpty();
        assertThat(resumed.ids()).allMatch(id -> id.startsWith("across") && id.contains(":1"));
    }

    @Test
    void aTopicRedisNoLongerRetainsWhatWasMissedIsNamedInAGapOnTheOtherNodeAndOnlyIt() {
        Broker a = node(3);
        Broker b = node(3);
        List<TopicId> topics = eightTopics();
        Collector first = subscribe(a, topics, null);
        for (TopicId t : topics) {
            a.publish(t, Event.of(t.value() + "#0"));
        }
        await().atMost(WAIT).until(() -> first.data().size() == 8);
        String lastId = first.ids().get(7);
        first.subscription.cancel();
        for (int i = 1; i <= 5; i++) {
            a.publish(topics.get(2), Event.of(topics.get(2).value() + "#" + i));
        }
        a.publish(topics.get(5), Event.of(topics.get(5).value() + "#1"));

        Collector resumed = subscribe(b, topics, lastId);

        await().atMost(WAIT).until(() -> resumed.data().size() == 4);
        assertThat(resumed.gaps()).containsExactly("{\"topics\":[\"across2topic\"]}");
        assertThat(resumed.data()).containsExactlyInAnyOrder("across2topic#3", "across2topic#4", "across2topic#5",
                "across5topic#1");
    }

    @Test
    void aCompleteResumeOnAnotherNodeHasNoGapEvenForTopicsNothingWasEverPublishedTo() {
        Broker a = node(100);
        Broker b = node(100);
        List<TopicId> topics = eightTopics();
        Collector first = subscribe(a, topics, null);
        a.publish(topics.get(0), Event.of(topics.get(0).value() + "#1"));
        await().atMost(WAIT).until(() -> first.data().size() == 1);
        String lastId = first.ids().get(0);
        first.subscription.cancel();
        b.publish(topics.get(1), Event.of(topics.get(1).value() + "#1"));

        Collector resumed = subscribe(b, topics, lastId);
        a.publish(topics.get(7), Event.of(topics.get(7).value() + "#live"));

        await().atMost(WAIT).until(() -> resumed.data().size() == 2);
        assertThat(resumed.data()).containsExactly("across1topic#1", "across7topic#live");
        assertThat(resumed.gaps()).isEmpty();
    }
}
