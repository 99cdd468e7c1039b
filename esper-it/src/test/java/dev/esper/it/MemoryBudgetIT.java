package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAccumulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue "Reliability, round 2", item 1, scaled down (1 GiB and 1,100 subscribers to 256 MiB and 300):
 * subscribers on distinct topics that never read, each fed ~4 MB in 600-byte events. The kernel takes the first
 * ~1.3 MB of each (the loopback socket's send buffer); the rest, ~800 MB in all, about three heaps, stays in
 * the server's heap. The subscriber buffer is raised to 8 MiB so that each subscriber stays within its own
 * bound: only the memory budget bounds their sum. With the budget set far above the heap, the server runs
 * out of memory.
 */
class MemoryBudgetIT {
    private static final int SILENT = 300;
    /** Events per publish: 100 of 608 body bytes, under the default 64 KiB max-body. */
    private static final int BATCH = 100;
    /** Publishes per silent topic: 64 x 100 events of ~630 frame bytes, ~4 MB each, ~1.2 GB in all. */
    private static final int ROUNDS = 64;
    private static final long SUBSCRIBER_BUFFER = 8L * 1024 * 1024;
    private static final String READER_TOPIC = "budgetreader1";
    private static final String BATCH_BODY = ("data: " + "x".repeat(600) + "\n\n").repeat(BATCH);

    private EsperJar esper;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        if (esper != null) {
            esper.close();
        }
    }

    private static String silentTopic(int i) {
        return "budgetsilent" + String.format("%04d", i);
    }

    @Test
    void silentSubscribersHoldingSeveralHeapsAreDroppedWhileStatsPublishesAndAReaderCarryOn() throws Exception {
        esper = EsperJar.start(EsperJar.options().maxHeap("256m")
                .args("--subscriber-buffer=" + SUBSCRIBER_BUFFER));
        assertThat(esper.log()).containsPattern("memory budget 1[0-9]{2} MiB \\(half the max heap\\)");

        for (int i = 0; i < SILENT; i++) {
            Socket s = new Socket();
            open.add(s);
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", esper.port()), 10_000);
            s.getOutputStream().write(RawHttp.request("GET", "/subscribe/" + silentTopic(i), List.of(), null));
            s.getOutputStream().flush();
        }
        RawSubscriber reader = RawSubscriber.open(esper.port(), READER_TOPIC, null);
        open.add(reader);
        await().atMost(Duration.ofSeconds(20)).until(() -> esper.stat("clients") == SILENT + 1);

        AtomicBoolean flooding = new AtomicBoolean(true);
        LongAccumulator slowestStatsMillis = new LongAccumulator(Math::max, 0);
        LongAccumulator mostHeld = new LongAccumulator(Math::max, 0);
        AtomicInteger readerPublishes = new AtomicInteger();
        Map<Integer, Integer> readerStatuses = new ConcurrentHashMap<>();
        CompletableFuture<Void> watcher = CompletableFuture.runAsync(() -> {
            while (flooding.get()) {
                long t0 = System.nanoTime();
                Map<String, Long> stats = esper.stats();
                slowestStatsMillis.accumulate(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                mostHeld.accumulate(stats.get("memory_held"));
                RawHttp.Response r = RawHttp.exchange(esper.port(),
                        RawHttp.publish(READER_TOPIC, "data: " + readerPublishes.get()));
                readerStatuses.merge(r.status(), 1, Integer::sum);
                readerPublishes.incrementAndGet();
                sleepQuietly(200);
            }
        });

        long start = System.nanoTime();
        Map<Integer, Long> statuses = PipelinedPublisher.run(esper.port(), 0, SILENT * ROUNDS,
                i -> RawHttp.publish(silentTopic(i % SILENT), BATCH_BODY), null, 60);
        long floodMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        flooding.set(false);
        watcher.get(60, TimeUnit.SECONDS);

        int sent = readerPublishes.get();
        List<RawSubscriber.Event> got = reader.awaitEvents(sent);
        Map<String, Long> stats = esper.stats();
        System.out.printf("memory budget: %d publishes of %d x 600 B to %d silent topics in %d ms; slowest /stats "
                + "%d ms; most held %,d B; reader got %d of %d; live heap after %,d B; stats %s%n",
                SILENT * ROUNDS, BATCH, SILENT, floodMillis, slowestStatsMillis.get(), mostHeld.get(), got.size(),
                sent, esper.liveHeapBytes(), stats);

        assertThat(esper.log()).doesNotContain("OutOfMemoryError");
        assertThat(esper.isAlive()).isTrue();
        assertThat(statuses).containsOnlyKeys(200);
        assertThat(readerStatuses).containsOnlyKeys(200);
        assertThat(slowestStatsMillis.get()).as("slowest GET /stats, ms").isLessThan(1000);
        assertThat(got).hasSize(sent);
        for (int i = 0; i < sent; i++) {
            assertThat(got.get(i).data()).isEqualTo(Integer.toString(i));
        }
        assertThat(stats.get("dropped_for_memory")).isPositive();
        assertThat(stats.get("memory_held")).isLessThanOrEqualTo(stats.get("memory_budget"));
        assertThat(esper.exceptionLines()).isEmpty();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
