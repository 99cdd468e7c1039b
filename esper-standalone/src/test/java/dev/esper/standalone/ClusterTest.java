package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import dev.esper.testsupport.RedisServerFixture;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Three esper servers on one real redis-server, over HTTP: one broker, whichever node a client uses. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ClusterTest {
    private static final String TOPIC = "clusterHttp1";
    private static final Duration WAIT = Duration.ofSeconds(20);

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

    private EsperServer node() {
        EsperServer s = EsperServer.startOnAnyFreePort(EsperConfig.builder().redis(redis.uri()).build());
        servers.add(s);
        return s;
    }

    /** An open {@code /subscribe} stream read on its own thread. */
    private final class Stream implements AutoCloseable {
        final List<String> ids = new CopyOnWriteArrayList<>();
        final List<String> data = new CopyOnWriteArrayList<>();
        volatile boolean ended;
        private final InputStream body;

        Stream(EsperServer node, String lastEventId) throws Exception {
            HttpRequest.Builder req = HttpRequest.newBuilder(node.uri().resolve("subscribe/" + TOPIC));
            if (lastEventId != null) {
                req.header("Last-Event-ID", lastEventId);
            }
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(r.statusCode()).isEqualTo(200);
            body = r.body();
            BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            Thread t = new Thread(() -> {
                try {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.startsWith("id: ")) {
                            ids.add(line.substring(4));
                        } else if (line.startsWith("data: ")) {
                            data.add(line.substring(6));
                        }
                    }
                } catch (Exception e) {
                    // closed
                }
                ended = true;
            }, "test-sse-reader");
            t.setDaemon(true);
            t.start();
            streams.add(this);
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

    private HttpResponse<String> publish(EsperServer node, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(node.uri().resolve("publish/" + TOPIC))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String stats(EsperServer node) throws Exception {
        return http.send(HttpRequest.newBuilder(node.uri().resolve("stats")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static List<String> numbered(String prefix, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Test
    void subscribersOnEveryNodeGetPublishesFromTwoOtherNodesOnceInOneOrder() throws Exception {
        EsperServer a = node();
        EsperServer b = node();
        EsperServer c = node();
        List<Stream> subs = List.of(new Stream(a, null), new Stream(a, null), new Stream(b, null), new Stream(c, null));

        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (EsperServer node : List.of(b, c)) {
                String name = node == b ? "b" : "c";
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        assertThat(publish(node, "data: " + name + i).statusCode()).isEqualTo(200);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        await().atMost(WAIT).until(() -> subs.stream().allMatch(s -> s.data.size() >= 100));
        List<String> order = subs.get(0).data;
        assertThat(order).hasSize(100).doesNotHaveDuplicates();
        assertThat(order.stream().filter(d -> d.startsWith("b")).toList()).isEqualTo(numbered("b", 0, 49));
        assertThat(order.stream().filter(d -> d.startsWith("c")).toList()).isEqualTo(numbered("c", 0, 49));
        for (Stream s : subs) {
            assertThat(s.data).isEqualTo(order);
            assertThat(s.ids).isEqualTo(subs.get(0).ids);
        }
    }

    @Test
    void aClientThatReconnectsToAnotherNodeWithLastEventIdGetsExactlyWhatItMissed() throws Exception {
        EsperServer a = node();
        EsperServer b = node();
        EsperServer c = node();
        Stream first = new Stream(a, null);
        for (String d : numbered("e", 1, 3)) {
            publish(b, "data: " + d);
        }
        await().atMost(WAIT).until(() -> first.data.size() == 3);
        first.close();
        for (String d : numbered("e", 4, 6)) {
            assertThat(publish(a, "data: " + d).statusCode()).isEqualTo(200);
        }

        Stream resumed = new Stream(c, first.ids.get(2));
        publish(b, "data: e7");

        await().atMost(WAIT).until(() -> resumed.data.size() >= 4);
        assertThat(resumed.data).containsExactly("e4", "e5", "e6", "e7");
        assertThat(stats(c)).contains("\"transport\":{").contains("\"state\":\"up\"")
                .contains("\"followed_topics\":1").contains("\"clients\":1");
    }

    @Test
    void whileRedisIsDownPublishesGet503AndStreamsStayOpenAndReceiveAgainOnceItIsBack() throws Exception {
        EsperServer a = node();
        EsperServer b = node();
        Stream sub = new Stream(a, null);
        publish(b, "data: before");
        await().atMost(WAIT).until(() -> sub.data.size() == 1);

        redis.kill();
        await().atMost(WAIT).until(() -> stats(b).contains("\"state\":\"down\""));
        HttpResponse<String> refused = publish(b, "data: refused");
        assertThat(refused.statusCode()).isEqualTo(503);
        assertThat(refused.body()).contains("Redis at 127.0.0.1:" + redis.port()).contains("not ordered");
        assertThat(stats(a)).contains("\"state\":\"down\"");

        redis.start();
        await().atMost(WAIT).until(() -> stats(a).contains("\"state\":\"up\"") && stats(b).contains("\"state\":\"up\""));
        await().atMost(WAIT).until(() -> publish(b, "data: after").statusCode() == 200);

        await().atMost(WAIT).until(() -> sub.data.size() >= 2);
        assertThat(sub.data).containsExactly("before", "after");
        assertThat(sub.ended).isFalse();
        assertThat(Long.parseLong(sub.ids.get(1))).isGreaterThan(Long.parseLong(sub.ids.get(0)));
    }

    @Test
    void theRedisOptionComesFromTheFlagOrEsperRedisUrlAndIsChecked() {
        StringWriter err = new StringWriter();
        PrintWriter out = new PrintWriter(new StringWriter());
        Cli.Parsed flag = Cli.parse(new String[] {"--redis", "redis://127.0.0.1:6379"}, Map.of(), out,
                new PrintWriter(err));
        Cli.Parsed env = Cli.parse(new String[0], Map.of("ESPER_REDIS_URL", "redis://10.0.0.5:6380"), out,
                new PrintWriter(err));
        Cli.Parsed none = Cli.parse(new String[0], Map.of(), out, new PrintWriter(err));
        Cli.Parsed bad = Cli.parse(new String[] {"--redis", "localhost:6379"}, Map.of(), out, new PrintWriter(err));

        assertThat(flag.config().redis()).contains("redis://127.0.0.1:6379");
        assertThat(env.config().redis()).contains("redis://10.0.0.5:6380");
        assertThat(none.config().redis()).isEmpty();
        assertThat(bad.config()).isNull();
        assertThat(bad.exitCode()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).contains("--redis").contains("redis://127.0.0.1:6379");
    }

    @Test
    void aServerWhoseRedisCannotBeReachedDoesNotStart() {
        assertThatThrownBy(() -> EsperServer.startOnAnyFreePort(
                EsperConfig.builder().redis("redis://127.0.0.1:1").build()))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("cannot connect to Redis at 127.0.0.1:1");
    }
}
