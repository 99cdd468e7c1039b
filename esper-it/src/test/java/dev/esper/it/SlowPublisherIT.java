package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Slow publishers and oversized requests: a publish body trickled a byte a second is cut off by the
 * publish body timeout (30 s, answered {@code 408} with {@code Connection: close}, nothing published),
 * while it holds no server thread; a request head trickled a byte at a time is closed 20 s after it began
 * (the head deadline); request headers over 8 KiB get {@code 431}.
 */
class SlowPublisherIT {
    private static final String TOPIC = "slowpublish1";
    /** More than the server's worker pool (16 threads with --threads=2): if each held a thread, others would starve. */
    private static final int TRICKLERS = 40;
    private static final int BODY_TIMEOUT_SECONDS = 30;

    private EsperJar esper;
    private final List<RawHttp> open = new ArrayList<>();
    private ScheduledExecutorService trickle;

    @BeforeEach
    void start() {
        esper = EsperJar.start(EsperJar.options().args("--threads=2"));
    }

    @AfterEach
    void stop() {
        if (trickle != null) {
            trickle.shutdownNow();
        }
        open.forEach(RawHttp::close);
        esper.close();
    }

    @Tag("heavy")
    @Test
    void bodiesTrickledAByteASecondAreCutOffWith408WithoutHoldingAThreadAndPublishNothing() throws Exception {
        RawSubscriber subscriber = RawSubscriber.open(esper.port(), TOPIC, null);
        long threadsBefore = esper.threads();
        byte[] body = "data: this body arrives one byte per second and never completes".getBytes(StandardCharsets.UTF_8);
        String head = "POST /publish/" + TOPIC + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length
                + "\r\n\r\n";
        for (int i = 0; i < TRICKLERS; i++) {
            RawHttp c = RawHttp.connect(esper.port(), Duration.ofSeconds(BODY_TIMEOUT_SECONDS + 30));
            open.add(c);
            c.write(head.getBytes(StandardCharsets.US_ASCII));
        }
        // One byte per second to each, until the server answers; a write after the answer may fail.
        AtomicInteger sent = new AtomicInteger();
        List<RawHttp> answered = new java.util.concurrent.CopyOnWriteArrayList<>();
        trickle = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        trickle.scheduleAtFixedRate(() -> {
            int k = sent.getAndIncrement();
            for (RawHttp c : open) {
                if (k < body.length && !answered.contains(c)) {
                    try {
                        c.write(new byte[] {body[k]});
                    } catch (IOException e) {
                        answered.add(c);
                    }
                }
            }
        }, 0, 1, TimeUnit.SECONDS);

        // While they trickle, the server serves everyone else promptly: no thread is held by them.
        await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() >= 3);
        for (int i = 0; i < 5; i++) {
            RawHttp.Response r = RawHttp.exchange(esper.port(), RawHttp.publish(TOPIC, "data: normal " + i));
            assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        }
        assertThat(subscriber.awaitEvents(5)).extracting(RawSubscriber.Event::data)
                .containsExactly("normal 0", "normal 1", "normal 2", "normal 3", "normal 4");
        long threadsDuring = esper.threads();
        assertThat(threadsDuring).as("server threads with %d trickling publishers", TRICKLERS)
                .isLessThan(threadsBefore + TRICKLERS / 2);

        // Each trickler is answered 408 with Connection: close once the body timeout passes.
        ConcurrentHashMap<Integer, Integer> statuses = new ConcurrentHashMap<>();
        for (RawHttp c : open) {
            RawHttp.Response r = c.readResponse();
            statuses.merge(r.status(), 1, Integer::sum);
            assertThat(r.closes()).as("408 closes the connection").isTrue();
            assertThat(r.bodyText()).contains("publish body was not received within " + BODY_TIMEOUT_SECONDS);
            assertThat(c.input().read()).as("then the connection ends").isEqualTo(-1);
        }
        long elapsed = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        System.out.printf("slow publisher: %d trickled bodies answered %s after %d s; server threads %d -> %d%n",
                TRICKLERS, statuses, elapsed, threadsBefore, threadsDuring);
        assertThat(statuses).containsOnlyKeys(408);
        assertThat(elapsed).isGreaterThanOrEqualTo(BODY_TIMEOUT_SECONDS - 2).isLessThan(BODY_TIMEOUT_SECONDS + 30);
        assertThat(esper.stat("published")).as("nothing of a cut-off body is published").isEqualTo(5);
        assertThat(esper.exceptionLines()).isEmpty();
    }

    @Tag("heavy")
    @Test
    void requestHeadsTrickledAByteASecondAreClosedAtTheHeadDeadlineWhileOthersAreServed() throws Exception {
        int headDeadlineSeconds = 20;
        RawSubscriber subscriber = RawSubscriber.open(esper.port(), TOPIC, null);
        // Never-ending heads, each byte restarting Jetty's idle timeout, so only the head deadline ends them: half
        // send a request line, then a header whose value grows a byte a second; half send only empty lines
        // (which a parser skips before a request line).
        List<RawHttp> blankLiners = new ArrayList<>();
        for (int i = 0; i < TRICKLERS; i++) {
            RawHttp c = RawHttp.connect(esper.port(), Duration.ofSeconds(headDeadlineSeconds + 30));
            open.add(c);
            if (i % 2 == 0) {
                c.write(("POST /publish/" + TOPIC + " HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
                        .getBytes(StandardCharsets.US_ASCII));
            } else {
                blankLiners.add(c);
            }
        }
        // A slow but finite head (ten bytes a second, done in a few seconds) is served.
        RawHttp patient = RawHttp.connect(esper.port(), Duration.ofSeconds(30));
        open.add(patient);
        byte[] patientHead = "GET /stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        List<RawHttp> closed = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicInteger ticks = new AtomicInteger();
        trickle = Executors.newSingleThreadScheduledExecutor();
        long start = System.nanoTime();
        trickle.scheduleAtFixedRate(() -> {
            int k = ticks.getAndIncrement();
            if (k < patientHead.length) {
                try {
                    patient.write(new byte[] {patientHead[k]});
                } catch (IOException e) {
                    closed.add(patient);
                }
            }
            if (k % 10 == 0) {
                for (RawHttp c : open) {
                    if (c != patient && !closed.contains(c)) {
                        try {
                            c.write(blankLiners.contains(c) ? new byte[] {'\r', '\n'} : new byte[] {'a'});
                        } catch (IOException e) {
                            closed.add(c);
                        }
                    }
                }
            }
        }, 0, 100, TimeUnit.MILLISECONDS);

        RawHttp.Response stats = patient.readResponse();
        assertThat(stats.status()).as("a head that arrives slowly but within the deadline").isEqualTo(200);
        for (int i = 0; i < 5; i++) {
            RawHttp.Response r = RawHttp.exchange(esper.port(), RawHttp.publish(TOPIC, "data: normal " + i));
            assertThat(r.status()).as(r.bodyText()).isEqualTo(200);
        }
        assertThat(subscriber.awaitEvents(5)).extracting(RawSubscriber.Event::data)
                .containsExactly("normal 0", "normal 1", "normal 2", "normal 3", "normal 4");

        // Each trickler's connection ends (no answer: its request never arrived) once the deadline passes.
        for (RawHttp c : open) {
            if (c != patient) {
                assertThat(c.input().read()).as("the trickling connection is closed").isEqualTo(-1);
            }
        }
        long elapsed = Duration.ofNanos(System.nanoTime() - start).toSeconds();
        System.out.printf("slow heads: %d trickled request heads closed after %d s%n", TRICKLERS, elapsed);
        assertThat(elapsed).isGreaterThanOrEqualTo(headDeadlineSeconds - 1).isLessThan(headDeadlineSeconds + 10);
        assertThat(esper.stat("published")).isEqualTo(5);
        assertThat(esper.exceptionLines()).isEmpty();
    }

    @Test
    void requestHeadersOver8KiBGet431AndPublishNothing() {
        String big = "X-Padding: " + "a".repeat(16 * 1024);
        RawHttp.Response publish = RawHttp.exchange(esper.port(), RawHttp.publish(TOPIC, "data: x", big));
        RawHttp.Response subscribe = RawHttp.exchange(esper.port(),
                RawHttp.request("GET", "/subscribe/" + TOPIC, List.of(big), null));
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            many.add("X-Header-" + i + ": " + "b".repeat(30));
        }
        RawHttp.Response manyHeaders = RawHttp.exchange(esper.port(),
                RawHttp.request("POST", "/publish/" + TOPIC, many, "data: x".getBytes(StandardCharsets.UTF_8)));

        for (RawHttp.Response r : List.of(publish, subscribe, manyHeaders)) {
            assertThat(r.status()).isEqualTo(431);
            assertThat(r.header("content-type")).startsWith("text/plain");
            assertThat(r.bodyText()).isEqualTo("431 Request Header Fields Too Large\n");
        }
        assertThat(esper.stat("published")).isZero();
        assertThat(esper.stat("clients")).isZero();
        assertThat(esper.exceptionLines()).isEmpty();
    }
}
