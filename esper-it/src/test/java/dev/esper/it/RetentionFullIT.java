package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retention full (issue "Reliability, round 2", item 2), scaled down: silent subscribers keep their topics from
 * being idle, so no topic can be evicted, and what is published to those topics fills
 * {@code --max-retained-bytes}. Every publish, to those topics and to another, must still get {@code 200}
 * (the oldest retained events make room), and a reader of another topic keeps receiving. Before, every publish
 * got {@code 503} until the events aged out.
 */
class RetentionFullIT {
    private static final long MAX_RETAINED = 4L * 1024 * 1024;
    private static final int SILENT = 100;
    private static final int PER_TOPIC = 16;
    private static final int PAYLOAD = 4_000;

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
    void whenRetentionIsFullOfBusyTopicsEveryPublishStillSucceedsAndAReaderElsewhereKeepsReceiving()
            throws Exception {
        esper = EsperJar.start(EsperJar.options().maxHeap("256m")
                .args("--max-retained-bytes=" + MAX_RETAINED, "--history-size=1000", "--max-body=65536"));
        for (int i = 0; i < SILENT; i++) {
            Socket s = new Socket();
            open.add(s);
            s.setReceiveBufferSize(4096);
            s.connect(new InetSocketAddress("127.0.0.1", esper.port()), 10_000);
            s.getOutputStream().write(RawHttp.request("GET", "/subscribe/" + topic(i), List.of(), null));
            s.getOutputStream().flush();
        }
        RawSubscriber reader = RawSubscriber.open(esper.port(), "elsewhere1", null);
        open.add(reader);
        await().atMost(Duration.ofSeconds(10)).until(() -> esper.stat("clients") == SILENT + 1);

        String body = "data: " + "r".repeat(PAYLOAD);
        int published = 0;
        try (RawHttp publisher = RawHttp.connect(esper.port(), Duration.ofSeconds(10))) {
            // About 6.4 MB to the busy topics: past the 4 MiB bound, with no topic idle.
            for (int round = 0; round < PER_TOPIC; round++) {
                for (int i = 0; i < SILENT; i++) {
                    publisher.write(RawHttp.publish(topic(i), body));
                    RawHttp.Response r = publisher.readResponse();
                    assertThat(r.status()).as("publish %d to %s: %s", published, topic(i), r.bodyText())
                            .isEqualTo(200);
                    published++;
                }
                publisher.write(RawHttp.publish("elsewhere1", "data: elsewhere " + round));
                assertThat(publisher.readResponse().status()).isEqualTo(200);
            }
        }

        assertThat(esper.stat("retained_bytes")).isLessThanOrEqualTo(MAX_RETAINED + PAYLOAD + 100);
        assertThat(esper.stat("evicted")).as("busy topics are never evicted").isZero();
        assertThat(reader.awaitEvents(PER_TOPIC)).hasSize(PER_TOPIC);
        assertThat(esper.exceptionLines()).isEmpty();
        System.out.printf("retention full: %d publishes of %d B to %d busy topics, all 200; stats %s%n", published,
                PAYLOAD, SILENT, esper.stats());
    }

    private static String topic(int i) {
        return String.format("busytopic%04d", i);
    }
}
