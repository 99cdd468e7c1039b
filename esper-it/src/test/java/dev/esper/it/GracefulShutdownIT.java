package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC 6, {@code SIGTERM} under load: the real jar is stopped while publishers publish and subscribers
 * stream. Every publish answered {@code 200} before the stop reached every connected subscriber, each
 * stream ended cleanly (its final chunk), and the process exited 0.
 */
class GracefulShutdownIT {
    private static final String TOPIC = "shutdown01";
    private static final int SUBSCRIBERS = 20;
    private static final int PUBLISHERS = 3;
    private static final int MAX_PUBLISHES = 200_000;

    private EsperJar esper;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
        if (esper != null) {
            esper.close();
        }
    }

    /** Publishes "p-n" until the server stops answering; returns the bodies answered 200, in order. */
    private List<String> publishUntilStopped(int p, AtomicInteger total) {
        List<String> acked = new ArrayList<>();
        RawHttp c = RawHttp.connect(esper.port(), Duration.ofSeconds(20));
        try {
            for (int n = 0; n < MAX_PUBLISHES; n++) {
                String data = p + "-" + n;
                c.write(RawHttp.publish(TOPIC, "data: " + data));
                RawHttp.Response r = c.readResponse();
                if (r.status() == 200) {
                    acked.add(data);
                    total.incrementAndGet();
                } else {
                    assertThat(r.status()).as("a publish during the stop: %s", r.bodyText()).isEqualTo(503);
                    return acked;
                }
                if (r.closes()) {
                    return acked;
                }
            }
        } catch (IOException e) {
            // The server closed the connection: this publish got no 200, and later ones cannot be sent.
        } finally {
            c.close();
        }
        return acked;
    }

    @Test
    void sigtermWhilePublishingAndStreamingDeliversEveryAcknowledgedPublishAndExitsZero() throws Exception {
        esper = EsperJar.start(EsperJar.options());
        List<RawSubscriber> subscribers = new ArrayList<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            subscribers.add(RawSubscriber.open(esper.port(), TOPIC, null));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> esper.stat("clients") == SUBSCRIBERS);
        List<Future<Boolean>> ends = new ArrayList<>();
        for (RawSubscriber s : subscribers) {
            ends.add(pool.submit(() -> {
                try {
                    return s.readToEnd();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        AtomicInteger total = new AtomicInteger();
        List<CompletableFuture<List<String>>> publishers = new CopyOnWriteArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
            int id = p;
            publishers.add(CompletableFuture.supplyAsync(() -> publishUntilStopped(id, total), pool));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> total.get() >= 1_000);

        esper.signal("TERM");

        assertThat(esper.awaitExit(Duration.ofSeconds(20))).isZero();
        List<List<String>> acked = new ArrayList<>();
        for (CompletableFuture<List<String>> p : publishers) {
            acked.add(p.get(30, TimeUnit.SECONDS));
        }
        for (int i = 0; i < SUBSCRIBERS; i++) {
            assertThat(ends.get(i).get(30, TimeUnit.SECONDS)).as("subscriber %d's stream ended cleanly", i).isTrue();
            List<String> got = subscribers.get(i).received().stream().map(RawSubscriber.Event::data).toList();
            assertThat(new HashSet<>(got)).as("no event twice").hasSize(got.size());
            for (int p = 0; p < PUBLISHERS; p++) {
                String prefix = p + "-";
                List<String> fromP = got.stream().filter(d -> d.startsWith(prefix)).toList();
                // Everything acknowledged is there, in publish order (a last unacknowledged one may follow).
                assertThat(fromP.subList(0, Math.min(fromP.size(), acked.get(p).size())))
                        .as("subscriber %d, publisher %d", i, p).containsExactlyElementsOf(acked.get(p));
            }
        }
        Set<Integer> counts = new HashSet<>();
        acked.forEach(a -> counts.add(a.size()));
        System.out.printf("graceful shutdown: %d publishes acknowledged before SIGTERM took effect (%s per "
                + "publisher), all delivered to %d subscribers; log tail:%n%s%n", total.get(), counts, SUBSCRIBERS,
                esper.log().lines().skip(Math.max(0, esper.log().lines().count() - 3)).reduce("", (a, b) -> a + b + "\n"));
        assertThat(esper.log()).contains("stopped");
        assertThat(esper.exceptionLines()).isEmpty();
    }
}
