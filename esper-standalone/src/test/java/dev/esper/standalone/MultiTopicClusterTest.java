package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import dev.esper.testsupport.RedisServerFixture;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SPEC 8 across standalone servers on one real redis-server, over HTTP: a stream of 8 topics on one node, cut, and
 * resumed on another node with the last event id.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MultiTopicClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int TOPICS = 8;

    private RedisServerFixture redis;
    private final List<EsperServer> servers = new ArrayList<>();
    private final List<Stream> streams = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void startRedis() {
        redis = RedisServerFixture.start(true);
    }

    @AfterEach
    void stopAll() {
        streams.forEach(Stream::close);
        servers.forEach(s -> s.stop(Duration.ofMillis(200)));
        redis.close();
    }

    private EsperServer node(int historySize) {
        EsperServer s = EsperServer.startOnAnyFreePort(EsperConfig.builder().redis(redis.uri())
                .historySize(historySize).build());
        servers.add(s);
        return s;
    }

    private static String topic(int k) {
        return "httpacross" + k;
    }

    private static String target() {
        StringBuilder q = new StringBuilder("subscribe?");
        for (int k = 0; k < TOPICS; k++) {
            q.append(k == 0 ? "" : "&").append("topic=").append(topic(k));
        }
        return q.toString();
    }

    /** A stream of the 8 topics, read on its own thread; records whole events only, as a browser dispatches them. */
    private final class Stream implements AutoCloseable {
        /** (id, event name, data) of each whole event. */
        final List<String[]> events = new CopyOnWriteArrayList<>();
        private final InputStream body;

        Stream(EsperServer node, String lastEventId) throws Exception {
            HttpRequest.Builder req = HttpRequest.newBuilder(node.uri().resolve(target()));
            if (lastEventId != null) {
                req.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            body = r.body();
            BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            Thread t = new Thread(() -> {
                String id = null;
                String name = null;
                String data = null;
                try {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        if (line.isEmpty()) {
                            if (data != null) {
                                events.add(new String[] {id, name, data});
                            }
                            id = null;
                            name = null;
                            data = null;
                        } else if (line.startsWith("id: ")) {
                            id = line.substring(4);
                        } else if (line.startsWith("event: ")) {
                            name = line.substring(7);
                        } else if (line.startsWith("data: ")) {
                            data = line.substring(6);
                        }
                    }
                } catch (Exception e) {
                    // closed
                }
            }, "test-sse-reader");
            t.setDaemon(true);
            t.start();
            streams.add(this);
        }

        List<String> data() {
            return data(events);
        }

        static List<String> data(List<String[]> events) {
            return events.stream().filter(e -> e[1] == null).map(e -> e[2]).toList();
        }

        List<String> gaps() {
            return events.stream().filter(e -> "esper-gap".equals(e[1])).map(e -> e[2]).toList();
        }

        String lastId() {
            return lastId(new ArrayList<>(events));
        }

        static String lastId(List<String[]> events) {
            return events.get(events.size() - 1)[0];
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (Exception e) {
                // already closed
            }
        }
    }

    private void publish(EsperServer node, int k, String data) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(node.uri().resolve("publish/" + topic(k)))
                    .POST(HttpRequest.BodyPublishers.ofString("data: " + data)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void eightTopicsOnOneNodeCutAndResumedOnAnotherWithTheLastEventIdGetEveryEventExactlyOnce() throws Exception {
        EsperServer a = node(5_000);
        EsperServer b = node(5_000);
        Stream first = new Stream(a, null);
        await().atMost(WAIT).until(() -> stats(a).contains("\"clients\":1"));
        Map<Integer, List<String>> published = new LinkedHashMap<>();
        for (int k = 0; k < TOPICS; k++) {
            published.put(k, new CopyOnWriteArrayList<>());
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger round = new AtomicInteger();
        Thread publisher = new Thread(() -> {
            while (!stop.get() && round.get() < 1_000) {
                int r = round.incrementAndGet();
                for (int k = 0; k < TOPICS; k++) {
                    if (r % (1 << k) == 0) {
                        String data = topic(k) + "#" + r;
                        published.get(k).add(data);
                        publish(r % 2 == 0 ? a : b, k, data);
                    }
                }
            }
        }, "test-publisher");
        publisher.start();
        await().atMost(WAIT).until(() -> first.data().size() >= 30);
        first.close();
        // What the client has when its connection is gone: one snapshot for its events and its last id.
        List<String[]> snapshot = new ArrayList<>(first.events);
        List<String> had = Stream.data(snapshot);
        String lastId = Stream.lastId(snapshot);
        await().atMost(WAIT).until(() -> round.get() > 80);

        Stream resumed = new Stream(b, lastId);
        await().atMost(WAIT).until(() -> round.get() > 140);
        stop.set(true);
        publisher.join(20_000);

        int total = published.values().stream().mapToInt(List::size).sum();
        await().atMost(WAIT).until(() -> had.size() + resumed.data().size() >= total);
        for (int k = 0; k < TOPICS; k++) {
            String prefix = topic(k) + "#";
            List<String> both = new ArrayList<>(had.stream().filter(d -> d.startsWith(prefix)).toList());
            both.addAll(resumed.data().stream().filter(d -> d.startsWith(prefix)).toList());
            assertThat(both).as(topic(k)).containsExactlyElementsOf(published.get(k));
        }
        assertThat(resumed.gaps()).isEmpty();
        assertThat(lastId).matches("httpacross[0-7]:[A-Za-z0-9._~-]+");
    }

    @Test
    void aResumeOnAnotherNodeFromAnIdRedisNoLongerCoversStartsWithAnEsperGap() throws Exception {
        EsperServer a = node(2);
        EsperServer b = node(2);
        Stream first = new Stream(a, null);
        await().atMost(WAIT).until(() -> stats(a).contains("\"clients\":1"));
        publish(a, 3, topic(3) + "#1");
        await().atMost(WAIT).until(() -> first.data().size() == 1);
        first.close();
        for (int i = 2; i <= 5; i++) {
            publish(b, 3, topic(3) + "#" + i);
        }

        Stream resumed = new Stream(b, first.lastId());

        await().atMost(WAIT).until(() -> resumed.data().size() == 2);
        assertThat(resumed.gaps()).containsExactly("{\"topics\":[\"" + topic(3) + "\"]}");
        assertThat(resumed.data()).containsExactly(topic(3) + "#4", topic(3) + "#5");
        assertThat(resumed.events.get(0)[1]).as("the gap comes first").isEqualTo("esper-gap");
    }

    private String stats(EsperServer node) throws Exception {
        return http.send(HttpRequest.newBuilder(node.uri().resolve(URI.create("stats"))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }
}
