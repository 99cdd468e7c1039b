package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections that hold a slot and send nothing (issue "Reliability, round 2", item 3): a connection that sends
 * no byte within 5 s of connecting is closed; at the connection cap (max-subscribers + 10%, at least 64 more)
 * idle connections without a request in progress are closed to make room, so a publisher is answered at once
 * however many streams and idle sockets fill the cap; under a low open-files limit the cap stays below it
 * (and the subscriber limit with it, so publishers keep their share) and nothing logs a stack trace.
 */
class IdleConnectionIT {
    private static final String TOPIC = "idleconn01";

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

    @Test
    void aPublisherIsAnsweredWithinASecondWhenStreamsAndIdleConnectionsFillTheConnectionCap() throws Exception {
        int maxSubscribers = 200;
        int cap = maxSubscribers + 64;
        esper = EsperJar.start(EsperJar.options().args("--threads=2", "--max-subscribers=" + maxSubscribers));
        List<RawSubscriber> streams = Crowd.open(esper.port(), maxSubscribers, i -> new Crowd.Ask(TOPIC, null), 30);
        open.addAll(streams);
        // The rest of the cap: half keep-alive connections idle after a request, half that never send a byte.
        for (int i = 0; i < cap - maxSubscribers; i++) {
            RawHttp c = RawHttp.connect(esper.port(), Duration.ofSeconds(40));
            open.add(c);
            if (i % 2 == 0) {
                c.write(RawHttp.request("GET", "/stats", List.of(), null));
                assertThat(c.readResponse().status()).isEqualTo(200);
            }
        }

        long start = System.nanoTime();
        RawHttp.Response published;
        try (RawHttp publisher = RawHttp.connect(esper.port(), Duration.ofSeconds(5))) {
            publisher.write(RawHttp.publish(TOPIC, "data: got in"));
            published = publisher.readResponse();
        }
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        System.out.printf("idle connections: a publisher at the cap (%d streams, %d idle) answered in %d ms%n",
                maxSubscribers, cap - maxSubscribers, millis);
        assertThat(published.status()).as(published.bodyText()).isEqualTo(200);
        assertThat(millis).as("ms until a publisher at the connection cap is answered").isLessThan(1_000);
        // Only idle connections made room: every stream is still there and gets the event.
        for (RawSubscriber s : streams) {
            assertThat(s.awaitEvents(1)).extracting(RawSubscriber.Event::data).containsExactly("got in");
        }
        assertThat(esper.exceptionLines()).isEmpty();
    }

    @Test
    void connectionsThatSendNothingAreClosedFiveSecondsAfterConnectingWhileIdleKeepAliveOnesStay()
            throws Exception {
        esper = EsperJar.start(EsperJar.options().args("--threads=2"));
        List<RawHttp> silent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            RawHttp c = RawHttp.connect(esper.port(), Duration.ofSeconds(15));
            open.add(c);
            silent.add(c);
        }
        RawHttp keepAlive = RawHttp.connect(esper.port(), Duration.ofSeconds(15));
        open.add(keepAlive);
        keepAlive.write(RawHttp.request("GET", "/stats", List.of(), null));
        assertThat(keepAlive.readResponse().status()).isEqualTo(200);
        long start = System.nanoTime();

        for (RawHttp c : silent) {
            assertThat(readEnd(c)).as("a connection that sent nothing is closed").isTrue();
        }
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        System.out.printf("idle connections: 50 silent connections closed after %d ms%n", millis);
        assertThat(millis).isBetween(4_000L, 7_500L);
        // A connection between requests is left to the 30 s idle timeout (below the cap nothing is evicted).
        keepAlive.write(RawHttp.request("GET", "/stats", List.of(), null));
        assertThat(keepAlive.readResponse().status()).isEqualTo(200);
        assertThat(esper.exceptionLines()).isEmpty();
    }

    @Test
    void underALowOpenFilesLimitTheCapsStayBelowItAndAPublisherGetsInWithoutStackTraces() throws Exception {
        int fileLimit = 512;
        esper = EsperJar.start(EsperJar.options().fileLimit(fileLimit).args("--threads=2", "--max-subscribers=1000"));
        // 512 files less 128 for the JVM: 384 connections, of which 320 streams (384 = 320 + 64 for publishers).
        int subscribers = 320;
        List<RawSubscriber> streams = Crowd.open(esper.port(), subscribers, i -> new Crowd.Ask(TOPIC, null), 30);
        open.addAll(streams);
        RawHttp.Response oneMore = RawHttp.exchange(esper.port(),
                RawHttp.request("GET", "/subscribe/" + TOPIC, List.of("Accept: text/event-stream"), null));
        assertThat(oneMore.status()).as("a subscriber past the lowered limit: %s", oneMore.bodyText()).isEqualTo(503);
        // More silent connections than the process may open files: without a cap below the limit, accept fails.
        for (int i = 0; i < fileLimit + 100; i++) {
            open.add(RawHttp.connect(esper.port(), Duration.ofSeconds(20)));
        }
        long start = System.nanoTime();
        RawHttp.Response published;
        try (RawHttp publisher = RawHttp.connect(esper.port(), Duration.ofSeconds(10))) {
            publisher.write(RawHttp.publish(TOPIC, "data: got in"));
            published = publisher.readResponse();
        }
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        System.out.printf("idle connections: under ulimit -n %d, a publisher behind %d silent connections answered "
                + "in %d ms%n", fileLimit, fileLimit + 100, millis);
        assertThat(published.status()).as(published.bodyText()).isEqualTo(200);
        assertThat(millis).isLessThan(2_000);
        for (RawSubscriber stream : streams) {
            assertThat(stream.awaitEvents(1)).extracting(RawSubscriber.Event::data).containsExactly("got in");
        }
        assertThat(esper.log()).contains("--max-subscribers=1000 cannot be reached", "subscribers at 320")
                .doesNotContain("Accept Failure").doesNotContain("Too many open files");
        assertThat(esper.exceptionLines()).isEmpty();
    }

    /** True if the server closed the connection (EOF or reset) before the read timed out. */
    private static boolean readEnd(RawHttp c) throws IOException {
        try {
            return c.input().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }
}
