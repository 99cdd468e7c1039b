package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC 3 attacked, against the real jar with both sides protected: algorithm confusion, {@code alg: none}
 * in any letter case, key-pointing headers, a token for another topic, the other side's secret, and huge
 * tokens, on {@code /subscribe}, {@code /publish} and {@code /stats}, in the {@code Authorization} header and
 * in the {@code token} query parameter. The servlet suite pins the rules one by one on Jetty and Tomcat
 * ({@code AuthMatrixContract}); this adds the attacks it lacks and checks them at the standalone server
 * level, where the container's own limits (header size) also apply. The server runs with esper's loggers
 * at their most verbose, and afterwards no token or secret appears anywhere in its log.
 */
class TokenAttackIT {
    private static final String TOPIC = "attacked01";
    private static final String SUBSCRIBER_SECRET = "subscriber-secret-for-attack-tests-0123456789";
    private static final String PUBLISHER_SECRET = "publisher-secret-for-attack-tests-0123456789ab";
    private static final String ATTACKER_SECRET = "attacker-secret-0123456789abcdefghijklmnop";

    @TempDir
    static Path tmp;
    private static EsperJar esper;
    private static PublicKey rsaPublic;
    /** Every token sent, to look for in the log at the end. */
    private static final List<String> sent = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Path logging = tmp.resolve("logging.properties");
        Files.writeString(logging, "handlers=java.util.logging.ConsoleHandler\n.level=ALL\n"
                + "java.util.logging.ConsoleHandler.level=ALL\n");
        esper = EsperJar.start(EsperJar.options()
                .jvm("-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
                        "-Djava.util.logging.config.file=" + logging)
                .env("ESPER_SUBSCRIBER_SECRET", SUBSCRIBER_SECRET)
                .env("ESPER_PUBLISHER_SECRET", PUBLISHER_SECRET));
        esper.statsToken(hs256(PUBLISHER_SECRET, "stats"));
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        rsaPublic = rsa.generateKeyPair().getPublic();
    }

    @AfterAll
    static void stop() {
        if (esper != null) {
            esper.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Token minting

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String b64(String json) {
        return b64(json.getBytes(StandardCharsets.UTF_8));
    }

    static String claims(String sub) {
        return "{\"sub\":\"" + sub + "\",\"exp\":" + (Instant.now().getEpochSecond() + 3600) + "}";
    }

    /** A JWS with exactly this header, signed by HMAC-SHA{bits} with these key bytes. */
    static String signed(String headerJson, String payloadJson, int bits, byte[] key) {
        String input = b64(headerJson) + "." + b64(payloadJson);
        try {
            Mac mac = Mac.getInstance("HmacSHA" + bits);
            mac.init(new SecretKeySpec(key, "HmacSHA" + bits));
            return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hs256(String secret, String sub) {
        return signed("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims(sub), 256, secret.getBytes(StandardCharsets.UTF_8));
    }

    static String unsecured(String alg, String sub) {
        return b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(claims(sub)) + ".";
    }

    static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** One attack: a name, the token for a given side's secret and topic, and the status each route must give. */
    record Attack(String name, int subscribe, int publish, int stats, TokenFor token) {
        @Override
        public String toString() {
            return name;
        }
    }

    interface TokenFor {
        String token(String secret, String topic);
    }

    static List<Attack> attacks() {
        List<Attack> a = new ArrayList<>();
        a.add(new Attack("control: a valid HS256 token", 200, 200, 200, (s, t) -> hs256(s, t)));
        a.add(new Attack("HS256 signed with the RSA public key's DER bytes as HMAC secret", 401, 401, 401,
                (s, t) -> signed("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims(t), 256, rsaPublic.getEncoded())));
        a.add(new Attack("HS256 signed with the RSA public key's PEM text as HMAC secret", 401, 401, 401,
                (s, t) -> signed("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", claims(t), 256,
                        pem(rsaPublic).getBytes(StandardCharsets.US_ASCII))));
        a.add(new Attack("RS256 header with an HMAC-SHA256 signature by the real secret", 401, 401, 401,
                (s, t) -> signed("{\"alg\":\"RS256\",\"typ\":\"JWT\"}", claims(t), 256,
                        s.getBytes(StandardCharsets.UTF_8))));
        a.add(new Attack("ES256 header with an HMAC-SHA256 signature by the real secret", 401, 401, 401,
                (s, t) -> signed("{\"alg\":\"ES256\"}", claims(t), 256, s.getBytes(StandardCharsets.UTF_8))));
        for (String none : List.of("none", "None", "NONE", "nOnE")) {
            a.add(new Attack("alg " + none + " without a signature", 401, 401, 401, (s, t) -> unsecured(none, t)));
            a.add(new Attack("alg " + none + " with the signature of a valid token", 401, 401, 401,
                    (s, t) -> unsecured(none, t) + hs256(s, t).split("\\.")[2]));
        }
        a.add(new Attack("kid, jku and x5u headers on a token signed with the real secret are ignored", 200, 200, 200,
                (s, t) -> signed("{\"alg\":\"HS256\",\"kid\":\"../../../dev/null\",\"jku\":\"http://127.0.0.1:1/jwks\","
                        + "\"x5u\":\"http://127.0.0.1:1/cert.pem\"}", claims(t), 256, s.getBytes(StandardCharsets.UTF_8))));
        a.add(new Attack("kid, jku and x5u pointing at the attacker's key do not make its signature valid", 401, 401,
                401, (s, t) -> signed("{\"alg\":\"HS256\",\"kid\":\"attacker\",\"jku\":\"http://127.0.0.1:1/jwks\","
                        + "\"x5u\":\"http://127.0.0.1:1/cert.pem\"}", claims(t), 256,
                        ATTACKER_SECRET.getBytes(StandardCharsets.UTF_8))));
        a.add(new Attack("an empty kid pointing nowhere with an empty-key HMAC", 401, 401, 401,
                (s, t) -> signed("{\"alg\":\"HS256\",\"kid\":\"\"}", claims(t), 256, new byte[1])));
        a.add(new Attack("a valid token for another topic", 403, 403, 200, (s, t) -> hs256(s, "someothertopic")));
        a.add(new Attack("the other side's secret", 401, 401, 401, (s, t) -> hs256(
                s.equals(SUBSCRIBER_SECRET) ? PUBLISHER_SECRET : SUBSCRIBER_SECRET, t)));
        a.add(new Attack("a 6 KB token (padded claims, bad signature)", 401, 401, 401,
                (s, t) -> signed("{\"alg\":\"HS256\"}", "{\"sub\":\"" + t + "\",\"pad\":\"" + "p".repeat(4400) + "\"}",
                        256, ATTACKER_SECRET.getBytes(StandardCharsets.UTF_8))));
        return a;
    }

    // ---------------------------------------------------------------------------------------------

    private static RawHttp.Response send(String method, String path, String token, boolean inHeader, byte[] body) {
        sent.add(token);
        List<String> headers = inHeader ? List.of("Authorization: Bearer " + token) : List.of();
        String target = inHeader ? path : path + (path.contains("?") ? "&" : "?") + "token=" + token;
        try (RawHttp c = RawHttp.connect(esper.port())) {
            try {
                c.write(RawHttp.request(method, target, headers, body));
            } catch (IOException e) {
                // The server answered and closed before taking all of a huge request: read its answer.
            }
            return c.readBody(c.readHead(), false);
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + ": no answer: " + e, e);
        }
    }

    @Test
    void everyAttackIsRefusedOnBothSidesAndOnStatsInTheHeaderAndTheQuery() {
        List<String> failures = new ArrayList<>();
        Map<String, Integer> publishes = new TreeMap<>();
        long published0 = esper.stat("published");
        int accepted = 0;
        for (Attack attack : attacks()) {
            for (boolean inHeader : List.of(true, false)) {
                String where = inHeader ? "header" : "query";
                String subToken = attack.token().token(SUBSCRIBER_SECRET, TOPIC);
                RawHttp.Response sub = send("GET", "/subscribe/" + TOPIC, subToken, inHeader, null);
                check(failures, attack + " / subscribe / " + where, sub, attack.subscribe(), subToken);

                String pubToken = attack.token().token(PUBLISHER_SECRET, TOPIC);
                RawHttp.Response pub = send("POST", "/publish/" + TOPIC, pubToken, inHeader,
                        "data: attack".getBytes(StandardCharsets.UTF_8));
                check(failures, attack + " / publish / " + where, pub, attack.publish(), pubToken);
                if (pub.status() == 200) {
                    accepted++;
                }
                publishes.merge(where + " " + pub.status(), 1, Integer::sum);

                String statsToken = attack.token().token(PUBLISHER_SECRET, TOPIC);
                RawHttp.Response stats = send("GET", "/stats", statsToken, inHeader, null);
                check(failures, attack + " / stats / " + where, stats, attack.stats(), statsToken);
            }
        }
        assertThat(failures).isEmpty();
        assertThat(esper.stat("published") - published0).as("only the accepted publishes published").isEqualTo(accepted);
        assertThat(esper.stat("clients")).isZero();
    }

    private static void check(List<String> failures, String what, RawHttp.Response r, int expected, String token) {
        if (r.status() != expected) {
            failures.add(what + ": expected " + expected + ", got " + r.status() + " " + r.bodyText().trim());
            return;
        }
        if (expected == 401 && (r.header("www-authenticate") == null
                || !r.header("www-authenticate").startsWith("Bearer "))) {
            failures.add(what + ": 401 without a Bearer challenge");
        }
        if (r.bodyText().contains(token)) {
            failures.add(what + ": the answer quotes the token");
        }
    }

    @Test
    void aOneMegabyteTokenIsRejectedCleanlyWith4xxNever5xx() throws IOException {
        String huge = signed("{\"alg\":\"HS256\"}", "{\"sub\":\"" + TOPIC + "\",\"pad\":\"" + "q".repeat(780_000)
                + "\"}", 256, SUBSCRIBER_SECRET.getBytes(StandardCharsets.UTF_8));
        assertThat(huge.length()).isGreaterThan(1_000_000);
        long published0 = esper.stat("published");
        Map<String, Integer> statuses = new TreeMap<>();
        for (String path : List.of("/subscribe/" + TOPIC, "/publish/" + TOPIC, "/stats")) {
            String method = path.startsWith("/publish") ? "POST" : "GET";
            byte[] body = method.equals("POST") ? "data: huge".getBytes(StandardCharsets.UTF_8) : null;
            for (boolean inHeader : List.of(true, false)) {
                RawHttp.Response r = send(method, path, huge, inHeader, body);
                statuses.put(path + (inHeader ? " header" : " query"), r.status());
                // Header too large (431), or a URI too long (414): either way a clean 4xx with a short body.
                assertThat(r.status()).as("%s %s, token in the %s", method, path, inHeader ? "header" : "query")
                        .isIn(401, 414, 431);
                assertThat(r.bodyText()).hasSizeLessThan(200).doesNotContain(huge.substring(0, 40));
            }
        }
        System.out.println("1 MB token: " + statuses);
        assertThat(esper.stat("published")).isEqualTo(published0);
    }

    @Test
    void noTokenOrSecretAppearsInAnyLogLine() {
        // Make sure the other tests' tokens were sent, whatever the order the tests run in.
        send("GET", "/subscribe/" + TOPIC, hs256(SUBSCRIBER_SECRET, TOPIC), false, null);
        send("POST", "/publish/" + TOPIC, unsecured("None", TOPIC), false, "data: x".getBytes(StandardCharsets.UTF_8));
        send("GET", "/stats", hs256(ATTACKER_SECRET, "stats"), false, null);
        for (Attack attack : attacks()) {
            send("GET", "/subscribe/" + TOPIC, attack.token().token(SUBSCRIBER_SECRET, TOPIC), false, null);
        }
        String log = esper.log();

        assertThat(log).as("the server logged something at all").contains("listening on");
        assertThat(log).doesNotContain(SUBSCRIBER_SECRET, PUBLISHER_SECRET, ATTACKER_SECRET);
        for (String token : sent) {
            for (String part : token.split("\\.")) {
                if (part.length() >= 16) {
                    assertThat(log).as("a part of a token").doesNotContain(part.substring(0, 16));
                }
            }
        }
        assertThat(esper.exceptionLines()).isEmpty();
    }
}
