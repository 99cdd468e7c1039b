package dev.esper.auth;

import dev.esper.topic.TopicId;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Objects;

/**
 * Decides who may subscribe, publish and read stats (SPEC 3), independent of any JWT library.
 *
 * <p>Each {@link Side} is either protected by a {@link TokenVerifier} or open. For a protected side a
 * token is valid when the verifier accepts its signature and:
 * <ul>
 *   <li>{@code exp} is present, a JSON number, and later than now minus the clock skew;</li>
 *   <li>{@code nbf}, if present, is a JSON number not later than now plus the clock skew;</li>
 *   <li>{@code sub} is a non-empty string (except for stats);</li>
 * </ul>
 * Failing any of these is a {@link AuthenticationException} ({@code 401}). A valid token whose
 * {@code sub} is not the topic (compared case-insensitively) is an {@link AccessDeniedException}
 * ({@code 403}).
 *
 * <p>Immutable and thread-safe. Build one with {@link #builder()}; a side with no verifier is open, and
 * opening a side is explicit ({@link Builder#open(Side)}).
 */
public final class AccessPolicy {
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
        return verifier(side) != null;
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
        check(Side.SUBSCRIBER, Objects.requireNonNull(topic, "topic"), token);
    }

    /**
     * Checks a publish request; same rules and exceptions as {@link #checkSubscribe}, on the publisher side.
     */
    public void checkPublish(TopicId topic, String token) {
        check(Side.PUBLISHER, Objects.requireNonNull(topic, "topic"), token);
    }

    /**
     * Checks a stats request: the publisher side's rules, except that {@code sub} is not checked.
     *
     * @throws AuthenticationException {@code 401}: no valid publisher token while that side is protected
     */
    public void checkStats(String token) {
        check(Side.PUBLISHER, null, token);
    }

    private void check(Side side, TopicId topic, String token) {
        TokenVerifier verifier = verifier(side);
        if (verifier == null) {
            return;
        }
        if (token == null || token.isEmpty()) {
            throw new AuthenticationException("a token is required: send 'Authorization: Bearer <token>' or ?token=",
                    false);
        }
        Claims claims = verifier.verify(token);
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
        if (topic == null) {
            return;
        }
        Object sub = claims.get("sub");
        if (!(sub instanceof String) || ((String) sub).isEmpty()) {
            throw AuthenticationException.invalidToken("token 'sub' claim must be a non-empty string naming the topic");
        }
        // Compare as topic ids (ASCII case only): Unicode case folding would let 'K' (Kelvin) match 'k'.
        if (!TopicId.isValid((String) sub) || !TopicId.of((String) sub).equals(topic)) {
            throw new AccessDeniedException("token is for another topic, not '" + topic + "'");
        }
    }

    private static boolean isJsonNumber(Object v) {
        if (!(v instanceof Number)) {
            return false;
        }
        double d = ((Number) v).doubleValue();
        return !Double.isNaN(d) && !Double.isInfinite(d);
    }

    private TokenVerifier verifier(Side side) {
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
