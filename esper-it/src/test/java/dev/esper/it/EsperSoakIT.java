package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Soak mode, off by default: {@code mvn -B -pl esper-it verify -Dit.test=EsperSoakIT -Desper.soak.minutes=10}
 * runs the mix of this module's load tests against one server for that long, in cycles (a churn wave half
 * closed by RST, a flood of distinct topics, a reconnect storm with {@code Last-Event-ID}, a reader that
 * never reads, fuzzed publish bodies), and prints after each cycle the server's RSS, live heap after a full
 * GC, threads, open file descriptors and {@code /stats}. At the end everything is closed and the server
 * must be back where it started: no client, no leaked descriptor, live heap within a few MB of the first
 * cycle's, nothing in the log that looks like an exception.
 */
@Tag("soak")
@EnabledIfSystemProperty(named = "esper.soak.minutes", matches = "[1-9][0-9]*")
class EsperSoakIT {
    private static final int CHURN = 1_000;
    private static final int FLOOD = 50_000;
    private static final int STORM = 500;
    private static final int MAX_TOPICS = 5_000;
    private static final long HEAP_MARGIN = 16L * 1024 * 1024;

    private EsperJar esper;

    @AfterEach
    void stop() {
        if (esper != null) {
            esper.close();
        }
    }

    @Test
    void theMixRunsForTheChosenTimeWithMemoryThreadsAndFilesStayingFlat() throws Exception {
        int minutes = Integer.getInteger("esper.soak.minutes");
        esper = EsperJar.start(EsperJar.options().maxHeap("256m")
                .args("--max-topics=" + MAX_TOPICS, "--history-size=200", "--subscriber-buffer=1048576"));
        long deadline = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
        SplittableRandom random = new SplittableRandom(minutes);
        System.out.printf("soak: %d minute(s) against pid %d%n", minutes, esper.pid());
        System.out.println("soak: cycle  seconds  rss_kib  live_heap_b  threads  fds  stats");
        long firstHeap = -1;
        long firstFiles = -1;
        long start = System.nanoTime();
        int maxCycles = minutes * 60;
        for (int cycle = 0; cycle < maxCycles && System.nanoTime() < deadline; cycle++) {
            churn(cycle);
            flood(cycle);
            storm(cycle);
            slowReader(cycle);
            fuzz(random);
            await().atMost(Duration.ofSeconds(60)).until(() -> esper.stat("clients") == 0);
            long heap = esper.liveHeapBytes();
            long files = esper.openFiles();
            if (cycle == 0) {
                firstHeap = heap;
                firstFiles = files;
            }
            Map<String, Long> stats = esper.stats();
            System.out.printf("soak: %5d  %7d  %7d  %11d  %7d  %3d  %s%n", cycle,
                    Duration.ofNanos(System.nanoTime() - start).toSeconds(), esper.rssKib(), heap, esper.threads(), files,
                    stats);
        }
        long heap = esper.liveHeapBytes();
        assertThat(esper.stat("clients")).isZero();
        assertThat(esper.openFiles()).isLessThan(firstFiles + 20);
        assertThat(heap).isLessThan(firstHeap + HEAP_MARGIN);
        assertThat(esper.exceptionLines()).isEmpty();
    }

    private void churn(int cycle) {
        List<RawSubscriber> subs = Crowd.open(esper.port(), CHURN, i -> new Crowd.Ask("soakchurn" + (i % 50), null), 60);
        await().atMost(Duration.ofSeconds(60)).until(() -> esper.stat("clients") == CHURN);
        for (int i = 0; i < subs.size(); i++) {
            if (i % 2 == 0) {
                subs.get(i).close();
            } else {
                subs.get(i).reset();
            }
        }
    }

    private void flood(int cycle) {
        Map<Integer, Long> statuses = PipelinedPublisher.run(esper.port(), 0, FLOOD,
                i -> RawHttp.publish("soakflood" + cycle + "x" + i, "data: " + i), null, 120);
        assertThat(statuses).containsOnlyKeys(200);
    }

    private void storm(int cycle) throws IOException {
        String topic = "soakstorm" + cycle;
        List<String> ids = new ArrayList<>();
        for (int n = 0; n < 20; n++) {
            RawHttp.Response r = RawHttp.exchange(esper.port(), RawHttp.publish(topic, "data: " + n));
            assertThat(r.status()).isEqualTo(200);
            ids.add(r.bodyText().replaceAll(".*\"ids\":\\[\"([^\"]+)\"\\].*\\s*", "$1"));
        }
        List<RawSubscriber> subs = Crowd.open(esper.port(), STORM, i -> new Crowd.Ask(topic, ids.get(i % 20)), 60);
        for (int i = 0; i < subs.size(); i++) {
            int missed = 19 - i % 20;
            if (missed > 0) {
                List<RawSubscriber.Event> got = subs.get(i).awaitEvents(missed);
                assertThat(got.get(0).data()).isEqualTo(Integer.toString(i % 20 + 1));
                assertThat(got.get(missed - 1).data()).isEqualTo("19");
            }
            subs.get(i).close();
        }
    }

    private void slowReader(int cycle) throws IOException {
        String topic = "soakslow" + cycle;
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(4096);
            slow.connect(new InetSocketAddress("127.0.0.1", esper.port()), 10_000);
            slow.getOutputStream().write(RawHttp.request("GET", "/subscribe/" + topic, List.of(), null));
            await().atMost(Duration.ofSeconds(10)).until(() -> esper.stat("clients") >= 1);
            long dropped = esper.stat("dropped");
            String body = "data: " + "s".repeat(60_000);
            try (RawHttp publisher = RawHttp.connect(esper.port())) {
                for (int i = 0; i < 200 && esper.stat("dropped") == dropped; i++) {
                    publisher.write(RawHttp.publish(topic, body));
                    assertThat(publisher.readResponse().status()).isEqualTo(200);
                }
            }
            assertThat(esper.stat("dropped")).isGreaterThan(dropped);
        }
    }

    private void fuzz(SplittableRandom random) {
        for (int i = 0; i < 100; i++) {
            byte[] junk = new byte[random.nextInt(1, 200)];
            random.nextBytes(junk);
            RawHttp.Response r = RawHttp.exchange(esper.port(), RawHttp.request("POST", "/publish/soakfuzz1",
                    List.of(), junk));
            assertThat(r.status()).isBetween(200, 499);
        }
    }
}
