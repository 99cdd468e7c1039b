package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.EsperException;
import dev.esper.event.Event;
import dev.esper.event.SseParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile input at the HTTP level, generated from a seeded {@link SplittableRandom} (the seed is printed;
 * rerun one with {@code -Desper.fuzz.seed=N}): publish bodies built from SSE fragments, broken line endings,
 * invalid UTF-8 and random bytes; requests with random methods, paths, headers and framing; and plain
 * garbage. Whatever arrives, the answer is a 2xx or a 4xx, never a 5xx or silence; the server logs no
 * exception; and nothing is published but whole batches that were answered {@code 200}.
 */
class HttpFuzzIT {
    private static final long SEED = Long.getLong("esper.fuzz.seed", 0x5eedL);
    private static final int BODY_CASES = Integer.getInteger("esper.fuzz.bodies", 1500);
    private static final int REQUEST_CASES = Integer.getInteger("esper.fuzz.requests", 1500);
    private static final int GARBAGE_CASES = Integer.getInteger("esper.fuzz.garbage", 300);
    private static final int MAX_BODY = 2048;
    /** The topic whose subscriber checks what was published; the request fuzz never targets it. */
    private static final String WATCHED = "fuzzwatched1";
    private static final Pattern PUBLISHED = Pattern.compile("\"published\":(\\d+)");
    private static final Pattern IDS = Pattern.compile("\"ids\":\\[([^\\]]*)\\]");

    private EsperJar esper;
    private RawSubscriber watcher;

    @BeforeEach
    void start() {
        esper = EsperJar.start(EsperJar.options().args("--max-body=" + MAX_BODY, "--history-size=0"));
        watcher = RawSubscriber.open(esper.port(), WATCHED, null);
    }

    @AfterEach
    void stop() {
        watcher.close();
        esper.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Publish bodies

    private static final String[] LINES = {
        "data: x", "data:x", "data", "data: ", "data:  two spaces", "data: {\"json\":true}", "data: é ٣ 😀",
        "event: e", "event:", "event: with space", "id: 1", "id:", "id: abc", "id: \u0000", "id: \u0000x",
        "retry: 10", "retry:", "retry: x", "retry: -1", "retry: 1.5", "retry: ١٢", ": comment", ":", "foo: bar",
        "DATA: upper", "data : spaced", " data: leading", "\u0000", "data: \u0000nul", "data: \uFFFD", "",
    };
    private static final String[] ENDINGS = {"\n", "\r\n", "\r"};

    /** A publish body: SSE lines and fragments with mixed line endings, sometimes raw bytes or bad UTF-8. */
    private static byte[] body(SplittableRandom r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int lines = r.nextInt(0, 12);
        String ending = ENDINGS[r.nextInt(ENDINGS.length)];
        for (int i = 0; i < lines; i++) {
            int pick = r.nextInt(100);
            if (pick < 70) {
                out.writeBytes(LINES[r.nextInt(LINES.length)].getBytes(StandardCharsets.UTF_8));
            } else if (pick < 80) {
                byte[] junk = new byte[r.nextInt(1, 20)];
                r.nextBytes(junk);
                out.writeBytes(junk);
            } else if (pick < 85) {
                out.writeBytes(new byte[] {'d', 'a', 't', 'a', ':', (byte) 0xC3, (byte) 0x28}); // bad UTF-8
            } else if (pick < 88) {
                out.writeBytes(new byte[] {'d', 'a', 't', 'a', ':', (byte) 0xED, (byte) 0xA0, (byte) 0x80}); // surrogate
            } else if (pick < 90) {
                out.writeBytes(("data: " + "y".repeat(r.nextInt(100, 3000))).getBytes(StandardCharsets.UTF_8));
            } else {
                out.writeBytes(("data: " + r.nextInt()).getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes((r.nextInt(10) == 0 ? ENDINGS[r.nextInt(ENDINGS.length)] : ending)
                    .getBytes(StandardCharsets.US_ASCII));
            if (r.nextInt(4) == 0) {
                out.writeBytes(ending.getBytes(StandardCharsets.US_ASCII)); // end of an event
            }
        }
        return out.toByteArray();
    }

    @Test
    void fuzzedPublishBodiesAreAnswered200Or4xxExactlyAsTheParserDecidesAndOnlyWholeBatchesArePublished()
            throws IOException {
        SplittableRandom random = new SplittableRandom(SEED);
        System.out.printf("HttpFuzzIT body fuzz seed: %d (rerun with -Desper.fuzz.seed=%d)%n", SEED, SEED);
        List<Event> expected = new ArrayList<>();
        List<String> expectedIds = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < BODY_CASES; i++) {
            byte[] body = body(random);
            boolean chunked = random.nextInt(4) == 0;
            byte[] request = chunked ? chunkedPublish(WATCHED, body, random) : RawHttp.request("POST",
                    "/publish/" + WATCHED, List.of("Content-Type: " + (random.nextBoolean()
                            ? "application/x-www-form-urlencoded" : "text/event-stream")), body);
            RawHttp.Response r = RawHttp.exchange(esper.port(), request);
            statuses.merge(r.status(), 1, Integer::sum);
            String what = "case " + i + " (seed " + SEED + "), body hex " + HexFormat.of().formatHex(body);
            int oracle = oracle(body);
            if (oracle == 200) {
                List<Event> events = SseParser.parse(body);
                assertThat(r.status()).as("%s: %s", what, r.bodyText()).isEqualTo(200);
                assertThat(published(r)).as(what).isEqualTo(events.size());
                expected.addAll(events);
                expectedIds.addAll(ids(r));
            } else {
                assertThat(r.status()).as("%s: %s", what, r.bodyText()).isEqualTo(oracle);
                assertThat(r.bodyText()).as(what).startsWith("{\"error\":\"");
            }
        }
        System.out.printf("body fuzz: %d cases, statuses %s, %d events published%n", BODY_CASES, statuses,
                expected.size());

        // The subscriber got exactly the events of the 200 answers, in order: no partial batch, nothing else.
        List<RawSubscriber.Event> got = watcher.awaitEvents(expected.size());
        assertThat(got).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(got.get(i).data()).as("event %d", i).isEqualTo(expected.get(i).data());
            assertThat(got.get(i).id()).as("event %d", i).isEqualTo(expectedIds.get(i));
            if (expected.get(i).id() != null && !expected.get(i).id().isEmpty()) {
                assertThat(got.get(i).id()).isEqualTo(expected.get(i).id());
            }
        }
        assertThat(esper.stat("published")).isEqualTo(expected.size());
        assertThat(statuses.keySet()).allSatisfy(s -> assertThat(s).isBetween(200, 499));
        assertThat(esper.exceptionLines()).isEmpty();
    }

    /** What the core parser says the server must answer for a body. */
    private static int oracle(byte[] body) {
        if (body.length > MAX_BODY) {
            return 413;
        }
        try {
            SseParser.parse(body);
            return 200;
        } catch (EsperException e) {
            return e.status();
        }
    }

    private static byte[] chunkedPublish(String topic, byte[] body, SplittableRandom r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("POST /publish/" + topic + " HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        int p = 0;
        while (p < body.length) {
            int n = Math.min(body.length - p, r.nextInt(1, 64));
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, p, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            p += n;
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    private static int published(RawHttp.Response r) {
        Matcher m = PUBLISHED.matcher(r.bodyText());
        assertThat(m.find()).as(r.bodyText()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static List<String> ids(RawHttp.Response r) {
        Matcher m = IDS.matcher(r.bodyText());
        assertThat(m.find()).as(r.bodyText()).isTrue();
        List<String> ids = new ArrayList<>();
        Matcher id = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
        while (id.find()) {
            ids.add(unescape(id.group(1)));
        }
        return ids;
    }

    private static String unescape(String json) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char n = json.charAt(++i);
            switch (n) {
                case 'u':
                    sb.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                    i += 4;
                    break;
                case 'n':
                    sb.append('\n');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'b':
                    sb.append('\b');
                    break;
                case 'f':
                    sb.append('\f');
                    break;
                default:
                    sb.append(n);
            }
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------------------------------------
    // Requests: methods, paths, headers, framing

    private static final String[] METHODS = {
        "GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "get", "post", "FOO", "G3T", "PRI",
    };
    private static final String[] PATH_PARTS = {
        "/subscribe/", "/publish/", "/stats", "/", "//", "/subscribe", "/publish", "/stats/", "/../", "/./",
        "%2e%2e/", "%2F", "%00", "%25", "%ZZ", "%", "é", "%C3%A9", "abcdef123", "ABCDEF123", "short", "topic-1",
        "x".repeat(70), "fuzzother1", "fuzzother2", "?token=abc", "?lastEventId=1", "?a=%ZZ&token=", "#frag",
        ";param", "\\", "~", "*", "?", "?topic=fuzzother1&topic=ABCDEF123", "?topic=short&topic=", "&topic=%ZZ",
    };
    private static final String[] ROUTES = {"/subscribe/", "/publish/", "/stats", "/SUBSCRIBE/", "/publish", "/stats/"};
    private static final String[] TOPICS = {
        "fuzzother1", "FUZZOTHER2", "abcdef123", "short", "x".repeat(65), "topic-1", "%61bcdef123", "\u00e9".repeat(8), "",
    };
    private static final String[] QUERIES = {"", "?token=abc", "?lastEventId=5", "?token=a.b.c&lastEventId=", "?%ZZ", "?"};
    private static final String[] HEADERS = {
        "Authorization: Bearer abc.def.ghi", "Authorization: Bearer", "Authorization: Basic Zm9vOmJhcg==",
        "Authorization:", "Last-Event-ID: 1", "Last-Event-ID: ", "Last-Event-ID: \u00e9", "Origin: https://evil.example",
        "Origin: null", "Content-Type: text/event-stream", "Content-Type: multipart/form-data; boundary=x",
        "Content-Type: application/x-www-form-urlencoded", "Accept: */*", "Expect: 100-continue",
        "Connection: keep-alive", "Connection: close", "X-Forwarded-For: 1.2.3.4", "Content-Encoding: gzip",
        "Cookie: a=b", "Range: bytes=0-1", "If-None-Match: *", "Access-Control-Request-Method: POST", "X-Empty:",
    };
    private static final String[] BAD_HEADERS = {
        "Bad Header: x", "NoColon", " folded: continuation", "Host: other.example", "Host:", "X-Ctl: \u0001",
        "X-Long: " + "z".repeat(9000), ": no name", "Content-Length: 1, 2",
        "Connection: Upgrade", "Upgrade: websocket", "Upgrade: h2c", "Transfer-Encoding: gzip",
    };

    /** A whole request with random method, path, headers and body, framed so the server has all of it. */
    private static byte[] randomRequest(SplittableRandom r) {
        String method = METHODS[r.nextInt(METHODS.length)];
        StringBuilder path = new StringBuilder();
        if (r.nextBoolean()) {
            // Mostly well-formed: a route, a topic (valid or not), a query.
            path.append(ROUTES[r.nextInt(ROUTES.length)]).append(TOPICS[r.nextInt(TOPICS.length)])
                    .append(QUERIES[r.nextInt(QUERIES.length)]);
        } else {
            path.append(r.nextInt(8) == 0 ? "" : "/");
            int parts = r.nextInt(1, 5);
            for (int i = 0; i < parts; i++) {
                path.append(PATH_PARTS[r.nextInt(PATH_PARTS.length)]);
            }
        }
        String target = path.toString().replace(" ", "%20");
        if (target.toLowerCase(java.util.Locale.ROOT).contains(WATCHED)) {
            target = "/stats";
        }
        List<String> headers = new ArrayList<>();
        int n = r.nextInt(0, 6);
        for (int i = 0; i < n; i++) {
            headers.add(r.nextInt(10) == 0 ? BAD_HEADERS[r.nextInt(BAD_HEADERS.length)] : HEADERS[r.nextInt(HEADERS.length)]);
        }
        byte[] body = r.nextInt(3) == 0 ? null : r.nextBoolean() ? ("data: " + r.nextInt()).getBytes(StandardCharsets.UTF_8)
                : body(r);
        String version = r.nextInt(20) == 0 ? (r.nextBoolean() ? "HTTP/1.0" : "HTTP/9.9") : "HTTP/1.1";
        StringBuilder head = new StringBuilder().append(method).append(' ').append(target).append(' ')
                .append(version).append("\r\n");
        if (headers.stream().noneMatch(h -> h.startsWith("Host:"))) {
            head.append("Host: 127.0.0.1\r\n");
        }
        headers.forEach(h -> head.append(h).append("\r\n"));
        int framing = r.nextInt(30);
        if (body != null && framing == 0) {
            head.append("Content-Length: ").append(r.nextBoolean() ? "-1" : "abc").append("\r\n");
        } else if (body != null && framing == 1) {
            head.append("Content-Length: ").append(body.length).append("\r\nTransfer-Encoding: chunked\r\n");
        } else if (body != null && framing == 2) {
            head.append("Content-Length: ").append(body.length).append("\r\nContent-Length: ")
                    .append(body.length + 1).append("\r\n");
        } else if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
        return body == null ? h : RawHttp.concat(h, body);
    }

    @Test
    void fuzzedRequestsAndGarbageAreAnswered2xxOr4xxNever5xxAndLogNoException() throws IOException {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        System.out.printf("HttpFuzzIT request fuzz seed: %d (rerun with -Desper.fuzz.seed=%d)%n", SEED, SEED);
        Map<Integer, Integer> statuses = new TreeMap<>();
        List<String> violations = new ArrayList<>();
        long published = 0;
        for (int i = 0; i < REQUEST_CASES + GARBAGE_CASES; i++) {
            byte[] request;
            if (i < REQUEST_CASES) {
                request = randomRequest(random);
            } else {
                byte[] junk = new byte[random.nextInt(1, 300)];
                random.nextBytes(junk);
                request = RawHttp.concat(junk, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            String what = "case " + i + " (seed " + SEED + "): " + new String(request, StandardCharsets.ISO_8859_1)
                    .replace("\r", "\\r").replace("\n", "\\n\n");
            RawHttp.Response r = answer(request, what);
            statuses.merge(r.status(), 1, Integer::sum);
            if (r.status() < 200 || r.status() > 499 || (r.status() >= 300 && r.status() < 400)) {
                violations.add(what + "-> " + r.status() + " " + r.bodyText());
            }
            if (r.status() == 200 && r.bodyText().startsWith("{\"published\"")) {
                published += published(r);
            }
            if (r.status() >= 400 && !r.bodyText().isEmpty()) {
                assertThat(r.bodyText()).as(what).doesNotContain("<html", "<HTML", "\tat ");
            }
        }
        System.out.printf("request fuzz: %d requests and %d garbage, statuses %s%n", REQUEST_CASES, GARBAGE_CASES,
                statuses);
        assertThat(violations).as("answers that are not 2xx or 4xx").isEmpty();
        assertThat(esper.stat("published")).as("only what was answered 200 is published").isEqualTo(published);
        assertThat(esper.exceptionLines()).isEmpty();
        // Still serving.
        assertThat(RawHttp.exchange(esper.port(), RawHttp.publish(WATCHED, "data: still here")).status())
                .isEqualTo(200);
        assertThat(watcher.awaitEvents(1).get(0).data()).isEqualTo("still here");
    }

    // Regressions found by the fuzz.

    @Test
    void aRequestLineWithAnUnsupportedHttpVersionIsAnswered400NotA505() {
        for (String version : List.of("HTTP/9.9", "HTTP/0.9", "HTTP/3.0")) {
            RawHttp.Response r = answer(("GET /stats " + version + "\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII), version);
            assertThat(r.status()).as(version).isEqualTo(400);
            assertThat(r.bodyText()).isEqualTo("400 Bad Request\n");
        }
    }

    @Test
    void aTargetWithoutAPathIsAnswered404NotARedirectThatEchoesTheQueryString() {
        // Jetty lets a target without a leading '/' through for the PRI method only.
        RawHttp.Response r = answer("PRI ?token=secret.token.value HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII), "PRI");

        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("location")).isNull();
        assertThat(r.bodyText()).doesNotContain("secret.token.value");
    }

    /** Sends one request on a fresh connection and reads the answer (only the head of an open stream). */
    private RawHttp.Response answer(byte[] request, String what) {
        try (RawHttp c = RawHttp.connect(esper.port(), Duration.ofSeconds(10))) {
            try {
                c.write(request);
            } catch (IOException e) {
                // The server may answer and close before reading everything: read what it said.
            }
            try {
                boolean head = new String(request, 0, Math.min(5, request.length), StandardCharsets.ISO_8859_1)
                        .equals("HEAD ");
                return c.readBody(c.readHead(), head);
            } catch (IOException e) {
                throw new AssertionError(what + "\n-> no complete response: " + e, e);
            }
        }
    }
}
