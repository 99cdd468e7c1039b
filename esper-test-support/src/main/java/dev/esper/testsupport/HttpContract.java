package dev.esper.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.broker.Broker;
import dev.esper.broker.BrokerStats;
import dev.esper.config.EsperConfig;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SPEC 2, 2.1, 2.2, 2.3, 5, 7, 8 and 8.1 over real HTTP, with esper's HTTP API mounted in a front end as a user
 * would mount it. Each front end runs this suite through a subclass.
 */
public abstract class HttpContract {
    /** A valid topic id. */
    protected static final String TOPIC = "abcdef123";
    private static final Duration PROMPTLY = Duration.ofSeconds(3);
    private static final Pattern FRAME = Pattern.compile("id: ([^\\n]*)\\n(?:event: [^\\n]*\\n)?data: ([^\\n]*)\\n\\n");

    /** The running front end of the current test, closed after it; null before it starts one. */
    protected ApiFixture server;

    /** A fresh, stopped front end. */
    protected abstract FrontEnd frontEnd();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    protected ApiFixture open() throws Exception {
        return open(Broker.builder());
    }

    protected ApiFixture open(Broker.Builder broker) throws Exception {
        server = ApiFixture.open(frontEnd(), broker);
        return server;
    }

    protected ApiFixture withConfig(Broker.Builder broker, EsperConfig.Builder config) throws Exception {
        server = ApiFixture.start(frontEnd(), broker.build(), config.build());
        return server;
    }

    /** No tokens. */
    protected static EsperConfig.Builder openConfig() {
        return EsperConfig.builder();
    }

    /** Both sides protected, by {@link Tokens#SUBSCRIBER_SECRET} and {@link Tokens#PUBLISHER_SECRET}. */
    protected static EsperConfig.Builder protectedConfig() {
        return EsperConfig.builder().subscriberSecret(Tokens.SUBSCRIBER_SECRET)
                .publisherSecret(Tokens.PUBLISHER_SECRET);
    }

    static String idOf(HttpResponse<String> publish) {
        Matcher m = Pattern.compile("\"ids\":\\[\"([^\"]+)\"").matcher(publish.body());
        assertThat(m.find()).as("ids in %s", publish.body()).isTrue();
        return m.group(1);
    }

    /** (id, data) of every event frame in a stream's text. */
    static List<String[]> frames(String text) {
        List<String[]> out = new ArrayList<>();
        Matcher m = FRAME.matcher(text);
        while (m.find()) {
            out.add(new String[] {m.group(1), m.group(2)});
        }
        return out;
    }

    // ---- 2.1 subscribe / 2.2 publish: the happy path ------------------------------------------------

    @Test
    void aPublishedEventReachesTheSubscriberAsTheExactFrame() throws Exception {
        open();
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);
        assertThat(stream.header("Content-Type")).startsWith("text/event-stream").containsIgnoringCase("charset=utf-8");
        assertThat(stream.header("Cache-Control")).isEqualTo("no-cache");
        assertThat(stream.header("X-Accel-Buffering")).isEqualTo("no");
        assertThat(stream.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(stream.bodySoFar()).isEqualTo(":ok\n\n");

        HttpResponse<String> published = server.publish(TOPIC, "event: testing\ndata: {\"some\":\"data\"}");

        assertThat(published.statusCode()).isEqualTo(200);
        assertThat(published.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        String id = idOf(published);
        assertThat(published.body()).isEqualTo("{\"published\":1,\"ids\":[\"" + id + "\"],\"subscribers\":1}");
        String expected = ":ok\n\nid: " + id + "\nevent: testing\ndata: {\"some\":\"data\"}\n\n";
        assertThat(stream.awaitBody(expected, PROMPTLY)).isEqualTo(expected);
    }

    @Test
    void aBatchIsPublishedInOrderWithEveryLineEnding() throws Exception {
        open();
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);

        HttpResponse<String> published = server.publish(TOPIC,
                "data: one\r\n\r\nid: my-id\rdata: two\r\rdata: three\ndata: lines\n\n");

        assertThat(published.statusCode()).isEqualTo(200);
        assertThat(published.body()).startsWith("{\"published\":3,\"ids\":[").contains("\"my-id\"")
                .endsWith("\"subscribers\":1}");
        String text = stream.awaitBody("data: lines\n\n", PROMPTLY);
        assertThat(text).contains("id: my-id\ndata: two\n\n");
        assertThat(text).contains("data: three\ndata: lines\n\n");
        assertThat(text.indexOf("data: one")).isLessThan(text.indexOf("data: two"));
        assertThat(text.indexOf("data: two")).isLessThan(text.indexOf("data: three"));
    }

    @Test
    void topicIdsAreCaseInsensitive() throws Exception {
        open();
        RawHttp stream = server.subscribe("/subscribe/ABCdef123");

        assertThat(server.publish("abcDEF123", "data: hi").statusCode()).isEqualTo(200);

        assertThat(stream.awaitBody("data: hi\n\n", PROMPTLY)).contains("data: hi");
        assertThat(server.get("/stats").body()).contains("\"topics\":1");
    }

    @Test
    void aFormEncodedPublishBodyIsReadAsIsNeverFormDecoded() throws Exception {
        open();
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);

        HttpResponse<String> published = server.publish(TOPIC + "?x=1", "data: a=b&c=%41+d",
                "Content-Type", "application/x-www-form-urlencoded");

        assertThat(published.statusCode()).isEqualTo(200);
        assertThat(stream.awaitBody("data: a=b&c=%41+d\n\n", PROMPTLY)).contains("data: a=b&c=%41+d\n\n");
    }

    @Test
    void publishingToATopicWithoutSubscribersSucceedsAndIsRetained() throws Exception {
        open();

        HttpResponse<String> published = server.publish(TOPIC, "data: kept");

        assertThat(published.statusCode()).isEqualTo(200);
        assertThat(published.body()).endsWith("\"subscribers\":0}");
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC, "Last-Event-ID: 0");
        assertThat(stream.awaitBody("data: kept\n\n", PROMPTLY)).contains("data: kept");
    }

    @Test
    void theStreamEndsCleanlyWhenTheBrokerCloses() throws Exception {
        open();
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);

        server.broker().close(Duration.ofSeconds(1));

        assertThat(stream.awaitEnd(PROMPTLY)).isTrue();
    }

    // ---- 2: errors -----------------------------------------------------------------------------------

    @Test
    void unknownPathsAre404WithAShortJsonBody() throws Exception {
        open();
        for (String path : List.of("/", "/nope", "/subscribex", "/publish", "/stats/", "/stats/x", "/SUBSCRIBE/" + TOPIC)) {
            HttpResponse<String> r = server.get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.headers().firstValue("Content-Type")).as(path).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("application/json"));
            assertThat(r.body()).as(path).startsWith("{\"error\":\"no such route").doesNotContain("<");
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(path).hasValue("*");
        }
    }

    @Test
    void aWrongMethodOnAKnownRouteIs405WithAllow() throws Exception {
        open();
        Map<String, String[]> cases = Map.of(
                "/subscribe/" + TOPIC, new String[] {"POST", "GET, OPTIONS"},
                "/publish/" + TOPIC, new String[] {"GET", "POST, OPTIONS"},
                "/stats", new String[] {"DELETE", "GET, OPTIONS"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            HttpResponse<String> r = server.send(c.getValue()[0], c.getKey(), "data: x");
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).as(c.getKey()).hasValue(c.getValue()[1]);
            assertThat(r.body()).as(c.getKey()).startsWith("{\"error\":\"method '" + c.getValue()[0] + "'");
        }
        assertThat(server.broker().stats().published()).isZero();
    }

    @Test
    void anInvalidTopicIdIs400SayingWhatAValidIdIs() throws Exception {
        open();
        List<String> bad = List.of("abcdefg", "a".repeat(65), "abc-defgh", "abc_defgh", "abc%20defgh",
                "abcd%C3%A9fgh", "abcd%D9%A3fgh", "abcdefgh%21");
        for (String topic : bad) {
            HttpResponse<String> sub = server.get("/subscribe/" + topic);
            assertThat(sub.statusCode()).as(topic).isEqualTo(400);
            assertThat(sub.body()).as(topic).contains("topic id must be 8-64 ASCII letters or digits");
            HttpResponse<String> pub = server.publish(topic, "data: x");
            assertThat(pub.statusCode()).as(topic).isEqualTo(400);
        }
        assertThat(server.broker().stats().published()).isZero();
        assertThat(server.broker().stats().topics()).isZero();
    }

    @Test
    void anEncodedPercentNulOrSlashInATopicIsEspersOwn400SayingWhatAValidIdIs() throws Exception {
        open();
        for (String escape : List.of("%25", "%00", "%2F", "%C3%28")) {
            String topic = "abcd" + escape + "efgh";
            // Each on its own connection: a front end that refuses the path closes the connection after its 400,
            // and a pooled client could send the next request on it as it closes.
            RawHttp sub = server.raw("GET", "/subscribe/" + topic, List.of(), null).readHead();
            RawHttp pub = server.raw("POST", "/publish/" + topic, List.of("Content-Length: 7"),
                    "data: x".getBytes(StandardCharsets.US_ASCII)).readHead();
            for (RawHttp r : List.of(sub, pub)) {
                assertThat(r.status()).as(topic).isEqualTo(400);
                if (frontEnd().refusesInPaths(escape)) {
                    assertThat(r.readBody()).as(topic).doesNotContainIgnoringCase("<html").hasSizeLessThan(1000);
                } else {
                    assertThat(r.readBody()).as(topic).contains("topic id must be 8-64 ASCII letters or digits");
                }
            }
        }
        assertThat(server.broker().stats().topics()).isZero();
    }

    @Test
    void everyBodyRuleIsA400AndPublishesNothing() throws Exception {
        open();
        Map<String, String> bodies = new java.util.LinkedHashMap<>();
        bodies.put("empty", "");
        bodies.put("blank lines", "\n\n\r\n");
        bodies.put("comments only", ": one\n: two\n");
        bodies.put("no data", "event: x\nid: 1\n");
        bodies.put("unknown field", "data: x\nfoo: bar\n");
        bodies.put("empty retry", "data: x\nretry:\n");
        bodies.put("non-numeric retry", "data: x\nretry: 10s\n");
        bodies.put("NUL in id", "data: x\nid: a\u0000b\n");
        bodies.put("second event bad", "data: ok\n\nevent: y\n");
        for (Map.Entry<String, String> b : bodies.entrySet()) {
            HttpResponse<String> r = server.publish(TOPIC, b.getValue());
            assertThat(r.statusCode()).as(b.getKey()).isEqualTo(400);
            assertThat(r.body()).as(b.getKey()).startsWith("{\"error\":");
        }
        assertThat(server.publish(TOPIC, "data: x\nfoo: bar\n").body()).contains("foo");
        RawHttp raw = server.raw("POST", "/publish/" + TOPIC, List.of("Content-Length: 8"),
                new byte[] {'d', 'a', 't', 'a', ':', ' ', (byte) 0xC3, (byte) 0x28});
        assertThat(raw.readHead().status()).isEqualTo(400);
        assertThat(raw.readBody()).contains("UTF-8");
        assertThat(server.broker().stats().published()).isZero();
    }

    @Test
    void aBodyLargerThanTheLimitIs413AsSoonAsContentLengthSaysSo() throws Exception {
        withConfig(Broker.builder(), openConfig().maxBody(1000));

        // Only the head is sent: the answer must not wait for the body.
        RawHttp raw = server.raw("POST", "/publish/" + TOPIC, List.of("Content-Length: 1001"), null);

        assertThat(raw.readHead().status()).isEqualTo(413);
        assertThat(raw.readBody()).contains("larger than 1000 bytes");
        assertThat(server.broker().stats().published()).isZero();
    }

    @Test
    void aChunkedBodyIsCutOffWith413AtTheLimitWithoutWaitingForItsEnd() throws Exception {
        withConfig(Broker.builder(), openConfig().maxBody(1000));
        RawHttp raw = server.raw("POST", "/publish/" + TOPIC, List.of("Transfer-Encoding: chunked"), null);
        String data = "data: " + "x".repeat(600) + "\n";

        // Two chunks pass the limit; the body never ends (no last chunk).
        raw.write(chunk(data));
        raw.write(chunk(data));

        assertThat(raw.readHead().status()).isEqualTo(413);
        assertThat(raw.readBody()).contains("larger than 1000 bytes");
        assertThat(server.broker().stats().published()).isZero();
    }

    @Test
    void aBodyExactlyAtTheLimitIsPublished() throws Exception {
        withConfig(Broker.builder(), openConfig().maxBody(1000));
        String body = "data: " + "y".repeat(1000 - 6);

        assertThat(server.publish(TOPIC, body).statusCode()).isEqualTo(200);
        RawHttp raw = server.raw("POST", "/publish/" + TOPIC, List.of("Transfer-Encoding: chunked"), null);
        raw.write(chunk(body.substring(0, 500)));
        raw.write(chunk(body.substring(500)));
        raw.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(raw.readHead().status()).isEqualTo(200);
        assertThat(server.broker().stats().published()).isEqualTo(2);
    }

    private static byte[] chunk(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        byte[] head = (Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + b.length + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(b, 0, out, head.length, b.length);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    @Test
    void aSubscribePastMaxSubscribersIs503WithAReasonAndCors() throws Exception {
        open(Broker.builder().maxSubscribers(1));
        RawHttp first = server.subscribe("/subscribe/" + TOPIC);

        HttpResponse<String> second = server.get("/subscribe/" + TOPIC);

        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(second.body()).startsWith("{\"error\":\"too many subscribers");
        assertThat(second.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(server.clients()).isEqualTo(1);
        first.close();
        await().atMost(PROMPTLY).until(() -> server.clients() == 0);
        assertThat(server.subscribe("/subscribe/" + TOPIC).bodySoFar()).isEqualTo(":ok\n\n");
    }

    // ---- 2.1 resume ----------------------------------------------------------------------------------

    @Test
    void resumingWithLastEventIdLosesAndRepeatsNothingWhilePublishingContinues() throws Exception {
        resumeWhilePublishing(true);
    }

    @Test
    void resumingWithTheLastEventIdQueryParameterLosesAndRepeatsNothingWhilePublishingContinues() throws Exception {
        resumeWhilePublishing(false);
    }

    private void resumeWhilePublishing(boolean header) throws Exception {
        open(Broker.builder().historySize(1000));
        int total = 120;
        RawHttp first = server.subscribe("/subscribe/" + TOPIC);
        Thread publisher = new Thread(() -> {
            try {
                for (int i = 1; i <= total; i++) {
                    assertThat(server.publish(TOPIC, "data: " + i).statusCode()).isEqualTo(200);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "test-publisher");
        publisher.start();
        first.awaitBody("data: 20\n\n", Duration.ofSeconds(10));
        first.abort();
        List<String[]> before = frames(first.bodySoFar());
        String lastId = before.get(before.size() - 1)[0];

        RawHttp second = header
                ? server.subscribe("/subscribe/" + TOPIC, "Last-Event-ID: " + lastId)
                : server.subscribe("/subscribe/" + TOPIC + "?lastEventId=" + lastId);
        second.awaitBody("data: " + total + "\n\n", Duration.ofSeconds(20));
        publisher.join(20_000);

        List<String> data = new ArrayList<>();
        before.forEach(f -> data.add(f[1]));
        frames(second.bodySoFar()).forEach(f -> data.add(f[1]));
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= total; i++) {
            expected.add(Integer.toString(i));
        }
        assertThat(data).containsExactlyElementsOf(expected);
    }

    @Test
    void theLastEventIdHeaderWinsOverTheQueryAndAnEmptyHeaderCountsAsNone() throws Exception {
        open();
        String one = idOf(server.publish(TOPIC, "data: one"));
        String two = idOf(server.publish(TOPIC, "data: two"));
        server.publish(TOPIC, "data: three");

        RawHttp both = server.subscribe("/subscribe/" + TOPIC + "?lastEventId=" + one, "Last-Event-ID: " + two);
        RawHttp emptyHeader = server.subscribe("/subscribe/" + TOPIC + "?lastEventId=" + one, "Last-Event-ID: ");

        assertThat(both.awaitBody("data: three\n\n", PROMPTLY)).doesNotContain("data: two");
        assertThat(emptyHeader.awaitBody("data: three\n\n", PROMPTLY)).contains("data: two").doesNotContain("data: one");
    }

    @Test
    void aSubscribeWithoutALastEventIdReplaysNothing() throws Exception {
        open();
        server.publish(TOPIC, "data: old");
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);

        server.publish(TOPIC, "data: new");

        assertThat(stream.awaitBody("data: new\n\n", PROMPTLY)).doesNotContain("data: old");
    }

    // ---- 2.1 heartbeat -------------------------------------------------------------------------------

    @Test
    void anIdleStreamGetsAHeartbeatComment() throws Exception {
        open(Broker.builder().heartbeat(Duration.ofMillis(200)));
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);

        assertThat(stream.awaitBody(":ok\n\n:\n\n", PROMPTLY)).startsWith(":ok\n\n:\n\n");
    }

    // ---- 2.3 stats -----------------------------------------------------------------------------------

    @Test
    void statsReportsTheCountersAsJson() throws Exception {
        open();
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);
        server.publish(TOPIC, "data: x");
        stream.awaitBody("data: x\n\n", PROMPTLY);

        HttpResponse<String> stats = server.get("/stats");

        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(stats.headers().firstValue("Content-Type")).hasValueSatisfying(
                ct -> assertThat(ct).startsWith("application/json"));
        assertThat(stats.body()).contains("\"clients\":1", "\"topics\":1", "\"published\":1", "\"delivered\":1",
                "\"dropped\":0", "\"uptime_seconds\":");
    }

    // ---- 10: health probes, refused requests -----------------------------------------------------------

    @Test
    void livenessAndReadinessAnswerWithoutATokenWhileBothSidesAreProtected() throws Exception {
        withConfig(Broker.builder(), protectedConfig());

        for (String probe : List.of("/health/live", "/health/ready")) {
            HttpResponse<String> r = server.get(probe, "Authorization", "Bearer not-a-token");
            assertThat(r.statusCode()).as(probe).isEqualTo(200);
            assertThat(r.body()).as(probe).isEqualTo("{\"status\":\"UP\"}");
            assertThat(r.headers().firstValue("Content-Type")).as(probe).hasValueSatisfying(
                    ct -> assertThat(ct).startsWith("application/json"));
            assertThat(r.headers().firstValue("Cache-Control")).as(probe).contains("no-store");
        }
        assertThat(server.send("POST", "/health/ready", "x").statusCode()).isEqualTo(405);
    }

    @Test
    void readinessIs503WithAReasonOnceAShutdownBeginsWhileLivenessStays200() throws Exception {
        open();
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);

        server.broker().beginShutdown();

        HttpResponse<String> ready = server.get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).isEqualTo("{\"status\":\"DOWN\",\"reason\":\"shutting down\"}");
        assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
        assertThat(server.publish(TOPIC, "data: still served").statusCode()).isEqualTo(200);
        assertThat(stream.awaitBody("data: still served\n\n", PROMPTLY)).contains("data: still served");
    }

    @Test
    void refusedRequestsAreCountedByStatusInStats() throws Exception {
        withConfig(Broker.builder(), protectedConfig());
        String publisher = "Bearer " + Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC);

        assertThat(server.get("/stats").statusCode()).isEqualTo(401);
        assertThat(server.get("/nope").statusCode()).isEqualTo(404);
        assertThat(server.publish(TOPIC, "nodata: x", "Authorization", publisher).statusCode()).isEqualTo(400);

        HttpResponse<String> stats = server.get("/stats", "Authorization", publisher);
        assertThat(stats.body()).contains("\"rejected\":{\"400\":1,\"401\":1,\"404\":1}");
        assertThat(server.broker().stats().rejected()).containsEntry(401, 1L);
    }

    // ---- 4 / 7: clients that go away -----------------------------------------------------------------

    @Test
    void aSubscriberThatSendsBytesOnItsStreamIsDisconnectedAndRemoved() throws Exception {
        open(Broker.builder().heartbeat(Duration.ofSeconds(60)));
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);
        assertThat(ApiFixture.clientsIn(server.get("/stats").body())).isEqualTo(1);

        // A stream has nothing to receive (its answer says Connection: close, so not even a next request);
        // bytes would otherwise be read and dropped by the container for as long as the client sends them.
        stream.write("GET /stats HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThat(stream.awaitEnd(PROMPTLY)).as("the server ends the stream").isTrue();
        await().atMost(PROMPTLY).until(() -> ApiFixture.clientsIn(server.get("/stats").body()) == 0);
    }

    @Test
    void anAbruptlyDisconnectedIdleStreamIsRemovedPromptly() throws Exception {
        open(Broker.builder().heartbeat(Duration.ofSeconds(60)));
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);
        assertThat(ApiFixture.clientsIn(server.get("/stats").body())).isEqualTo(1);

        stream.abort();

        await().atMost(PROMPTLY).until(() -> ApiFixture.clientsIn(server.get("/stats").body()) == 0);
    }

    @Test
    void aCleanlyClosedIdleStreamIsRemovedPromptly() throws Exception {
        open(Broker.builder().heartbeat(Duration.ofSeconds(60)));
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);
        assertThat(ApiFixture.clientsIn(server.get("/stats").body())).isEqualTo(1);

        stream.close();

        await().atMost(PROMPTLY).until(() -> ApiFixture.clientsIn(server.get("/stats").body()) == 0);
    }

    @Test
    void aStreamStillDeliversAfterOtherClientsLeft() throws Exception {
        open(Broker.builder().heartbeat(Duration.ofSeconds(60)));
        RawHttp stays = server.subscribe("/subscribe/" + TOPIC);
        server.subscribe("/subscribe/" + TOPIC).abort();
        server.subscribe("/subscribe/" + TOPIC).close();
        await().atMost(PROMPTLY).until(() -> server.clients() == 1);

        server.publish(TOPIC, "data: still");

        assertThat(stays.awaitBody("data: still\n\n", PROMPTLY)).contains("data: still");
    }

    @Test
    void aSubscriberThatDoesNotReadIsDroppedAndCounted() throws Exception {
        open(Broker.builder().subscriberBuffer(64 * 1024).heartbeat(Duration.ofSeconds(60)));
        RawHttp slow = server.subscribe("/subscribe/" + TOPIC);
        String big = "data: " + "z".repeat(60_000);

        // The slow client reads nothing more; sockets and container buffers fill, then the broker drops it.
        for (int i = 0; i < 400 && server.broker().stats().dropped() == 0; i++) {
            assertThat(server.publish(TOPIC, big).statusCode()).isEqualTo(200);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> server.broker().stats().dropped() == 1);
        await().atMost(PROMPTLY).until(() -> server.clients() == 0);
        slow.abort();
    }

    // ---- Idempotency-Key ----------------------------------------------------------------------------------

    @Test
    void aPublishRepeatedWithItsIdempotencyKeyGetsTheFirstAnswerAndPublishesOnce() throws Exception {
        open();
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);

        HttpResponse<String> first = server.publish(TOPIC, "data: once", "Idempotency-Key", "order-42");
        HttpResponse<String> again = server.publish(TOPIC, "data: once", "Idempotency-Key", "order-42");
        server.publish(TOPIC, "data: marker");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(server.broker().stats().published()).isEqualTo(2);
        String text = stream.awaitBody("data: marker", PROMPTLY);
        assertThat(text.split("data: once", -1)).hasSize(2);
        stream.close();
    }

    @Test
    void anIdempotencyKeyThatIsNotVisibleAsciiIs400AndPublishesNothing() throws Exception {
        open();
        HttpResponse<String> r = server.publish(TOPIC, "data: x", "Idempotency-Key", "x".repeat(256));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("Idempotency-Key must be 1 to 255 visible ASCII characters");
        assertThat(server.broker().stats().published()).isZero();
    }

    // ---- 4: a reader that keeps up is not dropped as too slow ----------------------------------------

    /**
     * With the bound at 64 KiB and 60 KiB events published back to back, a reader is often two events behind
     * the newest (one being written while the next arrives): that alone must not drop it. A subscriber of the
     * same topic that never reads (its kernel takes little: a 4 KiB receive buffer) must be dropped.
     */
    @Test
    void aReaderThatKeepsUpIsNeverDroppedWhileOneThatDoesNotReadOnTheSameTopicIs() throws Exception {
        open(Broker.builder().subscriberBuffer(64 * 1024).heartbeat(Duration.ofSeconds(60)));
        String event = "data: " + "k".repeat(60 * 1024 - 8);
        int runs = 50;
        // 6 MB a run: more than the kernel takes for a silent subscriber (about 4 MB of send buffer at most).
        int perRun = 100;
        List<StreamReader> silents = new ArrayList<>();
        try {
            for (int run = 0; run < runs; run++) {
                String topic = String.format("keepsup%04d", run);
                String target = server.prefix() + "/subscribe/" + topic;
                try (StreamReader reader = StreamReader.reading(server.port(), target)) {
                    silents.add(StreamReader.silent(server.port(), target));
                    // The reader and every silent one not dropped yet are registered.
                    await().atMost(PROMPTLY).until(() -> {
                        BrokerStats st = server.broker().stats();
                        return st.clients() == 1 + silents.size() - st.dropped();
                    });
                    for (int i = 0; i < perRun; i++) {
                        assertThat(server.publish(topic, event).statusCode()).isEqualTo(200);
                    }
                    int r = run;
                    await().atMost(Duration.ofSeconds(15)).until(() -> reader.events() == perRun || reader.ended());
                    assertThat(reader.ended()).as("run %d: the reader that keeps up was dropped", r).isFalse();
                    assertThat(reader.events()).as("run %d", r).isEqualTo(perRun);
                }
            }
            // Each silent one: over the bound, and no write completed for 2 s.
            await().atMost(Duration.ofSeconds(15)).until(() -> server.broker().stats().dropped() == runs);
            assertThat(silents).allSatisfy(s -> assertThat(s.events()).isLessThan(perRun));
        } finally {
            for (StreamReader s : silents) {
                s.close();
            }
        }
    }

    @Test
    void aReaderThatKeepsUpIsNotDroppedByBurstsOfLargeEventsAtTheDefaultBound() throws Exception {
        open(Broker.builder().heartbeat(Duration.ofSeconds(60)));
        String event = "data: " + "b".repeat(64 * 1024 - 8);
        try (StreamReader reader = StreamReader.reading(server.port(), server.prefix() + "/subscribe/" + TOPIC)) {
            await().atMost(PROMPTLY).until(() -> server.clients() == 1);
            for (int burst = 0; burst < 10; burst++) {
                for (int i = 0; i < 32; i++) {
                    assertThat(server.publish(TOPIC, event).statusCode()).isEqualTo(200);
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.events() == 320 || reader.ended());
            assertThat(reader.ended()).isFalse();
            assertThat(reader.events()).isEqualTo(320);
            assertThat(server.broker().stats().dropped()).isZero();
        }
    }

    /**
     * A stream the server ends on purpose (the broker closing) ends with HTTP/1.1's final chunk, so a client can
     * tell a clean end from a broken connection (where the container frames it so: not Tomcat).
     */
    @Test
    void aStreamTheServerEndsOnPurposeEndsWithItsFinalChunk() throws Exception {
        open(Broker.builder().heartbeat(Duration.ofSeconds(60)));
        try (StreamReader reader = StreamReader.reading(server.port(), server.prefix() + "/subscribe/" + TOPIC)) {
            await().atMost(PROMPTLY).until(() -> server.clients() == 1);
            server.publish(TOPIC, "data: last");
            await().atMost(PROMPTLY).until(() -> reader.events() == 1);

            server.broker().close(Duration.ofSeconds(1));

            await().atMost(PROMPTLY).until(reader::ended);
            assertThat(reader.endedCleanly()).isEqualTo(frontEnd().endsStreamsWithAFinalChunk());
        }
    }

    // ---- 5 / 7: CORS ---------------------------------------------------------------------------------

    @Test
    void aPreflightIsAnsweredBeforeAnyTokenCheckAndNamesAuthorization() throws Exception {
        withConfig(Broker.builder(), protectedConfig());

        for (String path : List.of("/publish/" + TOPIC, "/subscribe/" + TOPIC, "/stats")) {
            HttpResponse<String> r = server.send("OPTIONS", path, null, "Origin", "https://app.example",
                    "Access-Control-Request-Method", path.startsWith("/publish") ? "POST" : "GET",
                    "Access-Control-Request-Headers", "authorization, content-type");
            assertThat(r.statusCode()).as(path).isEqualTo(204);
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(path).hasValue("*");
            assertThat(r.headers().firstValue("Access-Control-Allow-Headers")).as(path).hasValueSatisfying(
                    h -> assertThat(h).contains("Authorization").doesNotContain("*"));
            assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).as(path).hasValueSatisfying(
                    h -> assertThat(h).contains(path.startsWith("/publish") ? "POST" : "GET"));
        }
        assertThat(server.send("OPTIONS", "/nope", null).statusCode()).isEqualTo(404);
    }

    @Test
    void errorsCarryCorsHeadersToo() throws Exception {
        withConfig(Broker.builder(), protectedConfig());
        List<HttpResponse<String>> errors = List.of(
                server.get("/nope", "Origin", "https://app.example"),
                server.send("PUT", "/stats", null, "Origin", "https://app.example"),
                server.get("/subscribe/short", "Origin", "https://app.example"),
                server.get("/subscribe/" + TOPIC, "Origin", "https://app.example"),
                server.publish(TOPIC, "data: x", "Origin", "https://app.example"));
        assertThat(errors).extracting(HttpResponse::statusCode).containsExactly(404, 405, 400, 401, 401);
        assertThat(errors).allSatisfy(r -> assertThat(r.headers().firstValue("Access-Control-Allow-Origin"))
                .hasValue("*"));
    }

    @Test
    void onlyListedOriginsGetAnAllowOrigin() throws Exception {
        withConfig(Broker.builder(), openConfig().corsOrigins(List.of("https://app.example", "https://b.example")));

        HttpResponse<String> listed = server.publish(TOPIC, "data: x", "Origin", "https://app.example");
        HttpResponse<String> other = server.publish(TOPIC, "data: x", "Origin", "https://evil.example");
        HttpResponse<String> listedError = server.get("/nope", "Origin", "https://b.example");

        assertThat(listed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
        assertThat(listed.headers().allValues("Vary")).anySatisfy(v -> assertThat(v).contains("Origin"));
        assertThat(other.statusCode()).isEqualTo(200);
        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        assertThat(listedError.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://b.example");
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC, "Origin: https://app.example");
        assertThat(stream.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
    }

    // ---- mounting ------------------------------------------------------------------------------------

    @Test
    void theApiWorksAtTheRootContextAndUnderAPrefixMapping() throws Exception {
        Broker broker = Broker.builder().build();
        server = ApiFixture.start(frontEnd(), broker, openConfig().build(), "", "/events/*");

        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);
        assertThat(server.publish(TOPIC, "data: prefixed").statusCode()).isEqualTo(200);

        assertThat(server.prefix()).isEqualTo("/events");
        assertThat(stream.awaitBody("data: prefixed\n\n", PROMPTLY)).contains("data: prefixed");
        assertThat(server.get("/stats").statusCode()).isEqualTo(200);
    }

    // ---- every rejection leaves a kept-alive connection usable --------------------------------------

    @Test
    void aPublishRejectedBeforeItsBodyIsReadNeverBreaksTheNextRequestOnThatConnection() throws Exception {
        withConfig(Broker.builder(), protectedConfig());
        String pub = "Bearer " + Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC);
        String wrong = "Bearer " + Tokens.hs256("wrong-secret-0123456789abcdefghijk", TOPIC);
        String body = "data: " + "x".repeat(2000);
        // One client, so each request may ride the connection the previous answer left open; a body left
        // unread behind an early answer must not be taken for the next request, nor the connection dropped
        // under it.
        for (int i = 0; i < 150; i++) {
            assertThat(server.publish(TOPIC, body, "Authorization", wrong).statusCode()).as("wrong token, round %d", i)
                    .isEqualTo(401);
            assertThat(server.publish(TOPIC, body).statusCode()).as("no token, round %d", i).isEqualTo(401);
            assertThat(server.publish("bad!", body, "Authorization", pub).statusCode()).as("bad topic, round %d", i)
                    .isEqualTo(400);
            assertThat(server.send("POST", "/nope", body).statusCode()).as("no route, round %d", i).isEqualTo(404);
            assertThat(server.send("PUT", "/publish/" + TOPIC, body).statusCode()).as("wrong method, round %d", i)
                    .isEqualTo(405);
        }
        assertThat(server.publish(TOPIC, "data: after", "Authorization", pub).statusCode()).isEqualTo(200);
        assertThat(server.broker().stats().published()).isEqualTo(1);
    }
    // ---- 8: several topics on one stream; 8.1: gaps ----------------------------------------------------

    private static final String[] THREE = {"scoresaaa", "chatroomb", "noticesccc"};
    private static final String THREE_TOPICS = "/subscribe?topic=scoresaaa&topic=chatroomb&topic=NOTICESccc";

    /** (topic, data) of every event frame in a stream's text, the topic read from the id. */
    static List<String[]> topicFrames(String text) {
        List<String[]> out = new ArrayList<>();
        for (String[] f : frames(text)) {
            out.add(new String[] {f[0].substring(0, f[0].indexOf(':')), f[1]});
        }
        return out;
    }

    @Test
    void aStreamOfSeveralTopicsCarriesEveryTopicsEventsEachIdStartingWithItsTopic() throws Exception {
        open();
        RawHttp stream = server.subscribe(THREE_TOPICS);
        assertThat(stream.header("Content-Type")).startsWith("text/event-stream");

        for (String t : THREE) {
            assertThat(server.publish(t, "event: update\ndata: for " + t).statusCode()).isEqualTo(200);
        }

        for (String t : THREE) {
            stream.awaitBody("data: for " + t + "\n\n", PROMPTLY);
        }
        String text = stream.bodySoFar();
        // Events of different topics interleave in the order the server delivers them (SPEC 8).
        assertThat(topicFrames(text)).extracting(f -> f[0] + "=" + f[1]).containsExactlyInAnyOrder(
                "scoresaaa=for scoresaaa", "chatroomb=for chatroomb", "noticesccc=for noticesccc");
        assertThat(frames(text)).allSatisfy(f -> assertThat(f[0]).matches("[a-z0-9]+:[A-Za-z0-9._~-]+"));
        assertThat(text).contains("\nevent: update\n").doesNotContain("esper-gap");
    }

    @Test
    void resumingAStreamOfSeveralTopicsLosesAndRepeatsNothingOfAnyTopicWhilePublishingContinues() throws Exception {
        open(Broker.builder().historySize(1000));
        int rounds = 60;
        RawHttp first = server.subscribe(THREE_TOPICS);
        Thread publisher = new Thread(() -> {
            try {
                for (int i = 1; i <= rounds; i++) {
                    // Very different rates: the first topic every round, the second every 3rd, the third every 20th.
                    for (int k = 0; k < THREE.length; k++) {
                        if (i % (k == 0 ? 1 : k == 1 ? 3 : 20) == 0) {
                            assertThat(server.publish(THREE[k], "data: " + THREE[k] + "-" + i).statusCode())
                                    .isEqualTo(200);
                        }
                    }
                }
                assertThat(server.publish(THREE[2], "data: end").statusCode()).isEqualTo(200);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "test-publisher");
        publisher.start();
        first.awaitBody("data: scoresaaa-15\n\n", Duration.ofSeconds(10));
        first.abort();
        List<String[]> before = frames(first.bodySoFar());
        String lastId = before.get(before.size() - 1)[0];

        RawHttp second = server.subscribe(THREE_TOPICS.replace("topic=scoresaaa&", "") + "&topic=SCORESAAA",
                "Last-Event-ID: " + lastId);
        second.awaitBody("data: end\n\n", Duration.ofSeconds(20));
        publisher.join(20_000);

        List<String> data = new ArrayList<>();
        topicFrames(first.bodySoFar()).forEach(f -> data.add(f[1]));
        topicFrames(second.bodySoFar()).forEach(f -> data.add(f[1]));
        for (int k = 0; k < THREE.length; k++) {
            String t = THREE[k];
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= rounds; i++) {
                if (i % (k == 0 ? 1 : k == 1 ? 3 : 20) == 0) {
                    expected.add(t + "-" + i);
                }
            }
            assertThat(data.stream().filter(d -> d.startsWith(t + "-")).toList()).as(t).containsExactlyElementsOf(expected);
        }
        assertThat(second.bodySoFar()).doesNotContain("esper-gap");
    }

    @Test
    void aStreamOfSeveralTopicsResumesFromTheLastEventIdQueryParameterToo() throws Exception {
        open();
        RawHttp first = server.subscribe(THREE_TOPICS);
        server.publish(THREE[0], "data: one");
        String id = frames(first.awaitBody("data: one\n\n", PROMPTLY)).get(0)[0];
        first.close();
        server.publish(THREE[1], "data: two");

        RawHttp second = server.subscribe(THREE_TOPICS + "&lastEventId=" + id);

        assertThat(second.awaitBody("data: two\n\n", PROMPTLY)).doesNotContain("data: one").doesNotContain("esper-gap");
    }

    @Test
    void aBadListOfTopicsIs400WithAOneLineReasonAndAddsNoSubscriber() throws Exception {
        withConfig(Broker.builder(), openConfig().maxStreamTopics(2));
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("/subscribe", "GET /subscribe needs at least one topic");
        cases.put("/subscribe?lastEventId=1", "GET /subscribe needs at least one topic");
        cases.put("/subscribe?topic=scoresaaa&topic=bad-id", "topic id must be 8-64 ASCII letters or digits, was 'bad-id'");
        cases.put("/subscribe?topic=scoresaaa&topic=chatroomb&topic=noticesccc",
                "a stream may follow at most 2 topics (the max-stream-topics limit), was 3");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = server.get(c.getKey(), "Origin", "https://app.example");
            assertThat(r.statusCode()).as(c.getKey()).isEqualTo(400);
            assertThat(r.body().strip()).as(c.getKey()).startsWith("{\"error\":\"" + c.getValue()).doesNotContain("\n");
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).as(c.getKey()).hasValue("*");
        }
        assertThat(server.clients()).isZero();
        assertThat(server.broker().stats().topics()).isZero();
        assertThat(server.subscribe("/subscribe?topic=scoresaaa&topic=SCORESaaa&topic=chatroomb").bodySoFar())
                .isEqualTo(":ok\n\n");
    }

    @Test
    void aTokenThatDoesNotGrantEveryTopicIs403NamingThoseItDoesNot() throws Exception {
        withConfig(Broker.builder(), protectedConfig());
        String one = Tokens.hs256(Tokens.SUBSCRIBER_SECRET, THREE[0]);
        String several = Tokens.hmac("HS256", Tokens.SUBSCRIBER_SECRET, "{\"topics\":[\"scoresaaa\",\"chatroomb\","
                + "\"noticesccc\"],\"exp\":" + (Tokens.now() + 3600) + "}");

        HttpResponse<String> refused = server.get(THREE_TOPICS, "Authorization", "Bearer " + one);

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("token does not grant topics 'chatroomb', 'noticesccc'");
        assertThat(server.subscribe(THREE_TOPICS + "&token=" + several).bodySoFar()).isEqualTo(":ok\n\n");
        assertThat(server.subscribe("/subscribe?topic=scoresaaa&token=" + one).bodySoFar()).isEqualTo(":ok\n\n");
    }

    @Test
    void statsCountAStreamOfSeveralTopicsOnceAsAClientAndOnceAsASubscriberOfEachTopic() throws Exception {
        open();
        server.subscribe(THREE_TOPICS);
        server.subscribe("/subscribe/" + THREE[0]);

        assertThat(server.get("/stats").body()).contains("\"clients\":2", "\"topics\":3");
        assertThat(server.publish(THREE[0], "data: x").body()).endsWith("\"subscribers\":2}");
        assertThat(server.publish(THREE[2], "data: x").body()).endsWith("\"subscribers\":1}");
    }

    @Test
    void aResumeOlderThanRetentionStartsWithAnEsperGapNamingThatTopicOnBothKindsOfStream() throws Exception {
        open(Broker.builder().historySize(2));
        RawHttp multi = server.subscribe(THREE_TOPICS);
        RawHttp single = server.subscribe("/subscribe/" + THREE[0]);
        server.publish(THREE[0], "data: seen");
        server.publish(THREE[1], "data: seen too");
        String multiId = frames(multi.awaitBody("data: seen too\n\n", PROMPTLY)).get(1)[0];
        String singleId = frames(single.awaitBody("data: seen\n\n", PROMPTLY)).get(0)[0];
        multi.close();
        single.close();
        for (int i = 1; i <= 3; i++) {
            server.publish(THREE[0], "data: missed " + i);
        }

        RawHttp multiAgain = server.subscribe(THREE_TOPICS, "Last-Event-ID: " + multiId);
        RawHttp singleAgain = server.subscribe("/subscribe/" + THREE[0], "Last-Event-ID: " + singleId);

        String gap = ":ok\n\nevent: esper-gap\ndata: {\"topics\":[\"scoresaaa\"]}\n\n";
        assertThat(multiAgain.awaitBody("data: missed 3\n\n", PROMPTLY)).startsWith(gap).doesNotContain("missed 1");
        assertThat(singleAgain.awaitBody("data: missed 3\n\n", PROMPTLY)).startsWith(gap).doesNotContain("missed 1");
    }

    @Test
    void aCompleteResumeNeverStartsWithAnEsperGapOnEitherKindOfStream() throws Exception {
        open(Broker.builder().historySize(10));
        RawHttp multi = server.subscribe(THREE_TOPICS);
        RawHttp single = server.subscribe("/subscribe/" + THREE[1]);
        server.publish(THREE[1], "data: seen");
        String multiId = frames(multi.awaitBody("data: seen\n\n", PROMPTLY)).get(0)[0];
        String singleId = frames(single.awaitBody("data: seen\n\n", PROMPTLY)).get(0)[0];
        multi.close();
        single.close();
        server.publish(THREE[1], "data: missed");

        RawHttp multiAgain = server.subscribe(THREE_TOPICS, "Last-Event-ID: " + multiId);
        RawHttp singleAgain = server.subscribe("/subscribe/" + THREE[1], "Last-Event-ID: " + singleId);

        assertThat(multiAgain.awaitBody("data: missed\n\n", PROMPTLY)).startsWith(":ok\n\nid: chatroomb:");
        assertThat(singleAgain.awaitBody("data: missed\n\n", PROMPTLY)).startsWith(":ok\n\nid: ");
        assertThat(multiAgain.bodySoFar() + singleAgain.bodySoFar()).doesNotContain("esper-gap");
    }
}
