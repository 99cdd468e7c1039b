package dev.esper.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Claims;
import dev.esper.auth.FakeTokenVerifier;
import dev.esper.auth.Side;
import dev.esper.auth.TokenVerifier;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC 9.3: where a token is read (header, then cookie on subscribe only, then the query parameter; only the first
 * present), {@code --no-query-token}, credentialed CORS, and the verifiers' state in {@code /stats}.
 */
class Spec93TokenSourcesTest {
    private static final long NOW = 1_800_000_000L;
    private static final String TOPIC = "abcdef123";
    private static final String GOOD = "eyJnb29k.eyJ0b3BpYyI6ImFiY2RlZjEyMyJ9.Z29vZFNFQ1JFVA";
    private static final String OTHER = "eyJvdGhlcg.eyJ0b3BpYyI6Im90aGVydG9waWMxIn0.b3RoZXJTRUNSRVQ";
    private static final String EXPIRED = "eyJleHBpcmVk.eyJ0b3BpYyI6ImFiY2RlZjEyMyJ9.ZXhwaXJlZFNFQ1JFVA";
    private static final String PUBLISH = "eyJwdWJsaXNo.eyJ0b3BpYyI6ImFiY2RlZjEyMyJ9.cHVibGlzaFNFQ1JFVA";

    private final FakeTokenVerifier subscriber = new FakeTokenVerifier()
            .accept(GOOD, Map.of("sub", TOPIC, "exp", NOW + 60))
            .accept(OTHER, Map.of("sub", "othertopic1", "exp", NOW + 60))
            .accept(EXPIRED, Map.of("sub", TOPIC, "exp", NOW - 1));
    private final FakeTokenVerifier publisher = new FakeTokenVerifier()
            .accept(PUBLISH, Map.of("sub", TOPIC, "exp", NOW + 60));
    private final AccessPolicy policy = AccessPolicy.builder().protect(Side.SUBSCRIBER, subscriber)
            .protect(Side.PUBLISHER, publisher).clock(InstantSource.fixed(Instant.ofEpochSecond(NOW))).build();
    private final Broker broker = Broker.builder().deliveryExecutor(Runnable::run).build();

    @AfterEach
    void close() {
        broker.close(Duration.ZERO);
    }

    private static Admission subscribe(String authorization, String cookie, String query,
            BearerToken.Sources sources, AccessPolicy policy) {
        return Admission.decide("GET", "/subscribe/" + TOPIC, authorization, cookie, query, policy, sources);
    }

    private Admission subscribe(String authorization, String cookie, String query) {
        return subscribe(authorization, cookie, query, BearerToken.Sources.DEFAULT, policy);
    }

    private Admission publish(String authorization, String cookie, String query, BearerToken.Sources sources) {
        return Admission.decide("POST", "/publish/" + TOPIC, authorization, cookie, query, policy, sources);
    }

    // ---- the cookie -------------------------------------------------------------------------------

    @Test
    void aSubscribeReadsTheTokenCookieWhenThereIsNoHeader() {
        Admission a = subscribe(null, "theme=dark; esper_token=" + GOOD + "; lang=en", null);

        assertThat(a.action()).isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(subscriber.seen()).containsExactly(GOOD);
    }

    @Test
    void theHeaderWinsOverTheCookieAndTheCookieOverTheQueryWithNoFallBack() {
        assertThat(subscribe("Bearer " + OTHER, "esper_token=" + GOOD, "token=" + GOOD).status()).isEqualTo(403);
        assertThat(subscribe(null, "esper_token=" + EXPIRED, "token=" + GOOD).status()).isEqualTo(401);
        assertThat(subscribe(null, "esper_token=" + OTHER, "token=" + GOOD).status()).isEqualTo(403);
        assertThat(subscribe("Basic dXNlcjpwYXNz", "esper_token=" + GOOD, null).status()).isEqualTo(401);
        assertThat(subscriber.seen()).containsExactly(OTHER, EXPIRED, OTHER);
    }

    @Test
    void anExpiredTokenInTheCookieIs401WithABearerChallenge() {
        Admission a = subscribe(null, "esper_token=" + EXPIRED, null);

        assertThat(a.status()).isEqualTo(401);
        assertThat(a.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"");
        assertThat(a.reason()).contains("expired").doesNotContain(EXPIRED);
    }

    @Test
    void anEmptyOrOtherCookieIsNoTokenAndTheQueryIsRead() {
        assertThat(subscribe(null, "esper_token=; other=" + OTHER, "token=" + GOOD).action())
                .isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(subscribe(null, "Esper_Token=" + OTHER, "token=" + GOOD).action())
                .isEqualTo(Admission.Action.SUBSCRIBE);
    }

    @Test
    void theCookieNameIsConfigurable() {
        BearerToken.Sources sources = new BearerToken.Sources("sse", true);

        assertThat(subscribe(null, "sse=\"" + GOOD + "\"", null, sources, policy).action())
                .isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(subscribe(null, "esper_token=" + GOOD, null, sources, policy).status()).isEqualTo(401);
    }

    @Test
    void aCookieIsNeverReadOnPublishOrStats() {
        Admission p = publish(null, "esper_token=" + PUBLISH, null, BearerToken.Sources.DEFAULT);
        Admission s = Admission.decide("GET", "/stats", null, "esper_token=" + PUBLISH, null, policy,
                BearerToken.Sources.DEFAULT);

        assertThat(List.of(p, s)).allSatisfy(a -> {
            assertThat(a.status()).isEqualTo(401);
            assertThat(a.reason()).isEqualTo("a token is required: send 'Authorization: Bearer <token>' or "
                    + "?token=<token>");
            assertThat(a.headers().get("WWW-Authenticate")).isEqualTo("Bearer realm=\"esper\"");
        });
        assertThat(publisher.seen()).isEmpty();
    }

    @Test
    void aMissingTokenSaysWhereToSendOne() {
        assertThat(subscribe(null, null, null).reason()).isEqualTo("a token is required: send "
                + "'Authorization: Bearer <token>', the 'esper_token' cookie or ?token=<token>");
        assertThat(subscribe(null, null, null, new BearerToken.Sources("esper_token", false), policy).reason())
                .isEqualTo("a token is required: send 'Authorization: Bearer <token>' or the 'esper_token' cookie");
    }

    @Test
    void anOpenSideReadsNoCookie() {
        Admission a = subscribe(null, "esper_token=garbage", "token=garbage", BearerToken.Sources.DEFAULT,
                AccessPolicy.openToAll());

        assertThat(a.action()).isEqualTo(Admission.Action.SUBSCRIBE);
    }

    @ParameterizedTest(name = "Cookie: {0}")
    @ValueSource(strings = {"esper_token=T", " esper_token = T ", "a=1;esper_token=T", "a=1; esper_token=\"T\"; b=2",
        "esper_token=T; esper_token=U", "x=esper_token=U; esper_token=T"})
    void parsesTheCookieHeader(String header) {
        assertThat(BearerToken.cookie(header, "esper_token")).isEqualTo("T");
    }

    @ParameterizedTest(name = "Cookie: {0}")
    @ValueSource(strings = {"", "esper_token", "esper_token=", "esper_token=\"\"", "other=T", "xesper_token=T",
        "esper_tokenx=T", ";;"})
    void findsNoTokenCookie(String header) {
        assertThat(BearerToken.cookie(header, "esper_token")).isNull();
    }

    // ---- --no-query-token -------------------------------------------------------------------------

    @Test
    void noQueryTokenRefusesTheQueryParameterOnBothSidesSayingWhatToUseInstead() {
        BearerToken.Sources noQuery = new BearerToken.Sources("esper_token", false);

        Admission s = subscribe(null, null, "token=" + GOOD, noQuery, policy);
        Admission p = publish(null, null, "token=" + PUBLISH, noQuery);

        assertThat(s.status()).isEqualTo(401);
        assertThat(s.reason()).isEqualTo("this server does not read tokens in the URL (no-query-token); send "
                + "'Authorization: Bearer <token>' or the 'esper_token' cookie");
        assertThat(p.status()).isEqualTo(401);
        assertThat(p.reason()).isEqualTo("this server does not read tokens in the URL (no-query-token); send "
                + "'Authorization: Bearer <token>'");
        assertThat(s.headers().get("WWW-Authenticate")).startsWith("Bearer ");
        assertThat(subscriber.seen()).isEmpty();
        assertThat(publisher.seen()).isEmpty();
    }

    @Test
    void noQueryTokenStillReadsTheHeaderAndTheCookie() {
        BearerToken.Sources noQuery = new BearerToken.Sources("esper_token", false);

        assertThat(subscribe("Bearer " + GOOD, null, "token=x", noQuery, policy).action())
                .isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(subscribe(null, "esper_token=" + GOOD, "token=x", noQuery, policy).action())
                .isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(publish("Bearer " + PUBLISH, null, "token=x", noQuery).action())
                .isEqualTo(Admission.Action.PUBLISH);
    }

    // ---- credentialed CORS, through the API -------------------------------------------------------

    private Answer serve(EsperConfig config, AccessPolicy policy, FakeExchange ex) {
        HttpApi.create(broker, config, policy).handle(ex);
        return ex.answers.isEmpty() ? ex.head : ex.answers.get(0);
    }

    @Test
    void aListedOriginGetsCredentialsOnSubscribeAnswersAndTheirErrors() {
        EsperConfig config = EsperConfig.builder().corsOrigins(List.of("https://app.example")).build();

        Answer ok = serve(config, policy, new FakeExchange("GET", "/subscribe/" + TOPIC, null)
                .header("Origin", "https://app.example").header("Cookie", "esper_token=" + GOOD));
        Answer refused = serve(config, policy, new FakeExchange("GET", "/subscribe/" + TOPIC, null)
                .header("Origin", "https://app.example").header("Cookie", "esper_token=" + EXPIRED));
        Answer preflight = serve(config, policy, new FakeExchange("OPTIONS", "/subscribe/" + TOPIC, null)
                .header("Origin", "https://app.example"));
        Answer badTopic = serve(config, policy, new FakeExchange("GET", "/subscribe/short", null)
                .header("Origin", "https://app.example"));

        assertThat(List.of(ok, refused, preflight, badTopic)).allSatisfy(a -> {
            assertThat(a.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
            assertThat(a.header("Access-Control-Allow-Credentials")).isEqualTo("true");
            assertThat(a.header("Vary")).isEqualTo("Origin");
        });
        assertThat(List.of(ok.status(), refused.status(), preflight.status(), badTopic.status()))
                .containsExactly(200, 401, 204, 400);
    }

    @Test
    void credentialsAreNeverAllowedWithStarNorForOtherOriginsNorOnPublishOrStats() {
        EsperConfig listed = EsperConfig.builder().corsOrigins(List.of("https://app.example")).build();

        Answer star = serve(EsperConfig.defaults(), policy, new FakeExchange("GET", "/subscribe/" + TOPIC, null)
                .header("Origin", "https://app.example").header("Cookie", "esper_token=" + GOOD));
        Answer other = serve(listed, policy, new FakeExchange("GET", "/subscribe/" + TOPIC, null)
                .header("Origin", "https://evil.example").header("Cookie", "esper_token=" + GOOD));
        Answer publish = serve(listed, policy, new FakeExchange("POST", "/publish/" + TOPIC, null)
                .header("Origin", "https://app.example").header("Content-Length", "7"));
        Answer stats = serve(listed, policy, new FakeExchange("GET", "/stats", null)
                .header("Origin", "https://app.example"));
        Answer none = serve(listed, policy, new FakeExchange("GET", "/nothing", null)
                .header("Origin", "https://app.example"));

        assertThat(star.header("Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(other.header("Access-Control-Allow-Origin")).isNull();
        assertThat(publish.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
        assertThat(List.of(star, other, publish, stats, none))
                .allSatisfy(a -> assertThat(a.header("Access-Control-Allow-Credentials")).isNull());
    }

    @Test
    void theApiAppliesNoQueryTokenFromTheConfiguration() {
        Answer a = serve(EsperConfig.builder().noQueryToken(true).build(), policy,
                new FakeExchange("GET", "/subscribe/" + TOPIC, "token=" + GOOD));

        assertThat(a.status()).isEqualTo(401);
        assertThat(a.bodyText()).contains("no-query-token").doesNotContain(GOOD);
    }

    // ---- key state in /stats ----------------------------------------------------------------------

    /** A verifier that reports some state, as one keyed by a JWK Set does. */
    private static final class ReportingVerifier implements TokenVerifier {
        @Override
        public Claims verify(String token) {
            return Claims.of(Map.of("exp", NOW + 60));
        }

        @Override
        public Map<String, Object> status() {
            return Map.of("keys", "jwks", "loaded", 2, "kids", List.of("a", "b\""), "last_fetch_ok", true);
        }
    }

    @Test
    void statsShowWhatEachProtectedSidesVerifierReports() {
        AccessPolicy reporting = AccessPolicy.builder().protect(Side.SUBSCRIBER, new ReportingVerifier())
                .protect(Side.PUBLISHER, publisher).clock(InstantSource.fixed(Instant.ofEpochSecond(NOW))).build();

        Answer a = serve(EsperConfig.defaults(), reporting, new FakeExchange("GET", "/stats", null)
                .header("Authorization", "Bearer " + PUBLISH));

        assertThat(a.status()).isEqualTo(200);
        assertThat(a.bodyText()).startsWith("{\"clients\":0,").endsWith(",\"auth\":{\"subscriber\":{\"keys\":\"jwks\","
                + "\"kids\":[\"a\",\"b\\\"\"],\"last_fetch_ok\":true,\"loaded\":2}}}");
    }

    @Test
    void statsHaveNoAuthPartWhenNoVerifierReportsAnything() {
        Answer a = serve(EsperConfig.defaults(), AccessPolicy.openToAll(), new FakeExchange("GET", "/stats", null));

        assertThat(a.bodyText()).doesNotContain("auth").isEqualTo(broker.stats().toJson());
    }
}
