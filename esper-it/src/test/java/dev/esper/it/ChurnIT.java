package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SPEC 4, "a client that goes away, cleanly or not, is removed promptly: its memory is released and
 * {@code /stats} stops counting it": 20,000 subscribers connect and vanish, half with a FIN, half with an
 * RST ({@code SO_LINGER 0}).
 *
 * <p>They come in waves of 5,000 open at once, so this JVM holds at most 5,000 sockets (the server, a
 * separate process, holds the other ends). What is measured is the server's: {@code /stats}, its open
 * file descriptors, and its live heap after a full GC, against a baseline taken after a warm-up wave (so
 * that classes, JIT and Jetty's pools are already in it).
 */
@Tag("heavy")
class ChurnIT {
    private static final int WAVES = 4;
    private static final int WAVE = 5_000;
    private static final int TOPICS = 100;
    /**
     * Growth of the live heap allowed over the baseline: 2 MB. A leak of even 100 bytes per subscriber
     * (a fraction of what a stream's state takes) would be 2 MB over 20,000.
     */
    private static final long HEAP_MARGIN = 2L * 1024 * 1024;

    private EsperJar esper;
    private final List<RawSubscriber> open = new ArrayList<>();
    /** Events handed to subscribers so far: one per subscriber of each wave. */
    private long delivered;

    @AfterEach
    void stop() {
        open.forEach(RawSubscriber::close);
        if (esper != null) {
            esper.close();
        }
    }

    private void wave(int n, int round) {
        open.addAll(Crowd.open(esper.port(), n, i -> new Crowd.Ask(topic(i), null), 60));
        await("all " + n + " subscribed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> esper.stat("clients") == n);
        // One publish per topic reaches every subscriber of this wave: they are really subscribed.
        for (int t = 0; t < Math.min(n, TOPICS); t++) {
            RawHttp.Response r = RawHttp.exchange(esper.port(), RawHttp.publish(topic(t), "data: wave " + round));
            assertThat(r.status()).isEqualTo(200);
        }
        delivered += n;
        long expected = delivered;
        await("every subscriber handed its event").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> esper.stat("delivered") == expected);
        for (int i = 0; i < open.size(); i++) {
            if (i % 2 == 0) {
                open.get(i).close();
            } else {
                open.get(i).reset();
            }
        }
        open.clear();
        await("all " + n + " gone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> esper.stat("clients") == 0);
    }

    private static String topic(int i) {
        return "churntopic" + (i % TOPICS);
    }

    @Test
    void twentyThousandSubscribersThatLeaveCleanlyOrByResetAreForgottenAndTheirMemoryReleased() {
        esper = EsperJar.start(EsperJar.options().maxHeap("256m").args("--history-size=0"));
        wave(1_000, -1);
        long baselineHeap = esper.liveHeapBytes();
        long baselineFiles = esper.openFiles();

        long start = System.nanoTime();
        for (int w = 0; w < WAVES; w++) {
            wave(WAVE, w);
        }
        long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();

        Map<String, Long> stats = esper.stats();
        long heap = esper.liveHeapBytes();
        long files = esper.openFiles();
        System.out.printf("churn: %,d subscribers (half FIN, half RST) in %d s; server live heap %,d B -> %,d B; "
                + "open files %d -> %d; RSS %,d KiB; threads %d; stats %s%n", WAVES * WAVE, seconds, baselineHeap, heap,
                baselineFiles, files, esper.rssKib(), esper.threads(), stats);
        assertThat(stats.get("clients")).isZero();
        assertThat(stats.get("topics")).as("topics with no subscriber and nothing retained are forgotten").isZero();
        assertThat(stats.get("dropped")).isZero();
        assertThat(files).as("server file descriptors: no socket left behind").isLessThan(baselineFiles + 20);
        assertThat(heap).isLessThan(baselineHeap + HEAP_MARGIN);
        assertThat(esper.exceptionLines()).isEmpty();
    }
}
