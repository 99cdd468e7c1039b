package dev.esper.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.esper.EsperException;
import dev.esper.topic.TopicId;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * SPEC 3 (and 7): the claims rules of {@link AccessPolicy}, behind a hand-written {@link TokenVerifier}
 * and a clock the test sets.
 */
class Spec3TokenRulesTest {

    private static final long NOW = 1_800_000_000L; // seconds since the epoch
    private static final TopicId TOPIC = TopicId.of("abcdef123");
    /** Looks like a JWT; the tests check that it never shows up in a message. */
    private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0b3BpY3NlY3JldCJ9.c2lnbmF0dXJlU0VDUkVU";

    private final MutableInstantSource clock = new MutableInstantSource(Instant.ofEpochSecond(NOW));
    private final FakeTokenVerifier subscriberVerifier = new FakeTokenVerifier();
    private final FakeTokenVerifier publisherVerifier = new FakeTokenVerifier();
    private int tokens;

    // ---- open and protected sides ----------------------------------------------------------

    @Test
    void anOpenPolicyNeedsNoToken() {
        AccessPolicy policy = AccessPolicy.openToAll();
        assertThatCode(() -> {
            policy.checkSubscribe(TOPIC, null);
            policy.checkPublish(TOPIC, null);
            policy.checkStats(null);
        }).doesNotThrowAnyException();
        assertThat(policy.isProtected(Side.SUBSCRIBER)).isFalse();
        assertThat(policy.isProtected(Side.PUBLISHER)).isFalse();
    }

    @Test
    void anOpenSideIgnoresWhateverTokenIsSent() {
        AccessPolicy policy = AccessPolicy.builder().open(Side.SUBSCRIBER).open(Side.PUBLISHER).build();
        assertThatCode(() -> {
            policy.checkSubscribe(TOPIC, "garbage");
            policy.checkPublish(TOPIC, "garbage");
            policy.checkStats("garbage");
        }).doesNotThrowAnyException();
    }

    @Test
    void anOpenSubscriberSideWithAProtectedPublisherSide() {
        AccessPolicy policy = AccessPolicy.builder().open(Side.SUBSCRIBER)
                .protect(Side.PUBLISHER, publisherVerifier).clock(clock).build();
        assertThat(policy.isProtected(Side.SUBSCRIBER)).isFalse();
        assertThat(policy.isProtected(Side.PUBLISHER)).isTrue();
        assertThatCode(() -> policy.checkSubscribe(TOPIC, null)).doesNotThrowAnyException();
        assertUnauthorized(() -> policy.checkPublish(TOPIC, null));
        assertUnauthorized(() -> policy.checkStats(null));
    }

    @Test
    void aProtectedSubscriberSideWithAnOpenPublisherSide() {
        AccessPolicy policy = AccessPolicy.builder().protect(Side.SUBSCRIBER, subscriberVerifier)
                .open(Side.PUBLISHER).clock(clock).build();
        assertUnauthorized(() -> policy.checkSubscribe(TOPIC, null));
        assertThatCode(() -> {
            policy.checkPublish(TOPIC, null);
            policy.checkStats(null);
        }).doesNotThrowAnyException();
    }

    @Test
    void aValidTokenPassesOnEachSide() {
        subscriberVerifier.accept("s", claims("sub", "abcdef123", "exp", NOW + 60));
        publisherVerifier.accept("p", claims("sub", "abcdef123", "exp", NOW + 60));
        AccessPolicy policy = bothProtected();
        assertThatCode(() -> {
            policy.checkSubscribe(TOPIC, "s");
            policy.checkPublish(TOPIC, "p");
            policy.checkStats("p");
        }).doesNotThrowAnyException();
        assertThat(subscriberVerifier.seen()).containsExactly("s");
        assertThat(publisherVerifier.seen()).containsExactly("p", "p");
    }

    @Test
    void eachSideVerifiesWithItsOwnVerifier() {
        subscriberVerifier.accept("s", claims("sub", "abcdef123", "exp", NOW + 60));
        publisherVerifier.accept("p", claims("sub", "abcdef123", "exp", NOW + 60));
        AccessPolicy policy = bothProtected();
        assertUnauthorized(() -> policy.checkPublish(TOPIC, "s"));
        assertUnauthorized(() -> policy.checkStats("s"));
        assertUnauthorized(() -> policy.checkSubscribe(TOPIC, "p"));
    }

    // ---- a missing token -------------------------------------------------------------------

    @Test
    void aMissingTokenIs401WithAPlainBearerChallenge() {
        AccessPolicy policy = bothProtected();
        for (String missing : new String[] {null, ""}) {
            for (Executable check : List.<Executable>of(
                    () -> policy.checkSubscribe(TOPIC, missing),
                    () -> policy.checkPublish(TOPIC, missing),
                    () -> policy.checkStats(missing))) {
                AuthenticationException e = assertUnauthorized(check);
                assertThat(e.tokenPresent()).isFalse();
                assertThat(e.challenge()).isEqualTo("Bearer realm=\"esper\"");
            }
        }
        assertThat(subscriberVerifier.seen()).isEmpty();
        assertThat(publisherVerifier.seen()).isEmpty();
    }

    @Test
    void aRejectedTokenIs401WithAnInvalidTokenChallenge() {
        AuthenticationException e = assertUnauthorized(() -> bothProtected().checkSubscribe(TOPIC, "unknown"));
        assertThat(e.tokenPresent()).isTrue();
        assertThat(e.challenge()).startsWith("Bearer realm=\"esper\"").contains("error=\"invalid_token\"");
    }

    @Test
    void theChallengeStaysAValidQuotedString() {
        AuthenticationException e = AuthenticationException.invalidToken("bad \"quote\" and back\\slash");
        String description = e.challenge().replaceFirst("^.*error_description=\"", "");
        assertThat(description).endsWith("\"");
        String inside = description.substring(0, description.length() - 1);
        assertThat(inside).doesNotContain("\"").doesNotContain("\\");
    }

    /**
     * RFC 6750 §3: an {@code error_description} holds only {@code %x20-21 / %x23-5B / %x5D-7E}. The reason
     * may come from any {@link TokenVerifier}, so the challenge must not pass a line break (header
     * injection), a control character or non-ASCII through.
     */
    @Test
    void theChallengeUsesOnlyTheCharactersRfc6750AllowsWhateverTheReason() {
        AuthenticationException e = AuthenticationException.invalidToken(
                "bad token\r\nSet-Cookie: session=stolen\u0000\t caf\u00e9 \ud83d\ude00");
        String challenge = e.challenge();
        String description = challenge.replaceFirst("^.*error_description=\"", "");
        String inside = description.substring(0, description.length() - 1);
        assertThat(challenge.chars()).allMatch(c -> c >= 0x20 && c <= 0x7e);
        assertThat(inside.chars()).allMatch(c -> c >= 0x20 && c <= 0x7e && c != '"' && c != '\\');
    }

    // ---- the verifier ----------------------------------------------------------------------

    @Test
    void aTokenTheVerifierRejectsIs401AndTheVerifiersExceptionPropagates() {
        AuthenticationException thrown = AuthenticationException.invalidToken("signature does not verify");
        AccessPolicy policy = AccessPolicy.builder().protect(Side.SUBSCRIBER, token -> {
            throw thrown;
        }).open(Side.PUBLISHER).clock(clock).build();
        AuthenticationException e = catchThrowableOfType(AuthenticationException.class,
                () -> policy.checkSubscribe(TOPIC, TOKEN));
        assertThat(e).isSameAs(thrown);
        assertThat(e.status()).isEqualTo(401);
    }

    @Test
    void theVerifierGetsTheTokenAsGiven() {
        publisherVerifier.accept(TOKEN, claims("sub", "abcdef123", "exp", NOW + 60));
        bothProtected().checkPublish(TOPIC, TOKEN);
        assertThat(publisherVerifier.seen()).containsExactly(TOKEN);
    }

    // ---- exp ---------------------------------------------------------------------------------

    @Test
    void aTokenWithoutExpIs401() {
        AuthenticationException e = rejectedSubscribe(claims("sub", "abcdef123"));
        assertThat(e.getMessage()).contains("exp");
    }

    @Test
    void anExpThatIsAStringIs401EvenIfItReadsLikeANumber() {
        AuthenticationException e = rejectedSubscribe(claims("sub", "abcdef123", "exp", String.valueOf(NOW + 3600)));
        assertThat(e.getMessage()).contains("exp").contains("number");
    }

    @Test
    void anExpThatIsNotANumberIs401() {
        rejectedSubscribe(claims("sub", "abcdef123", "exp", null));
        rejectedSubscribe(claims("sub", "abcdef123", "exp", true));
        rejectedSubscribe(claims("sub", "abcdef123", "exp", List.of(NOW + 60)));
        rejectedSubscribe(claims("sub", "abcdef123", "exp", Map.of("value", NOW + 60)));
        rejectedSubscribe(claims("sub", "abcdef123", "exp", Double.NaN));
        rejectedSubscribe(claims("sub", "abcdef123", "exp", Double.POSITIVE_INFINITY));
    }

    @Test
    void anExpInThePastIs401() {
        AuthenticationException e = rejectedSubscribe(claims("sub", "abcdef123", "exp", NOW - 1));
        assertThat(e.getMessage()).contains("expired");
        assertThat(e.tokenPresent()).isTrue();
    }

    @Test
    void anExpOfExactlyNowHasExpired() {
        rejectedSubscribe(claims("sub", "abcdef123", "exp", NOW));
    }

    @Test
    void anExpOneSecondAheadIsValid() {
        acceptedSubscribe(claims("sub", "abcdef123", "exp", NOW + 1));
    }

    @Test
    void expMayBeAnyJsonNumberType() {
        acceptedSubscribe(claims("sub", "abcdef123", "exp", (int) (NOW + 60)));
        acceptedSubscribe(claims("sub", "abcdef123", "exp", NOW + 60));
        acceptedSubscribe(claims("sub", "abcdef123", "exp", (double) (NOW + 60)));
        acceptedSubscribe(claims("sub", "abcdef123", "exp", BigInteger.valueOf(NOW + 60)));
        acceptedSubscribe(claims("sub", "abcdef123", "exp", new BigDecimal(NOW + "." + "5")));
    }

    @Test
    void aFractionalExpIsComparedWithSubSecondPrecision() {
        Map<String, Object> claims = claims("sub", "abcdef123", "exp", NOW + 0.5);
        acceptedSubscribe(claims);
        clock.set(Instant.ofEpochSecond(NOW, 499_000_000));
        acceptedSubscribe(claims);
        clock.set(Instant.ofEpochSecond(NOW, 500_000_000));
        rejectedSubscribe(claims);
        clock.set(Instant.ofEpochSecond(NOW, 600_000_000));
        rejectedSubscribe(claims);
    }

    @Test
    void aTokenExpiresAsTheClockMoves() {
        Map<String, Object> claims = claims("sub", "abcdef123", "exp", NOW + 10);
        acceptedSubscribe(claims);
        clock.advance(Duration.ofSeconds(9));
        acceptedSubscribe(claims);
        clock.advance(Duration.ofSeconds(1));
        rejectedSubscribe(claims);
    }

    @Test
    void clockSkewWidensExp() {
        AccessPolicy policy = bothProtectedWithSkew(Duration.ofSeconds(30));
        subscriberVerifier.accept("just-inside", claims("sub", "abcdef123", "exp", NOW - 29));
        subscriberVerifier.accept("at-the-edge", claims("sub", "abcdef123", "exp", NOW - 30));
        subscriberVerifier.accept("outside", claims("sub", "abcdef123", "exp", NOW - 31));
        assertThatCode(() -> policy.checkSubscribe(TOPIC, "just-inside")).doesNotThrowAnyException();
        assertUnauthorized(() -> policy.checkSubscribe(TOPIC, "at-the-edge"));
        assertUnauthorized(() -> policy.checkSubscribe(TOPIC, "outside"));
        assertThat(policy.clockSkew()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void clockSkewCountsMilliseconds() {
        AccessPolicy policy = bothProtectedWithSkew(Duration.ofMillis(1500));
        subscriberVerifier.accept("inside", claims("sub", "abcdef123", "exp", NOW - 1));
        subscriberVerifier.accept("outside", claims("sub", "abcdef123", "exp", NOW - 2));
        assertThatCode(() -> policy.checkSubscribe(TOPIC, "inside")).doesNotThrowAnyException();
        assertUnauthorized(() -> policy.checkSubscribe(TOPIC, "outside"));
    }

    @Test
    void theDefaultClockSkewIsZero() {
        assertThat(AccessPolicy.openToAll().clockSkew()).isEqualTo(Duration.ZERO);
    }

    // ---- nbf ---------------------------------------------------------------------------------

    @Test
    void anNbfInTheFutureIs401() {
        AuthenticationException e = rejectedSubscribe(claims("sub", "abcdef123", "exp", NOW + 60, "nbf", NOW + 1));
        assertThat(e.getMessage()).contains("nbf");
    }

    @Test
    void anNbfOfNowOrInThePastIsValid() {
        acceptedSubscribe(claims("sub", "abcdef123", "exp", NOW + 60, "nbf", NOW));
        acceptedSubscribe(claims("sub", "abcdef123", "exp", NOW + 60, "nbf", NOW - 3600));
    }

    @Test
    void aFractionalNbfIsComparedWithSubSecondPrecision() {
        Map<String, Object> claims = claims("sub", "abcdef123", "exp", NOW + 60, "nbf", NOW + 0.25);
        rejectedSubscribe(claims);
        clock.set(Instant.ofEpochSecond(NOW, 250_000_000));
        acceptedSubscribe(claims);
    }

    @Test
    void anNbfThatIsAStringIs401() {
        AuthenticationException e = rejectedSubscribe(
                claims("sub", "abcdef123", "exp", NOW + 60, "nbf", String.valueOf(NOW - 60)));
        assertThat(e.getMessage()).contains("nbf").contains("number");
    }

    @Test
    void anNbfThatIsNullOrNotANumberIs401() {
        rejectedSubscribe(claims("sub", "abcdef123", "exp", NOW + 60, "nbf", null));
        rejectedSubscribe(claims("sub", "abcdef123", "exp", NOW + 60, "nbf", false));
    }

    @Test
    void clockSkewWidensNbf() {
        AccessPolicy policy = bothProtectedWithSkew(Duration.ofSeconds(30));
        subscriberVerifier.accept("inside", claims("sub", "abcdef123", "exp", NOW + 60, "nbf", NOW + 30));
        subscriberVerifier.accept("outside", claims("sub", "abcdef123", "exp", NOW + 60, "nbf", NOW + 31));
        assertThatCode(() -> policy.checkSubscribe(TOPIC, "inside")).doesNotThrowAnyException();
        assertUnauthorized(() -> policy.checkSubscribe(TOPIC, "outside"));
    }

    // ---- sub ---------------------------------------------------------------------------------

    @Test
    void aTokenWithoutSubIs401() {
        AuthenticationException e = rejectedSubscribe(claims("exp", NOW + 60));
        assertThat(e.getMessage()).contains("sub");
        assertThat(e.tokenPresent()).isTrue();
    }

    @Test
    void aSubThatIsNotAStringIs401() {
        rejectedSubscribe(claims("sub", null, "exp", NOW + 60));
        rejectedSubscribe(claims("sub", 12345678, "exp", NOW + 60));
        rejectedSubscribe(claims("sub", List.of("abcdef123"), "exp", NOW + 60));
        rejectedSubscribe(claims("sub", Map.of("id", "abcdef123"), "exp", NOW + 60));
    }

    @Test
    void anEmptySubIs401() {
        rejectedSubscribe(claims("sub", "", "exp", NOW + 60));
    }

    @Test
    void aValidTokenForAnotherTopicIs403() {
        subscriberVerifier.accept(TOKEN, claims("sub", "othertopic1", "exp", NOW + 60));
        publisherVerifier.accept(TOKEN, claims("sub", "othertopic1", "exp", NOW + 60));
        AccessPolicy policy = bothProtected();
        for (Executable check : List.<Executable>of(
                () -> policy.checkSubscribe(TOPIC, TOKEN), () -> policy.checkPublish(TOPIC, TOKEN))) {
            AccessDeniedException e = catchThrowableOfType(AccessDeniedException.class, check::execute);
            assertThat(e).isNotNull().isInstanceOf(EsperException.class);
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.getMessage()).contains("abcdef123").doesNotContain(TOKEN);
        }
    }

    @Test
    void aSubThatIsAPrefixOrExtensionOfTheTopicIs403() {
        assertForbiddenSubscribe(claims("sub", "abcdef12", "exp", NOW + 60));
        assertForbiddenSubscribe(claims("sub", "abcdef1234", "exp", NOW + 60));
        assertForbiddenSubscribe(claims("sub", " abcdef123", "exp", NOW + 60));
    }

    @Test
    void subIsComparedCaseInsensitively() {
        acceptedSubscribe(claims("sub", "ABCDEF123", "exp", NOW + 60));
        acceptedSubscribe(claims("sub", "AbCdEf123", "exp", NOW + 60));
        subscriberVerifier.accept("lower", claims("sub", "abcdef123", "exp", NOW + 60));
        assertThatCode(() -> bothProtected().checkSubscribe(TopicId.of("ABCDEF123"), "lower"))
                .doesNotThrowAnyException();
    }

    /**
     * "Case-insensitively" is about ASCII topic ids. {@code String.equalsIgnoreCase} also folds the
     * Kelvin sign to {@code k}, a long s to {@code s} and a dotless i to {@code i}, so a token issued for
     * a sub that is not even a valid topic id would open a different topic.
     */
    @Test
    void aSubThatMatchesTheTopicOnlyUnderUnicodeCaseFoldingIs403() {
        TopicId topic = TopicId.of("kelvinsi");
        for (String sub : new String[] {"\u212aelvinsi", "kelvin\u017fi", "kelvins\u0131", "KELVINS\u0130"}) {
            subscriberVerifier.accept(sub, claims("sub", sub, "exp", NOW + 60));
            AccessDeniedException e = catchThrowableOfType(AccessDeniedException.class,
                    () -> bothProtected().checkSubscribe(topic, sub));
            assertThat(e).as("sub %s", sub).isNotNull();
        }
    }

    @Test
    void anExpiredTokenForAnotherTopicIs401Not403() {
        rejectedSubscribe(claims("sub", "othertopic1", "exp", NOW - 1));
    }

    // ---- stats -------------------------------------------------------------------------------

    @Test
    void statsIgnoresSub() {
        AccessPolicy policy = bothProtected();
        publisherVerifier.accept("no-sub", claims("exp", NOW + 60));
        publisherVerifier.accept("other-sub", claims("sub", "othertopic1", "exp", NOW + 60));
        publisherVerifier.accept("bad-sub", claims("sub", 42, "exp", NOW + 60));
        assertThatCode(() -> {
            policy.checkStats("no-sub");
            policy.checkStats("other-sub");
            policy.checkStats("bad-sub");
        }).doesNotThrowAnyException();
    }

    @Test
    void statsAppliesExpAndNbf() {
        AccessPolicy policy = bothProtected();
        publisherVerifier.accept("expired", claims("exp", NOW - 1));
        publisherVerifier.accept("no-exp", claims("sub", "abcdef123"));
        publisherVerifier.accept("string-exp", claims("exp", String.valueOf(NOW + 60)));
        publisherVerifier.accept("early", claims("exp", NOW + 60, "nbf", NOW + 10));
        publisherVerifier.accept("string-nbf", claims("exp", NOW + 60, "nbf", String.valueOf(NOW)));
        for (String token : new String[] {"expired", "no-exp", "string-exp", "early", "string-nbf", "unknown"}) {
            assertUnauthorized(() -> policy.checkStats(token));
        }
    }

    @Test
    void statsUsesThePublisherSideOnly() {
        AccessPolicy subscriberOnly = AccessPolicy.builder().protect(Side.SUBSCRIBER, subscriberVerifier)
                .open(Side.PUBLISHER).clock(clock).build();
        assertThatCode(() -> subscriberOnly.checkStats(null)).doesNotThrowAnyException();
        assertThat(subscriberVerifier.seen()).isEmpty();
    }

    // ---- no token in messages ----------------------------------------------------------------

    @Test
    void failureMessagesNeverContainTheToken() {
        List<Map<String, Object>> failing = List.of(
                claims("sub", "abcdef123"),
                claims("sub", "abcdef123", "exp", TOKEN),
                claims("sub", "abcdef123", "exp", NOW - 1),
                claims("sub", "abcdef123", "exp", NOW + 60, "nbf", NOW + 60),
                claims("sub", "abcdef123", "exp", NOW + 60, "nbf", TOKEN),
                claims("sub", TOKEN, "exp", NOW + 60),
                claims("sub", 7, "exp", NOW + 60),
                claims("exp", NOW + 60));
        for (Map<String, Object> c : failing) {
            FakeTokenVerifier verifier = new FakeTokenVerifier().accept(TOKEN, c);
            AccessPolicy policy = AccessPolicy.builder().protect(Side.SUBSCRIBER, verifier)
                    .protect(Side.PUBLISHER, verifier).clock(clock).build();
            EsperException e = catchThrowableOfType(EsperException.class, () -> policy.checkSubscribe(TOPIC, TOKEN));
            assertThat(e).as("claims %s", c.keySet()).isNotNull();
            assertThat(e.getMessage()).doesNotContain(TOKEN).doesNotContain("c2lnbmF0dXJl");
            assertThat(String.valueOf(e)).doesNotContain(TOKEN);
            if (e instanceof AuthenticationException) {
                assertThat(((AuthenticationException) e).challenge()).doesNotContain(TOKEN);
            }
        }
    }

    @Test
    void theToStringOfPolicyAndClaimsShowsNoSecretsOrValues() {
        AccessPolicy policy = bothProtected();
        assertThat(policy.toString()).contains("protected");
        assertThat(Claims.of(claims("sub", "abcdef123", "email", "someone@example.org")).toString())
                .doesNotContain("someone@example.org").doesNotContain("abcdef123");
    }

    @Test
    void claimsAreACopyAndDistinguishAbsentFromNull() {
        Map<String, Object> raw = claims("sub", "abcdef123", "nbf", null);
        Claims c = Claims.of(raw);
        raw.put("exp", 1);
        assertThat(c.has("exp")).isFalse();
        assertThat(c.has("nbf")).isTrue();
        assertThat(c.get("nbf")).isNull();
        assertThat(c.get("sub")).isEqualTo("abcdef123");
        assertThatThrownBy(() -> c.asMap().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    // ---- the builder -------------------------------------------------------------------------

    @Test
    void theBuilderRefusesASideThatWasNeitherProtectedNorOpened() {
        assertThatThrownBy(() -> AccessPolicy.builder().build()).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> AccessPolicy.builder().open(Side.SUBSCRIBER).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("publisher");
        assertThatThrownBy(() -> AccessPolicy.builder().protect(Side.PUBLISHER, publisherVerifier).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("subscriber");
    }

    @Test
    void theBuilderRefusesANegativeClockSkew() {
        assertThatThrownBy(() -> AccessPolicy.builder().clockSkew(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("skew");
        assertThatThrownBy(() -> AccessPolicy.builder().clockSkew(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AccessPolicy.builder().clockSkew(null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theBuilderRefusesANullVerifierOrClock() {
        assertThatThrownBy(() -> AccessPolicy.builder().protect(Side.SUBSCRIBER, null))
                .isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> AccessPolicy.builder().clock(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theLastChoiceForASideWins() {
        AccessPolicy reopened = AccessPolicy.builder().protect(Side.SUBSCRIBER, subscriberVerifier)
                .open(Side.SUBSCRIBER).open(Side.PUBLISHER).build();
        assertThat(reopened.isProtected(Side.SUBSCRIBER)).isFalse();
        AccessPolicy reprotected = AccessPolicy.builder().open(Side.SUBSCRIBER)
                .protect(Side.SUBSCRIBER, subscriberVerifier).open(Side.PUBLISHER).build();
        assertThat(reprotected.isProtected(Side.SUBSCRIBER)).isTrue();
    }

    @Test
    void aTopicIsRequired() {
        AccessPolicy policy = AccessPolicy.openToAll();
        assertThatThrownBy(() -> policy.checkSubscribe((TopicId) null, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> policy.checkPublish(null, null)).isInstanceOf(NullPointerException.class);
    }

    // ---- helpers -----------------------------------------------------------------------------

    private AccessPolicy bothProtected() {
        return bothProtectedWithSkew(Duration.ZERO);
    }

    private AccessPolicy bothProtectedWithSkew(Duration skew) {
        return AccessPolicy.builder()
                .protect(Side.SUBSCRIBER, subscriberVerifier)
                .protect(Side.PUBLISHER, publisherVerifier)
                .clock(clock)
                .clockSkew(skew)
                .build();
    }

    /** Subscribes with a fresh token carrying these claims and expects success. */
    private void acceptedSubscribe(Map<String, Object> claims) {
        String token = "token-" + (++tokens);
        subscriberVerifier.accept(token, claims);
        assertThatCode(() -> bothProtected().checkSubscribe(TOPIC, token)).as("claims %s", claims)
                .doesNotThrowAnyException();
    }

    /** Subscribes with a fresh token carrying these claims and expects a 401. */
    private AuthenticationException rejectedSubscribe(Map<String, Object> claims) {
        String token = "token-" + (++tokens);
        subscriberVerifier.accept(token, claims);
        AuthenticationException e = assertUnauthorized(() -> bothProtected().checkSubscribe(TOPIC, token));
        assertThat(e.getMessage()).doesNotContain(token);
        return e;
    }

    private void assertForbiddenSubscribe(Map<String, Object> claims) {
        String token = "token-" + (++tokens);
        subscriberVerifier.accept(token, claims);
        AccessDeniedException e = catchThrowableOfType(AccessDeniedException.class,
                () -> bothProtected().checkSubscribe(TOPIC, token));
        assertThat(e).as("claims %s", claims).isNotNull();
        assertThat(e.status()).isEqualTo(403);
    }

    private static AuthenticationException assertUnauthorized(Executable check) {
        AuthenticationException e = catchThrowableOfType(AuthenticationException.class, check::execute);
        assertThat(e).as("expected a 401").isNotNull();
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.getMessage()).isNotBlank();
        assertThat(e.challenge()).startsWith("Bearer realm=\"esper\"");
        return e;
    }

    /** Claims from name/value pairs; null values allowed (a JSON null). */
    private static Map<String, Object> claims(Object... pairs) {
        Map<String, Object> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put((String) pairs[i], pairs[i + 1]);
        }
        return map;
    }
}
