package dev.esper.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.FakeTokenVerifier;
import dev.esper.auth.Side;
import dev.esper.auth.TokenVerifier;
import dev.esper.topic.InvalidTopicIdException;
import dev.esper.topic.TopicId;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC 2, 3, 5 and 7: what {@link Admission} makes of a request before its body is read. Tokens are checked
 * by hand-written {@link TokenVerifier}s that know a fixed set of tokens, under a fixed clock.
 */
class AdmissionTest {

    private static final long NOW = 1_800_000_000L; // seconds since the epoch
    private static final String TOPIC = "abcdef123";
    private static final String ROUTES = "use GET /subscribe/{topic}, GET /subscribe?topic={topic}&topic=..., "
            + "POST /publish/{topic} or GET /stats";
    /** Look like JWTs; the tests check that they never show up in a reason or a header. */
    private static final String SUBSCRIBER_TOKEN = "eyJzdWJzY3JpYmVy.eyJ0b3BpYyI6ImFiY2RlZjEyMyJ9.c3Vic2lnU0VDUkVU";
    private static final String PUBLISHER_TOKEN = "eyJwdWJsaXNoZXI.eyJ0b3BpYyI6ImFiY2RlZjEyMyJ9.cHVic2lnU0VDUkVU";
    private static final String OTHER_TOPIC_TOKEN = "eyJvdGhlcg.eyJ0b3BpYyI6Im90aGVydG9waWMxIn0.b3RoZXJTRUNSRVQ";
    private static final String EXPIRED_TOKEN = "eyJleHBpcmVk.eyJ0b3BpYyI6ImFiY2RlZjEyMyJ9.ZXhwaXJlZFNFQ1JFVA";
    private static final String STATS_TOKEN = "eyJzdGF0cw.eyJub3N1YiI6dHJ1ZX0.c3RhdHNTRUNSRVQ";
    private static final String BAD_TOKEN = "eyJiYWQ.eyJmb3JnZWQiOnRydWV9.Zm9yZ2VkU0VDUkVU";

    private final FakeTokenVerifier subscriberVerifier = new FakeTokenVerifier()
            .accept(SUBSCRIBER_TOKEN, claims("sub", "ABCDEF123", "exp", NOW + 60))
            .accept(OTHER_TOPIC_TOKEN, claims("sub", "othertopic1", "exp", NOW + 60))
            .accept(EXPIRED_TOKEN, claims("sub", TOPIC, "exp", NOW - 1));
    private final FakeTokenVerifier publisherVerifier = new FakeTokenVerifier()
            .accept(PUBLISHER_TOKEN, claims("sub", TOPIC, "exp", NOW + 60))
            .accept(OTHER_TOPIC_TOKEN, claims("sub", "othertopic1", "exp", NOW + 60))
            .accept(STATS_TOKEN, claims("exp", NOW + 60));
    private final AccessPolicy protectedPolicy = AccessPolicy.builder()
            .protect(Side.SUBSCRIBER, subscriberVerifier)
            .protect(Side.PUBLISHER, publisherVerifier)
            .clock(InstantSource.fixed(Instant.ofEpochSecond(NOW)))
            .build();
    private final AccessPolicy openPolicy = AccessPolicy.openToAll();

    // ---- routing -----------------------------------------------------------------------------

    @Test
    void getOnSubscribeWithAValidTopicSubscribes() {
        Admission a = Admission.decide("GET", "/subscribe/" + TOPIC, null, null, openPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(a.topic()).isEqualTo(TopicId.of(TOPIC));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.reason()).isNull();
        assertThat(a.headers()).isEmpty();
        assertThat(a.body()).isNull();
    }

    @Test
    void postOnPublishWithAValidTopicPublishes() {
        Admission a = Admission.decide("POST", "/publish/" + TOPIC, null, null, openPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.PUBLISH);
        assertThat(a.topic()).isEqualTo(TopicId.of(TOPIC));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.reason()).isNull();
        assertThat(a.headers()).isEmpty();
        assertThat(a.body()).isNull();
    }

    @Test
    void getOnStatsAnswersStatsWithoutATopic() {
        Admission a = Admission.decide("GET", "/stats", null, null, openPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.STATS);
        assertThat(a.topic()).isNull();
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.reason()).isNull();
        assertThat(a.headers()).isEmpty();
        assertThat(a.body()).isNull();
    }

    @Test
    void theTopicIsCanonicalLowerCase() {
        assertThat(Admission.decide("GET", "/subscribe/ABCdef123", null, null, openPolicy).topic().value())
                .isEqualTo("abcdef123");
        assertThat(Admission.decide("POST", "/publish/ABCDEF123", null, null, openPolicy).topic().value())
                .isEqualTo("abcdef123");
    }

    @ParameterizedTest(name = "path ''{0}''")
    @ValueSource(strings = {"", "/", "/nowhere", "/subscribex", "/publish", "/stats/", "/statsx", "/Stats",
        "/SUBSCRIBE/abcdef123", "//subscribe/abcdef123", "subscribe/abcdef123", "/api/subscribe/abcdef123",
        "/stats/abcdef123"})
    void anUnknownPathIs404NamingTheRoutes(String path) {
        Admission a = Admission.decide("GET", path, null, null, openPolicy);
        assertRejected(a, 404);
        assertThat(a.reason()).isEqualTo("no such route; " + ROUTES);
        assertThat(a.headers()).isEmpty();
        assertThat(a.topic()).isNull();
    }

    @Test
    void aNullPathIs404NamingTheRoutes() {
        Admission a = Admission.decide("GET", null, null, null, openPolicy);
        assertRejected(a, 404);
        assertThat(a.reason()).contains("/subscribe/{topic}", "/publish/{topic}", "/stats");
    }

    @ParameterizedTest(name = "path ''{0}''")
    @ValueSource(strings = {"/subscribe/a/b", "/subscribe/", "/subscribe/abcdef123/", "/subscribe/abc",
        "/subscribe/abcdef-123", "/subscribe/abcdef 123", "/subscribe/abcdéf123"})
    void aKnownSubscribeRouteWithAnInvalidTopicIs400WithTheTopicIdReason(String path) {
        Admission a = Admission.decide("GET", path, null, null, openPolicy);
        assertRejected(a, 400);
        assertThat(a.reason()).isEqualTo(topicIdReason(path.substring("/subscribe/".length())));
        assertThat(a.headers()).isEmpty();
    }

    @ParameterizedTest(name = "path ''{0}''")
    @ValueSource(strings = {"/publish/a/b", "/publish/", "/publish/abcdefg", "/publish/" + TOPIC + "?x=1"})
    void aKnownPublishRouteWithAnInvalidTopicIs400WithTheTopicIdReason(String path) {
        Admission a = Admission.decide("POST", path, null, null, openPolicy);
        assertRejected(a, 400);
        assertThat(a.reason()).isEqualTo(topicIdReason(path.substring("/publish/".length())))
                .contains("8-64 ASCII letters or digits");
    }

    // ---- method ------------------------------------------------------------------------------

    @ParameterizedTest(name = "method {0}")
    @ValueSource(strings = {"POST", "PUT", "DELETE", "PATCH", "HEAD", "get", "TRACE"})
    void aWrongMethodOnSubscribeIs405AllowingGet(String method) {
        Admission a = Admission.decide(method, "/subscribe/" + TOPIC, null, null, openPolicy);
        assertRejected(a, 405);
        assertThat(a.headers()).containsExactly(Map.entry("Allow", "GET, OPTIONS"));
        assertThat(a.reason()).isEqualTo("method '" + method + "' is not allowed here; allowed: GET, OPTIONS");
    }

    @ParameterizedTest(name = "method {0}")
    @ValueSource(strings = {"GET", "PUT", "DELETE", "PATCH", "HEAD", "post"})
    void aWrongMethodOnPublishIs405AllowingPost(String method) {
        Admission a = Admission.decide(method, "/publish/" + TOPIC, null, null, openPolicy);
        assertRejected(a, 405);
        assertThat(a.headers()).containsExactly(Map.entry("Allow", "POST, OPTIONS"));
        assertThat(a.reason()).isEqualTo("method '" + method + "' is not allowed here; allowed: POST, OPTIONS");
    }

    @ParameterizedTest(name = "method {0}")
    @ValueSource(strings = {"POST", "HEAD", "DELETE"})
    void aWrongMethodOnStatsIs405AllowingGet(String method) {
        Admission a = Admission.decide(method, "/stats", null, null, openPolicy);
        assertRejected(a, 405);
        assertThat(a.headers()).containsExactly(Map.entry("Allow", "GET, OPTIONS"));
        assertThat(a.reason()).contains("'" + method + "'").endsWith("allowed: GET, OPTIONS");
    }

    @Test
    void headIsNotTreatedAsGet() {
        assertRejected(Admission.decide("HEAD", "/subscribe/" + TOPIC, null, null, openPolicy), 405);
        assertRejected(Admission.decide("HEAD", "/stats", null, null, openPolicy), 405);
    }

    @ParameterizedTest(name = "method ''{0}''")
    @ValueSource(strings = {"GE T", "GET\r\nX-Injected: 1", "GE\tT", "G\u0000T", "GÉT", "P\u007fST",
        "AVERYLONGMETHODNAMEWHICHISMORETHANTWENTYFOURCHARACTERS"})
    void anUnprintableOrVeryLongMethodIsShownAsUnrecognisedAndNeverEchoed(String method) {
        Admission a = Admission.decide(method, "/publish/" + TOPIC, null, null, openPolicy);
        assertRejected(a, 405);
        assertThat(a.reason()).isEqualTo("method (unrecognised) is not allowed here; allowed: POST, OPTIONS")
                .doesNotContain(method);
        assertThat(a.body()).doesNotContain(method);
        assertThat(a.headers()).containsExactly(Map.entry("Allow", "POST, OPTIONS"));
    }

    @Test
    void aNullMethodIs405ShownAsUnrecognised() {
        Admission a = Admission.decide(null, "/subscribe/" + TOPIC, null, null, openPolicy);
        assertRejected(a, 405);
        assertThat(a.reason()).contains("(unrecognised)");
    }

    @Test
    void aMethodOfTwentyFourPrintableCharactersIsStillQuoted() {
        String method = "X".repeat(24);
        assertThat(Admission.decide(method, "/stats", null, null, openPolicy).reason())
                .startsWith("method '" + method + "'");
        assertThat(Admission.decide(method + "X", "/stats", null, null, openPolicy).reason())
                .startsWith("method (unrecognised)");
    }

    // ---- order of checks ---------------------------------------------------------------------

    @Test
    void anUnknownRouteIs404WhateverTheMethod() {
        assertRejected(Admission.decide("DELETE", "/nowhere", null, null, protectedPolicy), 404);
        assertRejected(Admission.decide("OPTIONS", "/nowhere", null, null, protectedPolicy), 404);
        assertRejected(Admission.decide(null, null, null, null, protectedPolicy), 404);
    }

    @Test
    void aWrongMethodIs405BeforeAnInvalidTopicIsNoticed() {
        Admission a = Admission.decide("POST", "/subscribe/a/b", null, null, protectedPolicy);
        assertRejected(a, 405);
        assertThat(a.headers()).containsEntry("Allow", "GET, OPTIONS");
    }

    @Test
    void aWrongMethodIs405BeforeTheTokenIsChecked() {
        assertRejected(Admission.decide("GET", "/publish/" + TOPIC, null, null, protectedPolicy), 405);
        assertRejected(Admission.decide("POST", "/subscribe/" + TOPIC, "Bearer " + BAD_TOKEN, null,
                protectedPolicy), 405);
        assertThat(subscriberVerifier.seen()).isEmpty();
        assertThat(publisherVerifier.seen()).isEmpty();
    }

    @Test
    void anInvalidTopicIs400BeforeTheTokenIsChecked() {
        assertRejected(Admission.decide("GET", "/subscribe/short", null, null, protectedPolicy), 400);
        assertRejected(Admission.decide("POST", "/publish/short", "Bearer " + BAD_TOKEN, null, protectedPolicy),
                400);
        assertThat(subscriberVerifier.seen()).isEmpty();
        assertThat(publisherVerifier.seen()).isEmpty();
    }

    @Test
    void aPreflightOnSubscribeIs204WithItsCorsHeaders() {
        Admission a = Admission.decide("OPTIONS", "/subscribe/" + TOPIC, null, null, protectedPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.PREFLIGHT);
        assertThat(a.status()).isEqualTo(204);
        assertThat(a.topic()).isEqualTo(TopicId.of(TOPIC));
        assertThat(a.reason()).isNull();
        assertThat(a.body()).isNull();
        assertThat(a.headers()).containsOnly(
                Map.entry("Allow", "GET, OPTIONS"),
                Map.entry("Access-Control-Allow-Methods", "GET, OPTIONS"),
                Map.entry("Access-Control-Allow-Headers", Admission.PREFLIGHT_HEADERS),
                Map.entry("Access-Control-Max-Age", "600"));
    }

    @Test
    void aPreflightOnPublishIs204WithItsCorsHeadersAndNeedsNoToken() {
        Admission a = Admission.decide("OPTIONS", "/publish/ABCDEF123", null, null, protectedPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.PREFLIGHT);
        assertThat(a.status()).isEqualTo(204);
        assertThat(a.topic()).isEqualTo(TopicId.of(TOPIC));
        assertThat(a.headers()).containsOnly(
                Map.entry("Allow", "POST, OPTIONS"),
                Map.entry("Access-Control-Allow-Methods", "POST, OPTIONS"),
                Map.entry("Access-Control-Allow-Headers", Admission.PREFLIGHT_HEADERS),
                Map.entry("Access-Control-Max-Age", "600"));
        assertThat(publisherVerifier.seen()).isEmpty();
    }

    @Test
    void aPreflightOnStatsIs204WithoutATopic() {
        Admission a = Admission.decide("OPTIONS", "/stats", null, null, protectedPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.PREFLIGHT);
        assertThat(a.status()).isEqualTo(204);
        assertThat(a.topic()).isNull();
        assertThat(a.headers()).containsEntry("Allow", "GET, OPTIONS")
                .containsEntry("Access-Control-Max-Age", "600");
    }

    @Test
    void aPreflightIgnoresEvenABadToken() {
        Admission a = Admission.decide("OPTIONS", "/subscribe/" + TOPIC, "Basic Zm9vOmJhcg==", "token=" + BAD_TOKEN,
                protectedPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.PREFLIGHT);
        assertThat(subscriberVerifier.seen()).isEmpty();
    }

    @Test
    void thePreflightHeadersNameAuthorizationRatherThanAWildcard() {
        assertThat(Admission.PREFLIGHT_HEADERS).isEqualTo("Authorization, Content-Type, Last-Event-ID, Idempotency-Key")
                .doesNotContain("*");
    }

    @Test
    void aPreflightWithAnInvalidTopicIs400() {
        Admission a = Admission.decide("OPTIONS", "/publish/a/b", null, null, protectedPolicy);
        assertRejected(a, 400);
        assertThat(a.reason()).isEqualTo(topicIdReason("a/b"));
        assertThat(a.headers()).isEmpty();
    }

    @Test
    void theOptionsMethodIsMatchedExactly() {
        assertRejected(Admission.decide("options", "/subscribe/" + TOPIC, null, null, openPolicy), 405);
    }

    // ---- tokens ------------------------------------------------------------------------------

    @Test
    void aProtectedSideWithoutATokenIs401WithABareChallenge() {
        for (Admission a : List.of(
                Admission.decide("GET", "/subscribe/" + TOPIC, null, null, protectedPolicy),
                Admission.decide("POST", "/publish/" + TOPIC, null, null, protectedPolicy),
                Admission.decide("GET", "/stats", null, null, protectedPolicy))) {
            assertRejected(a, 401);
            assertThat(a.headers()).containsExactly(Map.entry("WWW-Authenticate", "Bearer realm=\"esper\""));
            assertThat(a.reason()).contains("token");
        }
    }

    @Test
    void anEmptyTokenQueryParameterCountsAsNoToken() {
        Admission a = Admission.decide("GET", "/subscribe/" + TOPIC, null, "token=", protectedPolicy);
        assertRejected(a, 401);
        assertThat(a.headers()).containsExactly(Map.entry("WWW-Authenticate", "Bearer realm=\"esper\""));
    }

    @Test
    void aBadTokenIs401WithAnInvalidTokenChallenge() {
        Admission a = Admission.decide("GET", "/subscribe/" + TOPIC, "Bearer " + BAD_TOKEN, null, protectedPolicy);
        assertRejected(a, 401);
        assertThat(a.reason()).isEqualTo("token signature does not verify");
        assertThat(a.headers()).containsOnlyKeys("WWW-Authenticate");
        assertThat(a.headers().get("WWW-Authenticate"))
                .isEqualTo("Bearer realm=\"esper\", error=\"invalid_token\", "
                        + "error_description=\"token signature does not verify\"");
    }

    @Test
    void anExpiredTokenIs401WithAnInvalidTokenChallenge() {
        Admission a = Admission.decide("GET", "/subscribe/" + TOPIC, "Bearer " + EXPIRED_TOKEN, null,
                protectedPolicy);
        assertRejected(a, 401);
        assertThat(a.reason()).contains("expired");
        assertThat(a.headers().get("WWW-Authenticate")).startsWith("Bearer realm=\"esper\", error=\"invalid_token\"");
    }

    @ParameterizedTest(name = "header ''{0}''")
    @ValueSource(strings = {"", " ", "Basic Zm9vOmJhcg==", "Bearer", "Token abc"})
    void aMalformedAuthorizationHeaderIs401WithAnInvalidTokenChallenge(String header) {
        Admission a = Admission.decide("POST", "/publish/" + TOPIC, header, "token=" + PUBLISHER_TOKEN,
                protectedPolicy);
        assertRejected(a, 401);
        assertThat(a.reason()).contains("Authorization");
        assertThat(a.headers().get("WWW-Authenticate")).startsWith("Bearer realm=\"esper\", error=\"invalid_token\"");
        assertThat(publisherVerifier.seen()).isEmpty();
    }

    @Test
    void aValidTokenForAnotherTopicIs403WithoutAChallenge() {
        for (Admission a : List.of(
                Admission.decide("GET", "/subscribe/" + TOPIC, "Bearer " + OTHER_TOPIC_TOKEN, null, protectedPolicy),
                Admission.decide("POST", "/publish/" + TOPIC, "Bearer " + OTHER_TOPIC_TOKEN, null, protectedPolicy))) {
            assertRejected(a, 403);
            assertThat(a.reason()).isEqualTo("token does not grant topic 'abcdef123'");
            assertThat(a.headers()).isEmpty();
        }
    }

    @Test
    void aValidSubscriberTokenInTheHeaderSubscribesToTheCanonicalTopic() {
        Admission a = Admission.decide("GET", "/subscribe/AbCdEf123", "Bearer " + SUBSCRIBER_TOKEN, null,
                protectedPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.topic().value()).isEqualTo("abcdef123");
        assertThat(a.headers()).isEmpty();
        assertThat(subscriberVerifier.seen()).containsExactly(SUBSCRIBER_TOKEN);
        assertThat(publisherVerifier.seen()).isEmpty();
    }

    @Test
    void aValidPublisherTokenInTheHeaderPublishesToTheCanonicalTopic() {
        Admission a = Admission.decide("POST", "/publish/ABCDEF123", "bearer  " + PUBLISHER_TOKEN, null,
                protectedPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.PUBLISH);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.topic().value()).isEqualTo("abcdef123");
        assertThat(publisherVerifier.seen()).containsExactly(PUBLISHER_TOKEN);
        assertThat(subscriberVerifier.seen()).isEmpty();
    }

    @Test
    void aTokenOfTheOtherSideIs401() {
        assertRejected(Admission.decide("GET", "/subscribe/" + TOPIC, "Bearer " + PUBLISHER_TOKEN, null,
                protectedPolicy), 401);
        assertRejected(Admission.decide("POST", "/publish/" + TOPIC, "Bearer " + SUBSCRIBER_TOKEN, null,
                protectedPolicy), 401);
    }

    @Test
    void aTokenInTheQueryWorksWhenThereIsNoAuthorizationHeader() {
        Admission a = Admission.decide("GET", "/subscribe/" + TOPIC, null, "lastEventId=4&token=" + SUBSCRIBER_TOKEN,
                protectedPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(a.topic()).isEqualTo(TopicId.of(TOPIC));
        assertThat(subscriberVerifier.seen()).containsExactly(SUBSCRIBER_TOKEN);
    }

    @Test
    void theQueryTokenIsPercentDecodedBeforeItIsVerified() {
        String encoded = PUBLISHER_TOKEN.replace(".", "%2E");
        Admission a = Admission.decide("POST", "/publish/" + TOPIC, null, "t%6Fken=" + encoded, protectedPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.PUBLISH);
        assertThat(publisherVerifier.seen()).containsExactly(PUBLISHER_TOKEN);
    }

    @Test
    void theFirstTokenInTheQueryIsTheOneUsed() {
        Admission a = Admission.decide("GET", "/subscribe/" + TOPIC, null,
                "token=" + SUBSCRIBER_TOKEN + "&token=" + BAD_TOKEN, protectedPolicy);
        assertThat(a.action()).isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(subscriberVerifier.seen()).containsExactly(SUBSCRIBER_TOKEN);
    }

    @Test
    void withAnAuthorizationHeaderTheQueryTokenIsIgnored() {
        Admission good = Admission.decide("GET", "/subscribe/" + TOPIC, "Bearer " + SUBSCRIBER_TOKEN,
                "token=" + BAD_TOKEN, protectedPolicy);
        assertThat(good.action()).isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(subscriberVerifier.seen()).containsExactly(SUBSCRIBER_TOKEN);
    }

    @Test
    void aBadHeaderWithAGoodQueryTokenIs401() {
        Admission a = Admission.decide("GET", "/subscribe/" + TOPIC, "Bearer " + BAD_TOKEN,
                "token=" + SUBSCRIBER_TOKEN, protectedPolicy);
        assertRejected(a, 401);
        assertThat(a.headers().get("WWW-Authenticate")).contains("error=\"invalid_token\"");
        assertThat(subscriberVerifier.seen()).containsExactly(BAD_TOKEN);
    }

    @Test
    void statsUsesThePublisherSideAndIgnoresSub() {
        Admission withoutSub = Admission.decide("GET", "/stats", "Bearer " + STATS_TOKEN, null, protectedPolicy);
        assertThat(withoutSub.action()).isEqualTo(Admission.Action.STATS);
        assertThat(withoutSub.topic()).isNull();
        assertThat(Admission.decide("GET", "/stats", null, "token=" + OTHER_TOPIC_TOKEN, protectedPolicy).action())
                .isEqualTo(Admission.Action.STATS);
        assertThat(publisherVerifier.seen()).containsExactly(STATS_TOKEN, OTHER_TOPIC_TOKEN);

        Admission subscriberToken = Admission.decide("GET", "/stats", "Bearer " + SUBSCRIBER_TOKEN, null,
                protectedPolicy);
        assertRejected(subscriberToken, 401);
        assertThat(subscriberVerifier.seen()).isEmpty();
    }

    @Test
    void statsIsOpenWhenOnlyTheSubscriberSideIsProtected() {
        AccessPolicy subscriberOnly = AccessPolicy.builder().protect(Side.SUBSCRIBER, subscriberVerifier)
                .open(Side.PUBLISHER).build();
        assertThat(Admission.decide("GET", "/stats", null, null, subscriberOnly).action())
                .isEqualTo(Admission.Action.STATS);
        assertThat(Admission.decide("POST", "/publish/" + TOPIC, null, null, subscriberOnly).action())
                .isEqualTo(Admission.Action.PUBLISH);
        assertRejected(Admission.decide("GET", "/subscribe/" + TOPIC, null, null, subscriberOnly), 401);
    }

    @Test
    void openSidesAdmitWithoutAToken() {
        assertThat(Admission.decide("GET", "/subscribe/" + TOPIC, null, null, openPolicy).action())
                .isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(Admission.decide("POST", "/publish/" + TOPIC, null, null, openPolicy).action())
                .isEqualTo(Admission.Action.PUBLISH);
        assertThat(Admission.decide("GET", "/stats", null, null, openPolicy).action())
                .isEqualTo(Admission.Action.STATS);
    }

    @Test
    void openSidesAdmitWhateverWellFormedTokenIsSent() {
        assertThat(Admission.decide("GET", "/subscribe/" + TOPIC, "Bearer " + BAD_TOKEN, null, openPolicy).action())
                .isEqualTo(Admission.Action.SUBSCRIBE);
        assertThat(Admission.decide("POST", "/publish/" + TOPIC, null, "token=" + BAD_TOKEN, openPolicy).action())
                .isEqualTo(Admission.Action.PUBLISH);
    }

    @Test
    void anOpenSideReadsNoCredentialsSoEvenAMalformedAuthorizationHeaderIsAdmitted() {
        for (String header : List.of("Basic dXNlcjpwYXNz", "Bearer", "", "garbage")) {
            assertThat(Admission.decide("GET", "/subscribe/" + TOPIC, header, null, openPolicy).action())
                    .as("subscribe with '%s'", header).isEqualTo(Admission.Action.SUBSCRIBE);
            assertThat(Admission.decide("POST", "/publish/" + TOPIC, header, null, openPolicy).action())
                    .as("publish with '%s'", header).isEqualTo(Admission.Action.PUBLISH);
            assertThat(Admission.decide("GET", "/stats", header, null, openPolicy).action())
                    .as("stats with '%s'", header).isEqualTo(Admission.Action.STATS);
        }
    }

    @Test
    void onlyTheProtectedSideReadsTheAuthorizationHeader() {
        AccessPolicy subscribersOnly = AccessPolicy.builder()
                .protect(Side.SUBSCRIBER, new FakeTokenVerifier()).open(Side.PUBLISHER).build();
        assertThat(Admission.decide("POST", "/publish/" + TOPIC, "Basic dXNlcjpwYXNz", null, subscribersOnly)
                .action()).isEqualTo(Admission.Action.PUBLISH);
        Admission subscribe = Admission.decide("GET", "/subscribe/" + TOPIC, "Basic dXNlcjpwYXNz", null,
                subscribersOnly);
        assertThat(subscribe.action()).isEqualTo(Admission.Action.REJECT);
        assertThat(subscribe.status()).isEqualTo(401);
    }

    @Test
    void theReasonHeadersBodyAndToStringNeverContainTheToken() {
        List<Admission> decisions = new ArrayList<>();
        for (String token : List.of(BAD_TOKEN, EXPIRED_TOKEN, OTHER_TOPIC_TOKEN, PUBLISHER_TOKEN)) {
            decisions.add(Admission.decide("GET", "/subscribe/" + TOPIC, "Bearer " + token, null, protectedPolicy));
            decisions.add(Admission.decide("GET", "/subscribe/" + TOPIC, null, "token=" + token, protectedPolicy));
            decisions.add(Admission.decide("GET", "/subscribe/" + TOPIC, "Basic " + token, null, protectedPolicy));
            decisions.add(Admission.decide("GET", "/subscribe/" + TOPIC, token, null, protectedPolicy));
        }
        decisions.add(Admission.decide("GET", "/stats", "Bearer " + SUBSCRIBER_TOKEN, null, protectedPolicy));
        for (Admission a : decisions) {
            assertThat(a.action()).as("%s", a).isEqualTo(Admission.Action.REJECT);
            for (String token : List.of(BAD_TOKEN, EXPIRED_TOKEN, OTHER_TOPIC_TOKEN, PUBLISHER_TOKEN,
                    SUBSCRIBER_TOKEN)) {
                String signature = token.substring(token.lastIndexOf('.') + 1);
                assertThat(a.reason()).doesNotContain(token).doesNotContain(signature);
                assertThat(a.body()).doesNotContain(token).doesNotContain(signature);
                assertThat(a.toString()).doesNotContain(token);
                assertThat(a.headers().values()).allSatisfy(v -> assertThat(v).doesNotContain(token)
                        .doesNotContain(signature));
            }
        }
    }

    @Test
    void aNullPolicyIsRefused() {
        assertThatThrownBy(() -> Admission.decide("GET", "/stats", null, null, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("policy");
    }

    // ---- body, headers and toString ---------------------------------------------------------

    @Test
    void theBodyOfARejectionIsAJsonErrorHoldingTheReason() {
        Admission a = Admission.decide("GET", "/nowhere", null, null, openPolicy);
        assertThat(a.body()).isEqualTo("{\"error\":\"no such route; " + ROUTES + "\"}\n");
    }

    @Test
    void theBodyEscapesTheReasonAsJson() {
        Admission a = Admission.decide("GE\"T", "/stats", null, null, openPolicy);
        assertThat(a.reason()).startsWith("method 'GE\"T'");
        assertThat(a.body()).isEqualTo(
                "{\"error\":\"method 'GE\\\"T' is not allowed here; allowed: GET, OPTIONS\"}\n");
    }

    @Test
    void onlyARejectionHasABody() {
        assertThat(Admission.decide("GET", "/subscribe/" + TOPIC, null, null, openPolicy).body()).isNull();
        assertThat(Admission.decide("POST", "/publish/" + TOPIC, null, null, openPolicy).body()).isNull();
        assertThat(Admission.decide("GET", "/stats", null, null, openPolicy).body()).isNull();
        assertThat(Admission.decide("OPTIONS", "/stats", null, null, openPolicy).body()).isNull();
        assertThat(Admission.decide("GET", "/subscribe/x", null, null, openPolicy).body())
                .startsWith("{\"error\":\"topic id must be");
    }

    @Test
    void theHeadersAreUnmodifiable() {
        List<Admission> decisions = List.of(
                Admission.decide("GET", "/subscribe/" + TOPIC, null, null, openPolicy),
                Admission.decide("OPTIONS", "/subscribe/" + TOPIC, null, null, openPolicy),
                Admission.decide("POST", "/subscribe/" + TOPIC, null, null, openPolicy),
                Admission.decide("GET", "/subscribe/" + TOPIC, null, null, protectedPolicy),
                Admission.decide("GET", "/nowhere", null, null, openPolicy));
        for (Admission a : decisions) {
            assertThatThrownBy(() -> a.headers().put("X-Extra", "1")).as("%s", a)
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> a.headers().clear()).as("%s", a)
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void toStringNamesTheActionAndTopicOrTheRejection() {
        assertThat(Admission.decide("GET", "/subscribe/ABCDEF123", null, null, openPolicy))
                .hasToString("Admission[SUBSCRIBE abcdef123]");
        assertThat(Admission.decide("GET", "/stats", null, null, openPolicy)).hasToString("Admission[STATS]");
        assertThat(Admission.decide("GET", "/nowhere", null, null, openPolicy))
                .hasToString("Admission[REJECT 404: no such route; " + ROUTES + "]");
    }

    // ---- allowOrigin -------------------------------------------------------------------------

    @Test
    void aWildcardListAllowsEveryOriginAsAStar() {
        assertThat(Admission.allowOrigin(List.of("*"), "https://app.example")).isEqualTo("*");
        assertThat(Admission.allowOrigin(List.of("*"), null)).isEqualTo("*");
        assertThat(Admission.allowOrigin(List.of("https://app.example", "*"), "https://other.example"))
                .isEqualTo("*");
    }

    @Test
    void aListedOriginIsEchoed() {
        List<String> allowed = List.of("https://app.example", "http://localhost:8080");
        assertThat(Admission.allowOrigin(allowed, "https://app.example")).isEqualTo("https://app.example");
        assertThat(Admission.allowOrigin(allowed, "http://localhost:8080")).isEqualTo("http://localhost:8080");
    }

    @Test
    void aListedOriginMatchesIgnoringCaseAndTheRequestsSpellingIsEchoed() {
        assertThat(Admission.allowOrigin(List.of("https://app.example"), "HTTPS://App.Example"))
                .isEqualTo("HTTPS://App.Example");
        assertThat(Admission.allowOrigin(List.of("HTTPS://APP.EXAMPLE"), "https://app.example"))
                .isEqualTo("https://app.example");
    }

    @Test
    void originsMatchIgnoringAsciiCaseOnlyNotUnicodeFolding() {
        // U+212A KELVIN SIGN, U+017F LONG S and U+0131 DOTLESS I fold to ASCII letters under String.equalsIgnoreCase.
        assertThat(Admission.allowOrigin(List.of("https://kelvin.example"), "https://\u212Aelvin.example")).isNull();
        assertThat(Admission.allowOrigin(List.of("https://sso.example"), "https://\u017Fso.example")).isNull();
        assertThat(Admission.allowOrigin(List.of("https://id.example"), "https://\u0131d.example")).isNull();
    }

    @Test
    void anUnlistedOriginGetsNoHeader() {
        List<String> allowed = List.of("https://app.example");
        assertThat(Admission.allowOrigin(allowed, "https://evil.example")).isNull();
        assertThat(Admission.allowOrigin(allowed, "https://app.example.evil.example")).isNull();
        assertThat(Admission.allowOrigin(allowed, "https://app.example:8443")).isNull();
        assertThat(Admission.allowOrigin(allowed, "null")).isNull();
        assertThat(Admission.allowOrigin(allowed, "")).isNull();
        assertThat(Admission.allowOrigin(List.of(), "https://app.example")).isNull();
    }

    @Test
    void aNullOriginWithoutAWildcardGetsNoHeader() {
        assertThat(Admission.allowOrigin(List.of("https://app.example"), null)).isNull();
        assertThat(Admission.allowOrigin(List.of(), null)).isNull();
    }

    // ---- lastEventId -------------------------------------------------------------------------

    @Test
    void theLastEventIdHeaderWinsOverTheQuery() {
        assertThat(Admission.lastEventId("17", "lastEventId=4")).isEqualTo("17");
        assertThat(Admission.lastEventId("17", null)).isEqualTo("17");
    }

    @Test
    void anEmptyLastEventIdHeaderFallsBackToTheQuery() {
        assertThat(Admission.lastEventId("", "token=x&lastEventId=4")).isEqualTo("4");
        assertThat(Admission.lastEventId(null, "lastEventId=4")).isEqualTo("4");
    }

    @Test
    void anEmptyLastEventIdQueryValueIsNone() {
        assertThat(Admission.lastEventId(null, "lastEventId=")).isNull();
        assertThat(Admission.lastEventId("", "lastEventId")).isNull();
    }

    @Test
    void anAbsentLastEventIdIsNone() {
        assertThat(Admission.lastEventId(null, null)).isNull();
        assertThat(Admission.lastEventId("", null)).isNull();
        assertThat(Admission.lastEventId(null, "")).isNull();
        assertThat(Admission.lastEventId(null, "token=abc")).isNull();
    }

    @Test
    void theLastEventIdQueryValueIsPercentDecoded() {
        assertThat(Admission.lastEventId(null, "lastEventId=a%20b%2Fc%3D")).isEqualTo("a b/c=");
        assertThat(Admission.lastEventId(null, "lastEventId=%C3%A9v%C3%A9nement")).isEqualTo("événement");
        assertThat(Admission.lastEventId(null, "lastEventId=1%2B1")).isEqualTo("1+1");
    }

    @Test
    void theLastEventIdHeaderIsTakenAsIs() {
        assertThat(Admission.lastEventId("a%20b", null)).isEqualTo("a%20b");
    }

    // ---- queryParam --------------------------------------------------------------------------

    @Test
    void theFirstValueOfAParameterWins() {
        assertThat(Admission.queryParam("token=a&token=b", "token")).isEqualTo("a");
        assertThat(Admission.queryParam("x=1&token=a&y=2&token=b", "token")).isEqualTo("a");
    }

    @Test
    void aBareNameHasTheEmptyValue() {
        assertThat(Admission.queryParam("token", "token")).isEmpty();
        assertThat(Admission.queryParam("x=1&token&token=b", "token")).isEmpty();
    }

    @Test
    void plusDecodesToASpace() {
        assertThat(Admission.queryParam("q=a+b+c", "q")).isEqualTo("a b c");
        assertThat(Admission.queryParam("q=a%2Bb", "q")).isEqualTo("a+b");
    }

    @ParameterizedTest(name = "value ''{0}''")
    @ValueSource(strings = {"%zz", "a%zzb+c", "%2", "100%", "%%41"})
    void aMalformedEscapeLeavesTheValueUndecoded(String raw) {
        assertThat(Admission.queryParam("token=" + raw, "token")).isEqualTo(raw);
    }

    @ParameterizedTest(name = "query ''{0}''")
    @NullAndEmptySource
    void aNullOrEmptyQueryHasNoParameters(String rawQuery) {
        assertThat(Admission.queryParam(rawQuery, "token")).isNull();
    }

    @Test
    void anAbsentParameterIsNull() {
        assertThat(Admission.queryParam("tokens=a&xtoken=b&tok=c", "token")).isNull();
        assertThat(Admission.queryParam("&&", "token")).isNull();
    }

    @Test
    void parameterNamesAreCaseSensitive() {
        assertThat(Admission.queryParam("TOKEN=a&Token=b", "token")).isNull();
    }

    @Test
    void anEncodedKeyMatchesItsDecodedName() {
        assertThat(Admission.queryParam("t%6Fken=x", "token")).isEqualTo("x");
        assertThat(Admission.queryParam("last%45ventId=7", "lastEventId")).isEqualTo("7");
    }

    @Test
    void aValueMayContainEqualsSignsAndEmptyPairsAreSkipped() {
        assertThat(Admission.queryParam("token=a=b==", "token")).isEqualTo("a=b==");
        assertThat(Admission.queryParam("&&token=x&", "token")).isEqualTo("x");
    }

    @Test
    void theValueIsPercentDecodedAsUtf8() {
        assertThat(Admission.queryParam("q=%E2%9C%93%20ok", "q")).isEqualTo("\u2713 ok");
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static void assertRejected(Admission a, int status) {
        assertThat(a.action()).as("%s", a).isEqualTo(Admission.Action.REJECT);
        assertThat(a.status()).as("%s", a).isEqualTo(status);
        assertThat(a.topic()).as("%s", a).isNull();
        assertThat(a.reason()).as("%s", a).isNotBlank().doesNotContain("\n", "\r");
        assertThat(a.body()).isEqualTo("{\"error\":" + jsonString(a.reason()) + "}\n");
    }

    /** The reason {@link TopicId} gives for rejecting {@code raw}. */
    private static String topicIdReason(String raw) {
        InvalidTopicIdException e = catchThrowableOfType(InvalidTopicIdException.class, () -> TopicId.of(raw));
        assertThat(e).as("'%s' should be an invalid topic id", raw).isNotNull();
        return e.reason();
    }

    /** A JSON string literal for reasons that hold no character needing more than quote/backslash escapes. */
    private static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Claims from name/value pairs. */
    private static Map<String, Object> claims(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
