package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SPEC 4, "a flood of publishes to millions of distinct topics must not exhaust the heap": a million
 * publishes, each to a topic never seen before, over keep-alive pipelines. The server runs with a small
 * {@code --max-topics} so the bound is reached early and exercised a million times, and with a heap far
 * too small to hold a million topics, so a broken bound fails the test by running out of memory.
 */
@Tag("heavy")
class TopicFloodIT {
    static final int TOPICS = Integer.getInteger("esper.flood.topics", 1_000_000);
    private static final int MAX_TOPICS = 10_000;
    private static final int CONNECTIONS = 2;
    private static final int ROUNDS = 4;
    private static final String WATCHED = "floodwatcher1";
    /** Allowed growth of the server's live heap over its warmed-up baseline; 10,000 topics need ~5 MB. */
    private static final long HEAP_MARGIN = 24L * 1024 * 1024;

    private EsperJar esper;

    @AfterEach
    void stop() {
        if (esper != null) {
            esper.close();
        }
    }

    private static byte[] publishTo(int i) {
        return RawHttp.publish("flood" + String.format("%09d", i), "data: " + i);
    }

    private static byte[] warmUp(int i) {
        return RawHttp.publish("warmup" + String.format("%09d", i), "data: " + i);
    }

    @Test
    void aMillionDistinctTopicsStayWithinMaxTopicsByEvictionAndAnExistingSubscriberKeepsReceiving()
            throws Exception {
        esper = EsperJar.start(EsperJar.options().maxHeap("96m")
                .args("--max-topics=" + MAX_TOPICS, "--max-retained-bytes=8388608", "--history-size=10"));
        // Warm up (classes, JIT, pools, a full set of topics), then take the baseline.
        PipelinedPublisher.run(esper.port(), 0, 2 * MAX_TOPICS, TopicFloodIT::warmUp, null, 60);
        long baseline = esper.liveHeapBytes();
        long evictedBefore = esper.stat("evicted");

        RawSubscriber watcher = RawSubscriber.open(esper.port(), WATCHED, null);
        Map<Integer, Long> statuses = new ConcurrentHashMap<>();
        LongAccumulator maxTopicsSeen = new LongAccumulator(Math::max, 0);
        AtomicLong watchedPublishes = new AtomicLong();
        List<Long> heaps = new ArrayList<>();
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(CONNECTIONS);
        try {
            int perRound = TOPICS / ROUNDS;
            for (int round = 0; round < ROUNDS; round++) {
                int roundStart = round * perRound;
                int roundEnd = round == ROUNDS - 1 ? TOPICS : roundStart + perRound;
                int slice = (roundEnd - roundStart + CONNECTIONS - 1) / CONNECTIONS;
                List<Future<Map<Integer, Long>>> parts = new ArrayList<>();
                for (int c = 0; c < CONNECTIONS; c++) {
                    int from = roundStart + c * slice;
                    int to = Math.min(roundEnd, from + slice);
                    parts.add(pool.submit(() -> PipelinedPublisher.run(esper.port(), from, to,
                            TopicFloodIT::publishTo, null, 60)));
                }
                for (Future<Map<Integer, Long>> part : parts) {
                    part.get(10, TimeUnit.MINUTES).forEach((k, v) -> statuses.merge(k, v, Long::sum));
                }
                // Between rounds: the watched topic still gets its events, and the bound holds.
                RawHttp.Response r = RawHttp.exchange(esper.port(), RawHttp.publish(WATCHED, "data: round " + round));
                assertThat(r.status()).as("publish to the watched topic: %s", r.bodyText()).isEqualTo(200);
                watchedPublishes.incrementAndGet();
                Map<String, Long> stats = esper.stats();
                maxTopicsSeen.accumulate(stats.get("topics"));
                heaps.add(esper.liveHeapBytes());
            }
        } finally {
            pool.shutdownNow();
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        Map<String, Long> stats = esper.stats();
        System.out.printf("topic flood: %,d publishes to distinct topics in %d s; statuses %s; live heap "
                + "baseline %,d B, after each quarter %s; stats %s%n", TOPICS, seconds, statuses, baseline, heaps,
                stats);

        assertThat(statuses).as("every publish answered; eviction makes room").containsOnlyKeys(200);
        assertThat(statuses.get(200)).isEqualTo(TOPICS);
        assertThat(maxTopicsSeen.get()).isLessThanOrEqualTo(MAX_TOPICS);
        assertThat(stats.get("topics")).isLessThanOrEqualTo(MAX_TOPICS);
        assertThat(stats.get("evicted") - evictedBefore).isGreaterThanOrEqualTo(TOPICS - MAX_TOPICS);
        assertThat(heaps).allSatisfy(h -> assertThat(h).isLessThan(baseline + HEAP_MARGIN));
        // The subscriber's topic is never idle, so never evicted: it got every event, in order.
        List<RawSubscriber.Event> got = watcher.awaitEvents((int) watchedPublishes.get());
        List<String> data = got.stream().map(RawSubscriber.Event::data).toList();
        List<String> expected = new ArrayList<>();
        for (int round = 0; round < ROUNDS; round++) {
            expected.add("round " + round);
        }
        assertThat(data).containsExactlyElementsOf(expected);
        assertThat(esper.exceptionLines()).isEmpty();
        watcher.close();
    }
}
