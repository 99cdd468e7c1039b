package dev.esper.auth;

import dev.esper.topic.TopicId;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Decides who may subscribe, publish and read stats (SPEC 3), independent of any JWT library.
 *
 * <p>Each {@link Side} is either protected by a {@link TokenVerifier} or open. For a protected side a
 * token is valid when the verifier accepts its signature and:
 * <ul>
 *   <li>{@code exp} is present, a JSON number, and later than now minus the clock skew;</li>
 *   <li>{@code nbf}, if present, is a JSON number not later than now plus the clock skew;</li>
 *   <li>(except for stats) it carries {@code sub}, a non-empty string, or {@code topics}, a JSON array
 *       of strings or the string {@code "*"}; a {@code sub} or {@code topics} of another type is invalid.</li>
 * </ul>
 * Failing any of these is a {@link AuthenticationException} ({@code 401}).
 *
 * <p>A valid token <em>grants</em> a topic when its {@code sub} is that topic, or its {@code topics} array
 * holds it or {@code "*"}, or {@code topics} is {@code "*"} (topic ids compared case-insensitively, as
 * topic ids). A valid token that does not grant every topic asked for is an {@link AccessDeniedException}
 * ({@code 403}) whose reason names the topics not granted.
 *
 * <p>Each check has a blocking form ({@link #checkSubscribe}, which throws) and a non-blocking one
 * ({@link #checkSubscribeAsync}, whose stage fails with the same exceptions): the latter waits for nothing on the
 * calling thread when the verifier must first fetch a key ({@link TokenVerifier#verifyAsync}).
 *
 * <p>Immutable and thread-safe. Build one with {@link #builder()}; a side with no verifier is open, and
 * opening a side is explicit ({@link Builder#open(Side)}).
 */
public final class AccessPolicy {
    /** The outcome of a check that passed at once; a stage nobody can complete. */
    private static final CompletionStage<Void> ADMITTED = CompletableFuture.completedStage(null);

    private final TokenVerifier subscriber;
    private final TokenVerifier publisher;
    private final InstantSource clock;
    private final Duration clockSkew;

    private AccessPolicy(Builder b) {
        this.subscriber = b.subscriber;
        this.publisher = b.publisher;
        this.clock = b.clock;
        this.clockSkew = b.clockSkew;
    }

    /** A policy with both sides open: anyone may subscribe, publish and read stats. */
    public static AccessPolicy openToAll() {
        return builder().open(Side.SUBSCRIBER).open(Side.PUBLISHER).build();
    }

    /** Starts a builder. Every side must be given a verifier or be opened by name. */
    public static Builder builder() {
        return new Builder();
    }

    /** Whether a token is required on this side. */
    public boolean isProtected(Side side) {
        return verifierOf(side) != null;
    }

    /** The verifier protecting a side; empty when the side is open. */
    public Optional<TokenVerifier> verifier(Side side) {
        return Optional.ofNullable(verifierOf(Objects.requireNonNull(side, "side")));
    }

    /** The allowed clock skew. */
    public Duration clockSkew() {
        return clockSkew;
    }

    /**
     * Checks a subscribe request.
     *
     * @param topic the topic asked for
     * @param token the request's token (see {@link BearerToken}), or null if it has none
     * @throws AuthenticationException {@code 401}: no valid token on a protected side
     * @throws AccessDeniedException {@code 403}: a valid token for another topic
     */
    public void checkSubscribe(TopicId topic, String token) {
        check(Side.SUBSCRIBER, List.of(Objects.requireNonNull(topic, "topic")), token);
    }

    /**
     * Checks a subscribe request for one stream of several topics: the token must grant every one.
     *
     * @param topics the topics asked for, at least one
     * @param token the request's token, or null if it has none
     * @throws AuthenticationException {@code 401}: no valid token on a protected side
     * @throws AccessDeniedException {@code 403}: a valid token that does not grant some of the topics
     *     (the reason names them)
     */
    public void checkSubscribe(Collection<TopicId> topics, String token) {
        if (Objects.requireNonNull(topics, "topics").isEmpty()) {
            throw new IllegalArgumentException("at least one topic must be asked for");
        }
        check(Side.SUBSCRIBER, List.copyOf(topics), token);
    }

    /**
     * Checks a publish request; same rules and exceptions as {@link #checkSubscribe}, on the publisher side.
     */
    public void checkPublish(TopicId topic, String token) {
        check(Side.PUBLISHER, List.of(Objects.requireNonNull(topic, "topic")), token);
    }

    /**
     * Checks a stats request: the publisher side's rules, except that {@code sub} is not checked.
     *
     * @throws AuthenticationException {@code 401}: no valid publisher token while that side is protected
     */
    public void checkStats(String token) {
        check(Side.PUBLISHER, null, token);
    }

    /**
     * Checks a subscribe request without blocking, for one topic or one stream of several: the token must grant
     * every one.
     *
     * @param topics the topics asked for, at least one
     * @param token the request's token, or null if it has none
     * @return completes when the verifier has answered (at once unless it must fetch a key; then on the fetch's
     *     thread), or exceptionally with an {@link AuthenticationException} ({@code 401}) or an
     *     {@link AccessDeniedException} ({@code 403}); not null
     * @throws IllegalArgumentException if no topic is asked for
     */
    public CompletionStage<Void> checkSubscribeAsync(Collection<TopicId> topics, String token) {
        if (Objects.requireNonNull(topics, "topics").isEmpty()) {
            throw new IllegalArgumentException("at least one topic must be asked for");
        }
        return checkAsync(Side.SUBSCRIBER, List.copyOf(topics), token);
    }

    /** Checks a publish request without blocking; as {@link #checkSubscribeAsync}, on the publisher side. */
    public CompletionStage<Void> checkPublishAsync(TopicId topic, String token) {
        return checkAsync(Side.PUBLISHER, List.of(Objects.requireNonNull(topic, "topic")), token);
    }

    /** Checks a stats request without blocking; as {@link #checkStats}, the failure in the stage. */
    public CompletionStage<Void> checkStatsAsync(String token) {
        return checkAsync(Side.PUBLISHER, null, token);
    }

    private void check(Side side, List<TopicId> topics, String token) {
        TokenVerifier verifier = verifierOf(side);
        if (verifier == null) {
            return;
        }
        requireToken(token);
        applyRules(topics, verifier.verify(token));
    }

    private CompletionStage<Void> checkAsync(Side side, List<TopicId> topics, String token) {
        TokenVerifier verifier = verifierOf(side);
        if (verifier == null) {
            return ADMITTED;
        }
        CompletionStage<Claims> claims;
        try {
            requireToken(token);
            claims = verifier.verifyAsync(token);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return claims.thenAccept(c -> applyRules(topics, c));
    }

    private static void requireToken(String token) {
        if (token == null || token.isEmpty()) {
            throw new AuthenticationException("a token is required: send 'Authorization: Bearer <token>' or ?token=",
                    false);
        }
    }

    /** The claims rules, once the verifier accepted the token; {@code topics} null for stats. */
    private void applyRules(List<TopicId> topics, Claims claims) {
        double now = clock.millis() / 1000.0;
        double skew = clockSkew.toMillis() / 1000.0;
        Object exp = claims.get("exp");
        if (!claims.has("exp")) {
            throw AuthenticationException.invalidToken("token has no 'exp' claim");
        }
        if (!isJsonNumber(exp)) {
            throw AuthenticationException.invalidToken("token 'exp' claim must be a JSON number");
        }
        if (!(((Number) exp).doubleValue() + skew > now)) {
            throw AuthenticationException.invalidToken("token has expired");
        }
        if (claims.has("nbf")) {
            Object nbf = claims.get("nbf");
            if (!isJsonNumber(nbf)) {
                throw AuthenticationException.invalidToken("token 'nbf' claim must be a JSON number");
            }
            if (((Number) nbf).doubleValue() - skew > now) {
                throw AuthenticationException.invalidToken("token is not valid yet ('nbf' is in the future)");
            }
        }
        if (topics == null) {
            return;
        }
        Grant grant = Grant.of(claims);
        List<TopicId> refused = new ArrayList<>();
        for (TopicId topic : topics) {
            if (!grant.grants(topic)) {
                refused.add(topic);
            }
        }
        if (!refused.isEmpty()) {
            throw new AccessDeniedException(refused.size() == 1
                    ? "token does not grant topic '" + refused.get(0) + "'"
                    : "token does not grant topics " + quoted(refused));
        }
    }

    private static String quoted(List<TopicId> topics) {
        StringBuilder b = new StringBuilder();
        for (TopicId t : topics) {
            b.append(b.length() == 0 ? "" : ", ").append('\'').append(t).append('\'');
        }
        return b.toString();
    }

    private static boolean isJsonNumber(Object v) {
        if (!(v instanceof Number)) {
            return false;
        }
        double d = ((Number) v).doubleValue();
        return !Double.isNaN(d) && !Double.isInfinite(d);
    }

    private TokenVerifier verifierOf(Side side) {
        return side == Side.SUBSCRIBER ? subscriber : publisher;
    }

    @Override
    public String toString() {
        return "AccessPolicy[subscribe=" + (subscriber == null ? "open" : "protected")
                + ", publish=" + (publisher == null ? "open" : "protected") + ", clockSkew=" + clockSkew + "]";
    }

    /** Builds an {@link AccessPolicy}. Not thread-safe. */
    public static final class Builder {
        private TokenVerifier subscriber;
        private TokenVerifier publisher;
        private boolean subscriberOpen;
        private boolean publisherOpen;
        private InstantSource clock = InstantSource.system();
        private Duration clockSkew = Duration.ZERO;

        private Builder() {
        }

        /** Protects a side with a verifier. */
        public Builder protect(Side side, TokenVerifier verifier) {
            Objects.requireNonNull(verifier, "verifier");
            if (side == Side.SUBSCRIBER) {
                subscriber = verifier;
                subscriberOpen = false;
            } else {
                publisher = verifier;
                publisherOpen = false;
            }
            return this;
        }

        /** Leaves a side open: no token needed. An explicit, named choice. */
        public Builder open(Side side) {
            if (side == Side.SUBSCRIBER) {
                subscriber = null;
                subscriberOpen = true;
            } else {
                publisher = null;
                publisherOpen = true;
            }
            return this;
        }

        /** The clock for {@code exp}/{@code nbf}; defaults to the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Leeway for {@code exp} and {@code nbf}; default zero; must not be negative. */
        public Builder clockSkew(Duration skew) {
            if (skew == null || skew.isNegative()) {
                throw new IllegalArgumentException("clock skew must be zero or positive, was " + skew);
            }
            this.clockSkew = skew;
            return this;
        }

        /**
         * Builds the policy.
         *
         * @throws IllegalStateException if a side was neither protected nor opened
         */
        public AccessPolicy build() {
            if (subscriber == null && !subscriberOpen) {
                throw new IllegalStateException("subscriber side must be protected with a verifier or opened by name");
            }
            if (publisher == null && !publisherOpen) {
                throw new IllegalStateException("publisher side must be protected with a verifier or opened by name");
            }
            return new AccessPolicy(this);
        }
    }
}
