package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measure mode, off by default: what an idle stream costs the real server (the jar, in its own JVM), following 1, 8
 * or 32 topics on one stream ({@code /subscribe?topic=…}) or one stream per topic ({@code /subscribe/{topic}}),
 * printed as a table; no pass or fail beyond every stream opening. Per reader: the growth of the server's RSS and of
 * its live heap after a full GC ({@code jcmd GC.class_histogram}), divided by the readers. Every reader follows the
 * same topics, each of which has one retained event.
 *
 * <pre>
 * mvn -B -pl esper-it -am verify -Desper.measure=true -Dit.test=MultiTopicCostIT -Dit.failIfNoSpecifiedTests=false \
 *     -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 */
@Tag("measure")
@EnabledIfSystemProperty(named = "esper.measure", matches = "true")
class MultiTopicCostIT {
    /** Streams per case (the readers times their streams): enough that per-stream figures are stable. */
    private static final int STREAMS = 2_048;
    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void printsIdleRssAndLiveHeapPerReaderAtOneEightAnd32TopicsOnOneStreamAndOnOneStreamPerTopic() throws Exception {
        System.out.printf("measure: %d idle streams a case; per reader of every topic: RSS and live heap growth%n",
                STREAMS);
        System.out.println("measure: topics  streams-per-reader  readers  rss_kib_per_reader  live_heap_b_per_reader");
        for (int topics : new int[] {1, 8, 32}) {
            for (boolean oneStream : new boolean[] {true, false}) {
                measure(topics, oneStream);
            }
        }
    }

    private void measure(int topics, boolean oneStream) throws Exception {
        int readers = oneStream ? STREAMS : STREAMS / topics;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < topics; i++) {
            ids.add("measuretopic" + i);
        }
        try (EsperJar esper = EsperJar.start(EsperJar.options().maxHeap("512m").args("--heartbeat=0"))) {
            for (String t : ids) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(esper.uri("/publish/" + t))
                        .POST(HttpRequest.BodyPublishers.ofString("data: x")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
            }
            String multi = "/subscribe?topic=" + String.join("&topic=", ids);
            // Warm up: open and close a few streams, so pools and classes are in place before the baseline.
            List<RawHttp> warm = open(esper, oneStream ? List.of(multi) : List.of("/subscribe/" + ids.get(0)), 64);
            warm.forEach(RawHttp::close);
            await().atMost(Duration.ofSeconds(10)).until(() -> esper.stat("clients") == 0);
            long heap0 = esper.liveHeapBytes();
            long rss0 = esper.rssKib();

            List<String> targets = new ArrayList<>();
            if (oneStream) {
                targets.add(multi);
            } else {
                ids.forEach(t -> targets.add("/subscribe/" + t));
            }
            List<RawHttp> open = open(esper, targets, readers);
            await().atMost(Duration.ofSeconds(30)).until(() -> esper.stat("clients") == (long) open.size());
            long heap = esper.liveHeapBytes() - heap0;
            long rss = esper.rssKib() - rss0;
            System.out.printf("measure: %6d  %18d  %7d  %18.1f  %22d%n", topics, oneStream ? 1 : topics, readers,
                    (double) rss / readers, heap / readers);
            open.forEach(RawHttp::close);
        }
    }

    /** Opens {@code readers} readers, each with one stream per target, and reads each answer's head. */
    private static List<RawHttp> open(EsperJar esper, List<String> targets, int readers) {
        List<RawHttp> sent = new ArrayList<>();
        for (int r = 0; r < readers; r++) {
            for (String target : targets) {
                sent.add(RawSubscriber.sendTo(esper.port(), target, null, null, Duration.ofSeconds(10)));
            }
        }
        for (RawHttp c : sent) {
            RawSubscriber.accept(c);
        }
        return sent;
    }
}
