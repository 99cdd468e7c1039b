package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Hammers the broker from many threads with its real delivery pool. Bounded in time; no timing assertions. */
class BrokerConcurrencyTest {
    private static final int PUBLISHERS = 8;
    private static final int EVENTS_PER_PUBLISHER = 10_000;
    private static final int TOPICS = 4;
    private static final int SUBSCRIBERS = 200;

    private final ExecutorService pool = Executors.newCachedThreadPool();
    private Broker broker;

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
        if (broker != null) {
            broker.close(Duration.ZERO);
        }
    }

    @Test
    void everySubscriberGetsEveryEventOfItsTopicOnceInOneOrderWhilePublishersRace() throws Exception {
        broker = Broker.builder().deliveryThreads(2).subscriberBuffer(256L * 1024 * 1024)
                .historySize(0).build();
        List<TopicId> topics = new ArrayList<>();
        for (int t = 0; t < TOPICS; t++) {
            topics.add(TopicId.of("hammer" + t + "topic"));
        }
        int perTopic = PUBLISHERS * EVENTS_PER_PUBLISHER / TOPICS;
        List<IdCollector> collectors = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            IdCollector c = new IdCollector(perTopic, Integer.MAX_VALUE);
            collectors.add(c);
            broker.subscribe(topics.get(i % TOPICS), null, c);
        }
        List<Set<String>> publishedIds = newIdSets(TOPICS);

        List<Future<?>> publishers = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            int pub = p;
            publishers.add(pool.submit(() -> {
                for (int i = 0; i < EVENTS_PER_PUBLISHER; i++) {
                    int t = (pub + i) % TOPICS;
                    PublishResult r = broker.publish(topics.get(t), Event.of("p" + pub + "-" + i));
                    publishedIds.get(t).addAll(r.ids());
                }
                return null;
            }));
        }
        for (Future<?> f : publishers) {
            f.get(60, TimeUnit.SECONDS);
        }
        for (IdCollector c : collectors) {
            assertThat(c.done.await(60, TimeUnit.SECONDS)).as("subscriber finished in time").isTrue();
        }

        for (int t = 0; t < TOPICS; t++) {
            assertThat(publishedIds.get(t)).hasSize(perTopic);
            List<String> reference = null;
            for (int i = t; i < SUBSCRIBERS; i += TOPICS) {
                IdCollector c = collectors.get(i);
                List<String> got = c.ids();
                assertThat(c.error).isNull();
                assertThat(got).hasSize(perTopic);
                assertThat(new HashSet<>(got)).isEqualTo(publishedIds.get(t));
                assertThat(isStrictlyIncreasing(got)).as("ids in publish order").isTrue();
                if (reference == null) {
                    reference = got;
                } else {
                    assertThat(got).isEqualTo(reference);
                }
            }
        }
        assertThat(broker.stats().delivered()).isEqualTo((long) perTopic * SUBSCRIBERS);
        assertThat(broker.stats().dropped()).isZero();
    }

    @Test
    void subscribeAndCancelChurnDuringPublishingLeavesNoTrace() throws Exception {
        broker = Broker.builder().deliveryThreads(2).historySize(0).build();
        TopicId topic = TopicId.of("churntopic");
        AtomicBoolean publishing = new AtomicBoolean(true);
        Future<?> publisher = pool.submit(() -> {
            int i = 0;
            while (publishing.get()) {
                broker.publish(topic, Event.of("e" + i++));
            }
            return null;
        });
        List<IdCollector> all = Collections.synchronizedList(new ArrayList<>());
        List<Future<?>> churners = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            int churner = c;
            churners.add(pool.submit(() -> {
                for (int i = 0; i < 2_000; i++) {
                    IdCollector col = new IdCollector(Integer.MAX_VALUE, 1 + (i % 5));
                    TopicId t = i % 2 == 0 ? topic : TopicId.of("churn" + churner + "x" + (i % 50));
                    broker.subscribe(t, null, col);
                    all.add(col);
                    if (i % 3 == 0) {
                        col.cancelNow();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : churners) {
            f.get(60, TimeUnit.SECONDS);
        }
        publishing.set(false);
        publisher.get(10, TimeUnit.SECONDS);
        assertThat(broker.stats().clients()).isPositive();
        synchronized (all) {
            all.forEach(IdCollector::cancelNow);
        }

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(broker.stats().clients()).isZero();
            assertThat(broker.stats().topics()).isZero();
        });
    }

    @Test
    void resumingAgainAndAgainWhilePublishingLosesAndDuplicatesNothingAtTheSeam() throws Exception {
        broker = Broker.builder().deliveryThreads(2).historySize(100_000).build();
        TopicId topic = TopicId.of("resumetopic");
        int total = 20_000;
        List<String> published = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch started = new CountDownLatch(1);
        Future<?> publisher = pool.submit(() -> {
            for (int i = 0; i < total; i++) {
                published.addAll(broker.publish(topic, Event.of("e" + i)).ids());
                if (i == 100) {
                    started.countDown();
                }
            }
            return null;
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        List<String> received = new ArrayList<>();
        String last = published.get(0);
        received.add(last);
        while (received.size() < total) {
            IdCollector c = new IdCollector(total - received.size(), 97);
            broker.subscribe(topic, last, c);
            assertThat(c.done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(c.error).isNull();
            received.addAll(c.ids());
            if (c.last() != null) {
                last = c.last();
            }
        }
        publisher.get(30, TimeUnit.SECONDS);

        assertThat(received).isEqualTo(published);
    }

    private static boolean isStrictlyIncreasing(List<String> ids) {
        for (int i = 1; i < ids.size(); i++) {
            if (Long.parseLong(ids.get(i - 1)) >= Long.parseLong(ids.get(i))) {
                return false;
            }
        }
        return true;
    }

    private static List<Set<String>> newIdSets(int n) {
        List<Set<String>> sets = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sets.add(ConcurrentHashMap.newKeySet());
        }
        return sets;
    }
}
