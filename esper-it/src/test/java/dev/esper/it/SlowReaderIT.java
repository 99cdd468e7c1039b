package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC 4, "a subscriber that does not read never blocks a publisher or other subscribers": a raw socket
 * subscribes and never reads while about 50 MB is published to its topic.
 */
class SlowReaderIT {
    private static final String TOPIC = "slowreader1";
    private static final int EVENTS = 800;
    /** Each body is just under the default 64 KiB max-body: 800 of them are ~50 MB. */
    private static final int PAYLOAD = 64_000;
    /** 4 MiB: the slow one passes it ~12 times over; a reader that keeps up never nears it. */
    private static final long SUBSCRIBER_BUFFER = 4L * 1024 * 1024;
    /** Retention holds 100 events of 64 KB (~6.4 MB); anything above baseline + this is a leak. */
    private static final long HEAP_MARGIN = 24L * 1024 * 1024;
    private static final long MEMORY_BUDGET = 16L * 1024 * 1024;

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

    private static String body(int i) {
        String head = "data: " + i + " ";
        return head + "x".repeat(PAYLOAD - head.length());
    }

    @Test
    void aSubscriberThatNeverReadsIsDroppedAtItsBoundWhilePublishesAndANormalSubscriberAreUnaffected()
            throws Exception {
        // The slow one is dropped 2 s after its writes stop, or sooner by the memory budget (16 MiB here), which
        // bounds what it pins meanwhile.
        esper = EsperJar.start(EsperJar.options().maxHeap("128m")
                .args("--subscriber-buffer=" + SUBSCRIBER_BUFFER, "--max-body=65536",
                        "--memory-budget=" + MEMORY_BUDGET));
        long baseline = esper.liveHeapBytes();

        // The slow one: a tiny receive window, and it never reads.
        Socket slow = new Socket();
        open.add(slow);
        slow.setReceiveBufferSize(4096);
        slow.connect(new InetSocketAddress("127.0.0.1", esper.port()), 10_000);
        slow.getOutputStream().write(RawHttp.request("GET", "/subscribe/" + TOPIC, List.of(), null));
        slow.getOutputStream().flush();
        // The normal one reads everything on its own thread.
        RawSubscriber normal = RawSubscriber.open(esper.port(), TOPIC, null);
        open.add(normal);
        await().atMost(Duration.ofSeconds(10)).until(() -> esper.stat("clients") == 2);
        CompletableFuture<List<RawSubscriber.Event>> normalGot = CompletableFuture.supplyAsync(() -> {
            try {
                return normal.awaitEvents(EVENTS);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        List<Long> heaps = new ArrayList<>();
        long start = System.nanoTime();
        try (RawHttp publisher = RawHttp.connect(esper.port(), Duration.ofSeconds(10))) {
            for (int i = 0; i < EVENTS; i++) {
                publisher.write(RawHttp.publish(TOPIC, body(i)));
                RawHttp.Response r = publisher.readResponse();
                assertThat(r.status()).as("publish %d: %s", i, r.bodyText()).isEqualTo(200);
                if (i % 200 == 199) {
                    heaps.add(esper.liveHeapBytes());
                }
            }
        }
        long publishMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        // Every publish succeeded, each read within 10 s; all of them within a generous bound.
        assertThat(Duration.ofMillis(publishMillis)).isLessThan(Duration.ofSeconds(120));
        // The normal subscriber got every event, in order.
        List<RawSubscriber.Event> got = normalGot.get(60, TimeUnit.SECONDS);
        assertThat(got).hasSize(EVENTS);
        for (int i = 0; i < EVENTS; i++) {
            assertThat(got.get(i).data()).startsWith(i + " ").hasSize(PAYLOAD - "data: ".length());
        }
        // The slow one was dropped and counted; the normal one is still connected.
        await().atMost(Duration.ofSeconds(10)).until(() -> esper.stat("dropped") >= 1);
        assertThat(esper.stat("clients")).isEqualTo(1);
        // Memory stayed bounded while the slow socket was stuck: nothing piles up for it.
        long after = esper.liveHeapBytes();
        System.out.printf("slow reader: %d publishes of %d B in %d ms; server live heap baseline %,d B, during %s, "
                + "after %,d B; RSS %,d KiB; stats %s%n", EVENTS, PAYLOAD, publishMillis, baseline, heaps, after,
                esper.rssKib(), esper.stats());
        assertThat(heaps).allSatisfy(h -> assertThat(h).isLessThan(baseline + HEAP_MARGIN));
        assertThat(after).isLessThan(baseline + HEAP_MARGIN);

        // Draining the slow socket reaches the end of its stream (EOF or RST), not an endless stream.
        long drained = drainToEnd(slow, Duration.ofSeconds(30));
        assertThat(drained).as("bytes the slow socket got before its end")
                .isLessThan((long) EVENTS * PAYLOAD / 4);
        assertThat(esper.exceptionLines()).isEmpty();
    }

    /** Reads until EOF or reset; returns the bytes read. Fails if the stream does not end in time. */
    private static long drainToEnd(Socket s, Duration timeout) throws IOException {
        s.setSoTimeout((int) timeout.toMillis());
        InputStream in = s.getInputStream();
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                int n = in.read(buf);
                if (n < 0) {
                    return total;
                }
                total += n;
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the slow subscriber's stream did not end within " + timeout + " after "
                    + total + " bytes: " + new String(buf, 0, Math.min(200, buf.length), StandardCharsets.UTF_8), e);
        } catch (SocketException e) {
            return total; // reset: also an end
        }
        throw new AssertionError("the slow subscriber's stream did not end within " + timeout);
    }
}
