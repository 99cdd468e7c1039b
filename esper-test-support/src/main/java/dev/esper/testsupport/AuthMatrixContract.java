package dev.esper.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC 3 and 9 over real HTTP: one case per token rule, on the subscribe side, the publish side and
 * {@code /stats}. Each front end runs it through a subclass.
 */
public abstract class AuthMatrixContract {
    private static final String TOPIC = "abcdef123";
    /** An attacker's public key, offered in a {@code jwk} header; it must not be used. */
    static final String RSA_JWK = "{\"kty\":\"RSA\",\"e\":\"AQAB\",\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFb"
            + "WhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w"
            + "6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4v"
            + "MQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw\"}";

    private ApiFixture server;

    /** A fresh, stopped front end. */
    protected abstract FrontEnd frontEnd();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private ApiFixture start(String subscriberSecret, String publisherSecret) throws Exception {
        server = ApiFixture.start(frontEnd(), Broker.builder().build(),
                EsperConfig.builder().subscriberSecret(subscriberSecret).publisherSecret(publisherSecret).build());
        return server;
    }

    /** A token case: its name, how to send it, the secrets the server runs with, and the expected status. */
    record Case(String name, Supplier<String> token, String subscriberSecret, String publisherSecret, int status) {
        @Override
        public String toString() {
            return name + " -> " + status;
        }
    }

    private static Case sub(String name, Supplier<String> token, int status) {
        return new Case(name, token, Tokens.SUBSCRIBER_SECRET, Tokens.PUBLISHER_SECRET, status);
    }

    private static Supplier<String> unchecked(ThrowingSupplier s) {
        return () -> {
            try {
                return s.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    interface ThrowingSupplier {
        String get() throws Exception;
    }

    static Stream<Arguments> subscriberCases() {
        String s = Tokens.SUBSCRIBER_SECRET;
        long now = Tokens.now();
        List<Case> cases = new ArrayList<>(List.of(
                sub("HS256 with the subscriber secret", () -> Tokens.hs256(s, TOPIC), 200),
                sub("upper-case sub", () -> Tokens.hs256(s, TOPIC.toUpperCase()), 200),
                sub("alg none", () -> Tokens.unsecured("none", TOPIC), 401),
                sub("alg NONE", () -> Tokens.unsecured("NONE", TOPIC), 401),
                sub("alg nOnE", () -> Tokens.unsecured("nOnE", TOPIC), 401),
                sub("alg none with a valid signature appended",
                        () -> Tokens.unsecured("none", TOPIC) + Tokens.hs256(s, TOPIC).split("\\.")[2], 401),
                sub("RS256", unchecked(() -> Tokens.rs256(TOPIC)), 401),
                sub("ES256", unchecked(() -> Tokens.es256(TOPIC)), 401),
                sub("HS384 with a 32-byte secret", () -> Tokens.hmac("HS384", s, Tokens.claims(TOPIC)), 401),
                sub("HS512 with a 32-byte secret", () -> Tokens.hmac("HS512", s, Tokens.claims(TOPIC)), 401),
                new Case("HS384 with a 48-byte secret", () -> Tokens.hmac("HS384", Tokens.SECRET_48,
                        Tokens.claims(TOPIC)), Tokens.SECRET_48, Tokens.PUBLISHER_SECRET, 200),
                new Case("HS512 with a 48-byte secret", () -> Tokens.hmac("HS512", Tokens.SECRET_48,
                        Tokens.claims(TOPIC)), Tokens.SECRET_48, Tokens.PUBLISHER_SECRET, 401),
                new Case("HS512 with a 64-byte secret", () -> Tokens.hmac("HS512", Tokens.SECRET_64,
                        Tokens.claims(TOPIC)), Tokens.SECRET_64, Tokens.PUBLISHER_SECRET, 200),
                sub("JWE", () -> Tokens.jwe(s, TOPIC), 401),
                sub("expired", () -> Tokens.hmac("HS256", s, "{\"sub\":\"" + TOPIC + "\",\"exp\":" + (now - 10) + "}"),
                        401),
                sub("nbf in the future", () -> Tokens.hmac("HS256", s, "{\"sub\":\"" + TOPIC + "\",\"exp\":"
                        + (now + 3600) + ",\"nbf\":" + (now + 600) + "}"), 401),
                sub("nbf in the past", () -> Tokens.hmac("HS256", s, "{\"sub\":\"" + TOPIC + "\",\"exp\":"
                        + (now + 3600) + ",\"nbf\":" + (now - 600) + "}"), 200),
                sub("missing exp", () -> Tokens.hmac("HS256", s, "{\"sub\":\"" + TOPIC + "\"}"), 401),
                sub("exp as a string", () -> Tokens.hmac("HS256", s, "{\"sub\":\"" + TOPIC + "\",\"exp\":\""
                        + (now + 3600) + "\"}"), 401),
                sub("nbf as a string", () -> Tokens.hmac("HS256", s, "{\"sub\":\"" + TOPIC + "\",\"exp\":"
                        + (now + 3600) + ",\"nbf\":\"" + (now - 600) + "\"}"), 401),
                sub("wrong secret", () -> Tokens.hs256("some-other-secret-0123456789abcdef", TOPIC), 401),
                sub("the publisher's secret", () -> Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC), 401),
                sub("wrong sub", () -> Tokens.hs256(s, "othertopic1"), 403),
                sub("missing sub", () -> Tokens.hmac("HS256", s, "{\"exp\":" + (now + 3600) + "}"), 401),
                sub("sub as a number", () -> Tokens.hmac("HS256", s, "{\"sub\":12345678,\"exp\":" + (now + 3600) + "}"),
                        401),
                sub("garbage", () -> "not-a-jwt", 401),
                sub("three garbage parts", () -> "aaa.bbb.ccc", 401),
                sub("tampered payload", () -> {
                    String[] p = Tokens.hs256(s, TOPIC).split("\\.");
                    return p[0] + "." + Tokens.b64(Tokens.claims("othertopic1")) + "." + p[2];
                }, 401),
                sub("kid, jku, x5u and jwk headers are ignored", () -> Tokens.hmacWithHeader(
                        "{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\",\"jku\":\"https://evil.example/jwks\","
                                + "\"x5u\":\"https://evil.example/cert\",\"jwk\":" + RSA_JWK + "}",
                        "HS256", s, Tokens.claims(TOPIC)), 200),
                sub("com.auth0 java-jwt HS256", () -> Tokens.auth0Hs256(s, TOPIC), 200),
                new Case("com.auth0 java-jwt HS512 with a 64-byte secret", () -> Tokens.auth0Hs512(Tokens.SECRET_64,
                        TOPIC), Tokens.SECRET_64, Tokens.PUBLISHER_SECRET, 200)));
        return cases.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("subscriberCases")
    void theSubscribeSideAppliesEveryTokenRule(Case c) throws Exception {
        start(c.subscriberSecret(), c.publisherSecret());
        String token = c.token().get();

        RawHttp viaHeader = server.raw("GET", "/subscribe/" + TOPIC, List.of("Authorization: Bearer " + token), null)
                .readHead();
        RawHttp viaQuery = server.raw("GET", "/subscribe/" + TOPIC + "?token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8), List.of(), null).readHead();

        for (RawHttp r : List.of(viaHeader, viaQuery)) {
            assertThat(r.status()).isEqualTo(c.status());
            if (c.status() == 200) {
                assertThat(r.awaitBody(":ok\n\n", java.time.Duration.ofSeconds(5))).isEqualTo(":ok\n\n");
            } else {
                assertThat(r.readBody()).startsWith("{\"error\":").doesNotContain(token);
            }
            if (c.status() == 401) {
                assertThat(r.header("WWW-Authenticate")).startsWith("Bearer realm=\"esper\"")
                        .contains("error=\"invalid_token\"");
            }
        }
    }

    static Stream<Arguments> publisherCases() {
        String p = Tokens.PUBLISHER_SECRET;
        long now = Tokens.now();
        return Stream.of(
                sub("HS256 with the publisher secret", () -> Tokens.hs256(p, TOPIC), 200),
                sub("upper-case sub", () -> Tokens.hs256(p, TOPIC.toUpperCase()), 200),
                sub("com.auth0 java-jwt HS256", () -> Tokens.auth0Hs256(p, TOPIC), 200),
                sub("alg none", () -> Tokens.unsecured("none", TOPIC), 401),
                sub("RS256", unchecked(() -> Tokens.rs256(TOPIC)), 401),
                sub("HS384 with a 32-byte secret", () -> Tokens.hmac("HS384", p, Tokens.claims(TOPIC)), 401),
                sub("JWE", () -> Tokens.jwe(p, TOPIC), 401),
                sub("the subscriber's secret", () -> Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC), 401),
                sub("expired", () -> Tokens.hmac("HS256", p, "{\"sub\":\"" + TOPIC + "\",\"exp\":" + (now - 1) + "}"),
                        401),
                sub("exp as a string", () -> Tokens.hmac("HS256", p, "{\"sub\":\"" + TOPIC + "\",\"exp\":\""
                        + (now + 3600) + "\"}"), 401),
                sub("wrong sub", () -> Tokens.hs256(p, "othertopic1"), 403)).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publisherCases")
    void thePublishSideAppliesEveryTokenRule(Case c) throws Exception {
        start(c.subscriberSecret(), c.publisherSecret());
        String token = c.token().get();

        HttpResponse<String> viaHeader = server.publish(TOPIC, "data: h", "Authorization", "Bearer " + token);
        HttpResponse<String> viaQuery = server.publish(TOPIC + "?token=" + URLEncoder.encode(token,
                StandardCharsets.UTF_8), "data: q");

        for (HttpResponse<String> r : List.of(viaHeader, viaQuery)) {
            assertThat(r.statusCode()).isEqualTo(c.status());
            assertThat(r.body()).doesNotContain(token);
            if (c.status() == 401) {
                assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                        h -> assertThat(h).startsWith("Bearer "));
            }
        }
        assertThat(server.broker().stats().published()).isEqualTo(c.status() == 200 ? 2 : 0);
    }

    static Stream<Arguments> statsCases() {
        String p = Tokens.PUBLISHER_SECRET;
        long now = Tokens.now();
        return Stream.of(
                sub("a publisher token for any topic", () -> Tokens.hs256(p, "anytopic1"), 200),
                sub("a publisher token without sub", () -> Tokens.hmac("HS256", p, "{\"exp\":" + (now + 60) + "}"), 200),
                sub("a subscriber token", () -> Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC), 401),
                sub("an expired publisher token", () -> Tokens.hmac("HS256", p, "{\"exp\":" + (now - 1) + "}"), 401),
                sub("a publisher token without exp", () -> Tokens.hmac("HS256", p, "{\"sub\":\"x\"}"), 401),
                sub("alg none", () -> Tokens.unsecured("none", TOPIC), 401)).map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("statsCases")
    void statsRequiresAValidPublisherTokenButNotItsSub(Case c) throws Exception {
        start(c.subscriberSecret(), c.publisherSecret());

        HttpResponse<String> r = server.get("/stats", "Authorization", "Bearer " + c.token().get());

        assertThat(r.statusCode()).isEqualTo(c.status());
        if (c.status() == 200) {
            assertThat(r.body()).contains("\"clients\":0");
        }
    }

    @Test
    void aMissingTokenIs401WithAPlainBearerChallengeOnEverySide() throws Exception {
        start(Tokens.SUBSCRIBER_SECRET, Tokens.PUBLISHER_SECRET);

        List<HttpResponse<String>> rs = List.of(server.get("/subscribe/" + TOPIC), server.publish(TOPIC, "data: x"),
                server.get("/stats"));

        assertThat(rs).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"esper\"");
        });
    }

    @Test
    void anAuthorizationHeaderThatIsEmptyOrNotBearerIs401WithoutFallingBackToTheQuery() throws Exception {
        start(Tokens.SUBSCRIBER_SECRET, Tokens.PUBLISHER_SECRET);
        String good = URLEncoder.encode(Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC), StandardCharsets.UTF_8);

        for (String header : List.of("Authorization:", "Authorization: Basic dXNlcjpwYXNz", "Authorization: Bearer",
                "Authorization: Token abc")) {
            RawHttp r = server.raw("GET", "/subscribe/" + TOPIC + "?token=" + good, List.of(header), null).readHead();
            assertThat(r.status()).as(header).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).as(header).startsWith("Bearer");
        }
    }

    @Test
    void theBearerSchemeNameMayBeInAnyLetterCase() throws Exception {
        start(Tokens.SUBSCRIBER_SECRET, Tokens.PUBLISHER_SECRET);
        String token = Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC);

        assertThat(server.publish(TOPIC, "data: x", "Authorization", "bearer " + token).statusCode()).isEqualTo(200);
        assertThat(server.publish(TOPIC, "data: x", "Authorization", "BEARER " + token).statusCode()).isEqualTo(200);
    }

    @Test
    void checksRunInSpecOrderRouteMethodTopicTokenBody() throws Exception {
        server = ApiFixture.start(frontEnd(), Broker.builder().build(),
                HttpContract.protectedConfig().maxBody(100).build());
        String token = Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC);
        String big = "data: " + "x".repeat(200);

        assertThat(server.send("POST", "/nothing/" + TOPIC, big).statusCode()).isEqualTo(404);
        assertThat(server.send("POST", "/subscribe/short", big).statusCode()).isEqualTo(405);
        assertThat(server.publish("short", big).statusCode()).isEqualTo(400);
        assertThat(server.publish(TOPIC, big).statusCode()).isEqualTo(401);
        assertThat(server.publish(TOPIC, big, "Authorization", "Bearer " + token).statusCode()).isEqualTo(413);
        assertThat(server.publish(TOPIC, "event: x", "Authorization", "Bearer " + token).statusCode()).isEqualTo(400);
        assertThat(server.broker().stats().published()).isZero();
    }

    // ---- SPEC 9: public keys, grants, where the token is read, credentialed CORS ------------------

    private static final String ISSUER = "https://idp.example.com/realms/app";
    private static final String AUDIENCE = "esper";
    private static final SigningKey RSA = SigningKey.rsa("rsa-1");
    private static final SigningKey P256 = SigningKey.ec("ec-256", "P-256");
    private static final SigningKey P384 = SigningKey.ec("ec-384", "P-384");
    private static final SigningKey ED = SigningKey.ed25519("ed-1");
    private JwksServer jwks;

    @AfterEach
    void stopJwks() {
        if (jwks != null) {
            jwks.close();
        }
    }

    /** Both sides keyed by the JWK Set of {@code keys} served on loopback, with issuer and audience checks. */
    private ApiFixture startWithKeys(EsperConfig.Builder config, SigningKey... keys) throws Exception {
        jwks = JwksServer.start(keys);
        server = ApiFixture.start(frontEnd(), Broker.builder().build(), config
                .subscriberJwks(jwks.uri().toString()).publisherJwks(jwks.uri().toString())
                .jwtIssuer(ISSUER).jwtAudience(AUDIENCE).build());
        return server;
    }

    /** Claims with the configured issuer and audience, an hour of validity, and {@code extra} JSON members. */
    private static String idp(String extra) {
        return "{\"iss\":\"" + ISSUER + "\",\"aud\":[\"account\",\"" + AUDIENCE + "\"],\"exp\":" + (Tokens.now() + 3600)
                + (extra.isEmpty() ? "" : "," + extra) + "}";
    }

    private static String sub(String topic) {
        return "\"sub\":\"" + topic + "\"";
    }

    /** A public-key case: its name, the token, and the status expected on the subscribe side. */
    record KeyCase(String name, Supplier<String> token, int status) {
        @Override
        public String toString() {
            return name + " -> " + status;
        }
    }

    static Stream<Arguments> publicKeyCases() {
        String attackerJwks = "http://127.0.0.1:9/jwks.json";
        SigningKey attacker = SigningKey.rsa("rsa-1");
        return Stream.of(
                new KeyCase("RS256", () -> RSA.token("RS256", idp(sub(TOPIC))), 200),
                new KeyCase("PS256", () -> RSA.token("PS256", idp(sub(TOPIC))), 200),
                new KeyCase("ES256", () -> P256.token("ES256", idp(sub(TOPIC))), 200),
                new KeyCase("ES384", () -> P384.token("ES384", idp(sub(TOPIC))), 200),
                new KeyCase("EdDSA", () -> ED.token("EdDSA", idp(sub(TOPIC))), 200),
                new KeyCase("a grant of topics", () -> RSA.token("RS256", idp("\"topics\":[\"othertopic1\",\""
                        + TOPIC.toUpperCase() + "\"]")), 200),
                new KeyCase("a grant of every topic", () -> RSA.token("RS256", idp("\"topics\":\"*\"")), 200),
                new KeyCase("a grant of other topics", () -> RSA.token("RS256", idp("\"topics\":[\"othertopic1\"]")),
                        403),
                new KeyCase("topics a number", () -> RSA.token("RS256", idp("\"topics\":12345678")), 401),
                new KeyCase("topics an array of numbers", () -> RSA.token("RS256", idp("\"topics\":[12345678]")), 401),
                new KeyCase("topics an object", () -> RSA.token("RS256", idp("\"topics\":{\"" + TOPIC + "\":true}")),
                        401),
                new KeyCase("neither sub nor topics", () -> RSA.token("RS256", idp("")), 401),
                new KeyCase("HS256 keyed by the public key's PEM", () -> Tokens.hmacWithKey(
                        "{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}", "HS256",
                        RSA.pem().getBytes(StandardCharsets.US_ASCII), idp(sub(TOPIC))), 401),
                new KeyCase("HS256 keyed by the public key's DER", () -> Tokens.hmacWithKey(
                        "{\"alg\":\"HS256\",\"kid\":\"rsa-1\"}", "HS256", RSA.der(), idp(sub(TOPIC))), 401),
                new KeyCase("ES384 naming the P-256 key", () -> P256.signed("{\"alg\":\"ES384\",\"kid\":\"ec-256\"}",
                        "ES256", idp(sub(TOPIC))), 401),
                new KeyCase("RS256 naming the EC key", () -> P256.signed("{\"alg\":\"RS256\",\"kid\":\"ec-256\"}",
                        "ES256", idp(sub(TOPIC))), 401),
                new KeyCase("alg none", () -> Tokens.unsecured("none", TOPIC), 401),
                new KeyCase("jku pointing at the attacker's set", () -> attacker.signed("{\"alg\":\"RS256\","
                        + "\"kid\":\"rsa-1\",\"jku\":\"" + attackerJwks + "\"}", "RS256", idp(sub(TOPIC))), 401),
                new KeyCase("x5u pointing at the attacker's certificate", () -> attacker.signed("{\"alg\":\"RS256\","
                        + "\"kid\":\"rsa-1\",\"x5u\":\"" + attackerJwks + "\"}", "RS256", idp(sub(TOPIC))), 401),
                new KeyCase("jwk holding the attacker's key", () -> attacker.signed("{\"alg\":\"RS256\","
                        + "\"kid\":\"rsa-1\",\"jwk\":" + attacker.jwk() + "}", "RS256", idp(sub(TOPIC))), 401),
                new KeyCase("a kid in no set", () -> SigningKey.rsa("stranger").token("RS256", idp(sub(TOPIC))), 401),
                new KeyCase("another issuer", () -> RSA.token("RS256", "{\"iss\":\"https://evil.example\","
                        + "\"aud\":\"esper\",\"exp\":" + (Tokens.now() + 3600) + "," + sub(TOPIC) + "}"), 401),
                new KeyCase("another audience", () -> RSA.token("RS256", "{\"iss\":\"" + ISSUER + "\","
                        + "\"aud\":\"account\",\"exp\":" + (Tokens.now() + 3600) + "," + sub(TOPIC) + "}"), 401),
                new KeyCase("expired", () -> RSA.token("RS256", "{\"iss\":\"" + ISSUER + "\",\"aud\":\"esper\","
                        + "\"exp\":" + (Tokens.now() - 5) + "," + sub(TOPIC) + "}"), 401))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publicKeyCases")
    void aSideKeyedByAJwkSetAppliesEveryRuleWhereverTheTokenComesFrom(KeyCase c) throws Exception {
        startWithKeys(EsperConfig.builder(), RSA, P256, P384, ED);
        String token = c.token().get();
        int fetchesAtStart = jwks.requests();

        RawHttp viaHeader = server.raw("GET", "/subscribe/" + TOPIC, List.of("Authorization: Bearer " + token), null)
                .readHead();
        RawHttp viaCookie = server.raw("GET", "/subscribe/" + TOPIC, List.of("Cookie: theme=dark; esper_token="
                + token), null).readHead();
        RawHttp viaQuery = server.raw("GET", "/subscribe/" + TOPIC + "?token="
                + URLEncoder.encode(token, StandardCharsets.UTF_8), List.of(), null).readHead();

        for (RawHttp r : List.of(viaHeader, viaCookie, viaQuery)) {
            assertThat(r.status()).isEqualTo(c.status());
            if (c.status() == 200) {
                assertThat(r.awaitBody(":ok\n\n", java.time.Duration.ofSeconds(5))).isEqualTo(":ok\n\n");
            } else {
                assertThat(r.readBody()).startsWith("{\"error\":").doesNotContain(token);
            }
            if (c.status() == 401) {
                assertThat(r.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
            }
        }
        assertThat(jwks.requests() - fetchesAtStart).as("JWK Set fetches after the start").isLessThanOrEqualTo(1);
    }

    @Test
    void thePublishSideKeyedByAJwkSetTakesTheHeaderOrTheQueryNeverTheCookie() throws Exception {
        startWithKeys(EsperConfig.builder(), RSA);
        String token = RSA.token("RS256", idp(sub(TOPIC)));

        assertThat(server.publish(TOPIC, "data: h", "Authorization", "Bearer " + token).statusCode()).isEqualTo(200);
        assertThat(server.publish(TOPIC + "?token=" + token, "data: q").statusCode()).isEqualTo(200);
        HttpResponse<String> cookie = server.publish(TOPIC, "data: c", "Cookie", "esper_token=" + token);
        assertThat(cookie.statusCode()).isEqualTo(401);
        assertThat(cookie.body()).contains("a token is required: send 'Authorization: Bearer <token>' or ?token=");
        assertThat(server.get("/stats", "Cookie", "esper_token=" + token).statusCode()).isEqualTo(401);
        assertThat(server.publish(TOPIC, "data: x", "Authorization", "Bearer " + Tokens.hmacWithKey(
                "{\"alg\":\"HS256\"}", "HS256", RSA.der(), idp(sub(TOPIC)))).statusCode()).isEqualTo(401);
        assertThat(server.broker().stats().published()).isEqualTo(2);
    }

    @Test
    void aKeyRotatedAtTheProviderWorksWithoutARestartAndStatsShowTheKeys() throws Exception {
        startWithKeys(EsperConfig.builder(), RSA);
        SigningKey next = SigningKey.ec("ec-next", "P-256");
        String publisher = RSA.token("RS256", idp(""));

        jwks.serve(RSA, next);
        RawHttp rotated = server.raw("GET", "/subscribe/" + TOPIC, List.of("Authorization: Bearer "
                + next.token("ES256", idp(sub(TOPIC)))), null).readHead();

        assertThat(rotated.status()).isEqualTo(200);
        HttpResponse<String> stats = server.get("/stats", "Authorization", "Bearer " + publisher);
        assertThat(stats.statusCode()).isEqualTo(200);
        assertThat(stats.body()).contains("\"auth\":{\"publisher\":{").contains("\"subscriber\":{")
                .contains("\"kids\":[\"rsa-1\",\"ec-next\"]").contains("\"keys\":\"jwks\"")
                .contains("\"issuer\":\"" + ISSUER + "\"").contains("\"last_fetch_ok\":true")
                .doesNotContain(RSA.jwk().replaceAll(".*\"n\":\"([^\"]{20}).*", "$1"));
    }

    @Test
    void aJwkSetServerThatGoesDownKeepsTheKeysItServed() throws Exception {
        startWithKeys(EsperConfig.builder(), RSA);
        jwks.close();

        RawHttp unknown = server.raw("GET", "/subscribe/" + TOPIC, List.of("Authorization: Bearer "
                + SigningKey.rsa("new").token("RS256", idp(sub(TOPIC)))), null).readHead();
        RawHttp known = server.raw("GET", "/subscribe/" + TOPIC, List.of("Authorization: Bearer "
                + RSA.token("RS256", idp(sub(TOPIC)))), null).readHead();

        assertThat(unknown.status()).isEqualTo(401);
        assertThat(known.status()).isEqualTo(200);
        assertThat(server.get("/stats", "Authorization", "Bearer " + RSA.token("RS256", idp(""))).body())
                .contains("\"last_fetch_ok\":false").contains("\"failures\":1")
                .contains("\"last_failure\":\"cannot be fetched: connection refused\"");
    }

    @Test
    void tokensOfARotatedKeyAllSucceedWhenTheSlowFetchArrivesWhileTheServerAnswersOthersMeanwhile()
            throws Exception {
        startWithKeys(EsperConfig.builder(), RSA);
        int fetchesAtStart = jwks.requests();
        SigningKey next = SigningKey.ec("ec-next", "P-256");
        jwks.serve(RSA, next).hold();
        String rotated = next.token("ES256", idp(sub(TOPIC)));

        List<RawHttp> waiting = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            waiting.add(server.raw("GET", "/subscribe/" + TOPIC, List.of("Authorization: Bearer " + rotated), null));
        }
        jwks.awaitHeld(java.time.Duration.ofSeconds(10));

        // The provider has not answered yet (it holds the fetch until released): everything below is answered
        // before the fetch completes.
        RawHttp known = server.raw("GET", "/subscribe/" + TOPIC, List.of("Authorization: Bearer "
                + RSA.token("RS256", idp(sub(TOPIC)))), null).readHead();
        assertThat(known.status()).isEqualTo(200);
        assertThat(known.awaitBody(":ok\n\n", java.time.Duration.ofSeconds(5))).isEqualTo(":ok\n\n");
        assertThat(server.publish(TOPIC, "data: meanwhile", "Authorization", "Bearer "
                + RSA.token("RS256", idp(sub(TOPIC)))).statusCode()).isEqualTo(200);
        assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
        assertThat(jwks.requests() - fetchesAtStart).as("one fetch for all the waiting tokens").isEqualTo(1);

        jwks.release();
        for (RawHttp r : waiting) {
            r.readHead();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.awaitBody(":ok\n\n", java.time.Duration.ofSeconds(5))).isEqualTo(":ok\n\n");
        }
        assertThat(server.clients()).isEqualTo(13);
        assertThat(jwks.requests() - fetchesAtStart).isEqualTo(1);
    }

    @Test
    void tokensWaitingForAFetchThatFailsAre401AndTheLastGoodSetIsKept() throws Exception {
        startWithKeys(EsperConfig.builder(), RSA);
        jwks.failWith(500).hold();
        String stranger = SigningKey.rsa("stranger").token("RS256", idp(sub(TOPIC)));

        List<RawHttp> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(server.raw("GET", "/subscribe/" + TOPIC, List.of("Authorization: Bearer " + stranger), null));
        }
        jwks.awaitHeld(java.time.Duration.ofSeconds(10));
        jwks.release();

        for (RawHttp r : waiting) {
            r.readHead();
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.header("WWW-Authenticate")).contains("error=\"invalid_token\"");
            assertThat(r.readBody()).contains("names no key of the JWK Set").doesNotContain(stranger);
        }
        RawHttp known = server.raw("GET", "/subscribe/" + TOPIC, List.of("Authorization: Bearer "
                + RSA.token("RS256", idp(sub(TOPIC)))), null).readHead();
        assertThat(known.status()).isEqualTo(200);
        assertThat(server.get("/stats", "Authorization", "Bearer " + RSA.token("RS256", idp(""))).body())
                .contains("\"last_fetch_ok\":false").contains("\"failures\":1")
                .contains("\"kids\":[\"rsa-1\"]")
                .contains("\"last_failure\":\"cannot be fetched: the server answered HTTP 500\"");
    }

    @Test
    void onlyTheFirstTokenSourcePresentIsReadHeaderThenCookieThenQuery() throws Exception {
        start(Tokens.SUBSCRIBER_SECRET, Tokens.PUBLISHER_SECRET);
        String good = Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC);
        String other = Tokens.hs256(Tokens.SUBSCRIBER_SECRET, "othertopic1");
        String expired = Tokens.hmac("HS256", Tokens.SUBSCRIBER_SECRET, "{\"sub\":\"" + TOPIC + "\",\"exp\":"
                + (Tokens.now() - 10) + "}");

        assertThat(subscribeStatus("?token=" + good, "Authorization: Bearer " + other, "Cookie: esper_token=" + good))
                .isEqualTo(403);
        assertThat(subscribeStatus("?token=" + good, "Cookie: esper_token=" + other)).isEqualTo(403);
        assertThat(subscribeStatus("?token=" + good, "Cookie: esper_token=" + expired)).isEqualTo(401);
        assertThat(subscribeStatus("?token=" + other, "Authorization: Bearer " + good, "Cookie: esper_token=" + other))
                .isEqualTo(200);
        assertThat(subscribeStatus("?token=" + other, "Cookie: lang=en; esper_token=" + good)).isEqualTo(200);
        assertThat(subscribeStatus("?token=" + good, "Cookie: esper_token=")).as("an empty cookie is none")
                .isEqualTo(200);
    }

    /** HTTP/2 clients may send each cookie as a field of its own (RFC 9113 section 8.2.3); all of them count. */
    @Test
    void theTokenCookieIsFoundInAnyOfSeveralCookieFields() throws Exception {
        start(Tokens.SUBSCRIBER_SECRET, Tokens.PUBLISHER_SECRET);
        String good = Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC);

        assertThat(subscribeStatus("", "Cookie: lang=en", "Cookie: esper_token=" + good, "Cookie: theme=dark"))
                .isEqualTo(200);
        assertThat(subscribeStatus("", "Cookie: lang=en", "Cookie: theme=dark")).as("no token cookie in any")
                .isEqualTo(401);
    }

    private int subscribeStatus(String query, String... headerLines) throws Exception {
        RawHttp r = server.raw("GET", "/subscribe/" + TOPIC + query, List.of(headerLines), null).readHead();
        int status = r.status();
        r.close();
        return status;
    }

    @Test
    void anExpiredTokenInTheCookieIs401WithABearerChallenge() throws Exception {
        start(Tokens.SUBSCRIBER_SECRET, Tokens.PUBLISHER_SECRET);
        String expired = Tokens.hmac("HS256", Tokens.SUBSCRIBER_SECRET, "{\"sub\":\"" + TOPIC + "\",\"exp\":"
                + (Tokens.now() - 10) + "}");

        RawHttp r = server.raw("GET", "/subscribe/" + TOPIC, List.of("Cookie: esper_token=" + expired), null)
                .readHead();

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).contains("error=\"invalid_token\"").contains("expired");
        assertThat(r.readBody()).contains("token has expired").doesNotContain(expired);
    }

    @Test
    void aCookieNeverPublishesNorReadsStats() throws Exception {
        start(Tokens.SUBSCRIBER_SECRET, Tokens.PUBLISHER_SECRET);
        String publisher = Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC);

        HttpResponse<String> publish = server.publish(TOPIC, "data: forged", "Cookie", "esper_token=" + publisher);
        HttpResponse<String> stats = server.get("/stats", "Cookie", "esper_token=" + publisher);

        assertThat(publish.statusCode()).isEqualTo(401);
        assertThat(stats.statusCode()).isEqualTo(401);
        assertThat(publish.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"esper\"");
        assertThat(server.broker().stats().published()).isZero();
    }

    @Test
    void aTokenCookieOfAnotherNameIsReadWhenConfigured() throws Exception {
        server = ApiFixture.start(frontEnd(), Broker.builder().build(),
                HttpContract.protectedConfig().tokenCookie("__Host-sse").build());
        String good = Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC);

        assertThat(subscribeStatus("", "Cookie: __Host-sse=" + good)).isEqualTo(200);
        assertThat(subscribeStatus("", "Cookie: esper_token=" + good)).isEqualTo(401);
    }

    @Test
    void noQueryTokenRefusesTokensInTheUrlOnBothSidesSayingToUseTheHeaderOrTheCookie() throws Exception {
        server = ApiFixture.start(frontEnd(), Broker.builder().build(),
                HttpContract.protectedConfig().noQueryToken(true).build());
        String subscriber = Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC);
        String publisher = Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC);

        HttpResponse<String> subscribe = server.get("/subscribe/" + TOPIC + "?token=" + subscriber);
        HttpResponse<String> publish = server.publish(TOPIC + "?token=" + publisher, "data: q");
        HttpResponse<String> stats = server.get("/stats?token=" + publisher);

        assertThat(subscribe.statusCode()).isEqualTo(401);
        assertThat(subscribe.body()).isEqualTo("{\"error\":\"this server does not read tokens in the URL "
                + "(no-query-token); send 'Authorization: Bearer <token>' or the 'esper_token' cookie\"}\n");
        assertThat(List.of(publish, stats)).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).contains("no-query-token").contains("send 'Authorization: Bearer <token>'")
                    .doesNotContain("cookie").doesNotContain(publisher);
            assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(h -> assertThat(h)
                    .startsWith("Bearer "));
        });
        assertThat(subscribeStatus("", "Cookie: esper_token=" + subscriber)).isEqualTo(200);
        assertThat(server.publish(TOPIC, "data: h", "Authorization", "Bearer " + publisher).statusCode())
                .isEqualTo(200);
        assertThat(server.broker().stats().published()).isEqualTo(1);
    }

    @Test
    void credentialsAreAllowedOnSubscribeForListedOriginsOnlyEchoingTheOriginAndNeverWithStar() throws Exception {
        server = ApiFixture.start(frontEnd(), Broker.builder().build(),
                HttpContract.protectedConfig().corsOrigins(List.of("https://app.example")).build());
        String good = Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC);

        RawHttp ok = server.raw("GET", "/subscribe/" + TOPIC, List.of("Origin: https://app.example",
                "Cookie: esper_token=" + good), null).readHead();
        RawHttp refused = server.raw("GET", "/subscribe/" + TOPIC, List.of("Origin: https://app.example"), null)
                .readHead();
        RawHttp preflight = server.raw("OPTIONS", "/subscribe/" + TOPIC, List.of("Origin: https://app.example",
                "Access-Control-Request-Method: GET", "Access-Control-Request-Headers: last-event-id"), null).readHead();
        RawHttp stranger = server.raw("GET", "/subscribe/" + TOPIC, List.of("Origin: https://evil.example",
                "Cookie: esper_token=" + good), null).readHead();
        HttpResponse<String> publish = server.publish(TOPIC, "data: x", "Origin", "https://app.example");

        assertThat(List.of(ok, refused, preflight)).allSatisfy(r -> {
            assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
            assertThat(r.header("Access-Control-Allow-Credentials")).isEqualTo("true");
            assertThat(r.header("Vary")).isEqualTo("Origin");
        });
        assertThat(ok.status()).isEqualTo(200);
        assertThat(refused.status()).isEqualTo(401);
        assertThat(stranger.header("Access-Control-Allow-Origin")).isNull();
        assertThat(stranger.header("Access-Control-Allow-Credentials")).isNull();
        assertThat(publish.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
        assertThat(publish.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
    }

    @Test
    void withCorsOriginsStarNoCredentialsHeaderIsSent() throws Exception {
        start(Tokens.SUBSCRIBER_SECRET, Tokens.PUBLISHER_SECRET);

        RawHttp r = server.raw("GET", "/subscribe/" + TOPIC, List.of("Origin: https://app.example",
                "Cookie: esper_token=" + Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC)), null).readHead();

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(r.header("Access-Control-Allow-Credentials")).isNull();
    }
}
