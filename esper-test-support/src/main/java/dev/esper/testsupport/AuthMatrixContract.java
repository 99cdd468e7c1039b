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
 * SPEC 3 over real HTTP: one case per token rule, on the subscribe side, the publish side and
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
}
