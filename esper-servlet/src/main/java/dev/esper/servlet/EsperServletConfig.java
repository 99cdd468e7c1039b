package dev.esper.servlet;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Secret;
import dev.esper.auth.Side;
import dev.esper.jwt.JwtVerifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The settings of an {@link EsperServlet}: who may do what ({@link #accessPolicy()}), the largest publish
 * body ({@link #maxBodyBytes()}) and the CORS origins ({@link #corsOrigins()}).
 *
 * <p>Build one with {@link #builder()}; there is no default access policy, so a servlet without auth is
 * something its user asks for by name ({@link AccessPolicy#openToAll()}). Immutable and thread-safe.
 */
public final class EsperServletConfig {
    /** Default largest publish body, in bytes (SPEC 2.2). */
    public static final int DEFAULT_MAX_BODY_BYTES = 65536;

    /** Init parameter: the secret protecting {@code /subscribe} (unset or empty: open). */
    public static final String PARAM_SUBSCRIBER_SECRET = "subscriberSecret";
    /** Init parameter: the secret protecting {@code /publish} and {@code /stats} (unset or empty: open). */
    public static final String PARAM_PUBLISHER_SECRET = "publisherSecret";
    /** Init parameter: {@code true} opens both sides whatever secrets are set. */
    public static final String PARAM_NO_AUTH = "noAuth";
    /** Init parameter: leeway for {@code exp} and {@code nbf}, in seconds (default 0). */
    public static final String PARAM_CLOCK_SKEW = "clockSkew";
    /** Init parameter: largest publish body in bytes (default 65536). */
    public static final String PARAM_MAX_BODY = "maxBody";
    /** Init parameter: allowed CORS origins, comma-separated (default {@code *}). */
    public static final String PARAM_CORS_ORIGINS = "corsOrigins";

    private final AccessPolicy accessPolicy;
    private final int maxBodyBytes;
    private final List<String> corsOrigins;

    private EsperServletConfig(AccessPolicy accessPolicy, int maxBodyBytes, List<String> corsOrigins) {
        this.accessPolicy = accessPolicy;
        this.maxBodyBytes = maxBodyBytes;
        this.corsOrigins = corsOrigins;
    }

    /** Starts a builder; {@link Builder#accessPolicy(AccessPolicy)} must be called before {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the servlet part of the configuration from init parameters (see the {@code PARAM_*} constants):
     * secrets, {@code noAuth}, {@code clockSkew}, {@code maxBody} and {@code corsOrigins}. Missing
     * parameters take their defaults; a side whose secret is missing or empty is open.
     *
     * @param params looks up an init parameter by name, returning null if it is not set
     * @return the configuration
     * @throws IllegalArgumentException naming the parameter and the rule when a value is bad (a secret's
     *     value is never shown, only its length)
     */
    public static EsperServletConfig fromInitParameters(UnaryOperator<String> params) {
        Objects.requireNonNull(params, "params");
        boolean noAuth = parseBoolean(PARAM_NO_AUTH, params.apply(PARAM_NO_AUTH));
        AccessPolicy.Builder policy = AccessPolicy.builder();
        String skew = trimToNull(params.apply(PARAM_CLOCK_SKEW));
        if (skew != null) {
            policy.clockSkew(Duration.ofSeconds(parseLong(PARAM_CLOCK_SKEW, skew, 0, Long.MAX_VALUE / 1000)));
        }
        side(policy, Side.SUBSCRIBER, PARAM_SUBSCRIBER_SECRET, noAuth ? null : params.apply(PARAM_SUBSCRIBER_SECRET));
        side(policy, Side.PUBLISHER, PARAM_PUBLISHER_SECRET, noAuth ? null : params.apply(PARAM_PUBLISHER_SECRET));
        Builder b = builder().accessPolicy(policy.build());
        String maxBody = trimToNull(params.apply(PARAM_MAX_BODY));
        if (maxBody != null) {
            b.maxBodyBytes((int) parseLong(PARAM_MAX_BODY, maxBody, 1, Integer.MAX_VALUE - 1));
        }
        String cors = params.apply(PARAM_CORS_ORIGINS);
        if (cors != null) {
            b.corsOrigins(splitOrigins(cors));
        }
        return b.build();
    }

    /** Who may subscribe, publish and read stats; never null. */
    public AccessPolicy accessPolicy() {
        return accessPolicy;
    }

    /** The largest publish body, in bytes; larger bodies get {@code 413}. */
    public int maxBodyBytes() {
        return maxBodyBytes;
    }

    /** The allowed CORS origins, unmodifiable; {@code ["*"]} allows every origin. */
    public List<String> corsOrigins() {
        return corsOrigins;
    }

    @Override
    public String toString() {
        return "EsperServletConfig[" + accessPolicy + ", maxBodyBytes=" + maxBodyBytes + ", corsOrigins="
                + corsOrigins + "]";
    }

    private static void side(AccessPolicy.Builder policy, Side side, String name, String value) {
        if (value == null || value.isEmpty()) {
            policy.open(side);
        } else {
            policy.protect(side, JwtVerifier.hmac(Secret.of(name, value)));
        }
    }

    private static List<String> splitOrigins(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            String o = part.strip();
            if (!o.isEmpty()) {
                out.add(o);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException(PARAM_CORS_ORIGINS
                    + " must list at least one origin (or '*'), was '" + value + "'");
        }
        return out;
    }

    private static boolean parseBoolean(String name, String value) {
        String v = trimToNull(value);
        if (v == null || v.equalsIgnoreCase("false")) {
            return false;
        }
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        throw new IllegalArgumentException(name + " must be 'true' or 'false', was '" + value + "'");
    }

    private static long parseLong(String name, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max
                    + ", was '" + value + "'", e);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max
                    + ", was " + n);
        }
        return n;
    }

    private static String trimToNull(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        return t.isEmpty() ? null : t;
    }

    /** Builds an {@link EsperServletConfig}; validates in {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private AccessPolicy accessPolicy;
        private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private List<String> corsOrigins = List.of("*");

        private Builder() {
        }

        /**
         * Sets who may subscribe, publish and read stats. Required: to run without tokens, pass
         * {@link AccessPolicy#openToAll()} explicitly.
         */
        public Builder accessPolicy(AccessPolicy policy) {
            this.accessPolicy = policy;
            return this;
        }

        /** Sets the largest publish body in bytes; at least 1; default {@value #DEFAULT_MAX_BODY_BYTES}. */
        public Builder maxBodyBytes(int bytes) {
            this.maxBodyBytes = bytes;
            return this;
        }

        /**
         * Sets the allowed CORS origins (e.g. {@code https://app.example.com}); {@code "*"} allows all and
         * is the default. Origins are compared case-insensitively with a request's {@code Origin} header.
         */
        public Builder corsOrigins(List<String> origins) {
            this.corsOrigins = origins;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalStateException if no access policy was set
         * @throws IllegalArgumentException if the body limit or an origin is bad
         */
        public EsperServletConfig build() {
            if (accessPolicy == null) {
                throw new IllegalStateException("an access policy is required: protect the sides with "
                        + "AccessPolicy.builder().protect(...), or run without tokens by passing "
                        + "AccessPolicy.openToAll() explicitly");
            }
            if (maxBodyBytes < 1 || maxBodyBytes == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("max body bytes must be from 1 to " + (Integer.MAX_VALUE - 1)
                        + ", was " + maxBodyBytes);
            }
            if (corsOrigins == null || corsOrigins.isEmpty()) {
                throw new IllegalArgumentException("cors origins must list at least one origin (or '*'), was "
                        + corsOrigins);
            }
            List<String> origins = new ArrayList<>(corsOrigins.size());
            for (String o : corsOrigins) {
                if (o == null || o.isBlank() || !o.equals(o.strip()) || o.indexOf(',') >= 0
                        || o.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                    throw new IllegalArgumentException("a cors origin must be '*' or like 'https://example.com' "
                            + "(printable ASCII, no spaces or commas), was '" + o + "'");
                }
                origins.add(o);
            }
            return new EsperServletConfig(accessPolicy, maxBodyBytes, List.copyOf(origins));
        }
    }
}
