package dev.esper.standalone;

import dev.esper.auth.Secret;
import dev.esper.broker.Broker;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the standalone server is configured with: the command line of SPEC 6 as a value.
 *
 * <p>Immutable and thread-safe; {@link #toString()} never shows a secret. Build one with
 * {@link #builder()}, which starts from the documented defaults and validates in {@link Builder#build()}.
 */
public final class EsperSettings {
    /** Name of the environment variable that holds the subscriber secret. */
    public static final String SUBSCRIBER_SECRET_ENV = "ESPER_SUBSCRIBER_SECRET";
    /** Name of the environment variable that holds the publisher secret. */
    public static final String PUBLISHER_SECRET_ENV = "ESPER_PUBLISHER_SECRET";

    /** Default bind address: loopback only. */
    public static final String DEFAULT_BIND = "127.0.0.1";
    /** Default port. */
    public static final int DEFAULT_PORT = 3000;
    /** Default I/O thread count (see {@link Builder#threads(int)}). */
    public static final int DEFAULT_THREADS = 2;
    /** Largest accepted {@link Builder#threads(int)}. */
    public static final int MAX_THREADS = 64;
    /** Default largest publish body, in bytes. */
    public static final int DEFAULT_MAX_BODY = 65536;

    private final String bind;
    private final int port;
    private final int threads;
    private final boolean noAuth;
    private final int historySize;
    private final Duration historyTtl;
    private final Duration heartbeat;
    private final int maxBody;
    private final long subscriberBuffer;
    private final int maxTopics;
    private final int maxSubscribers;
    private final long maxRetainedBytes;
    private final List<String> corsOrigins;
    private final Duration clockSkew;
    private final String redis;
    private final Secret subscriberSecret;
    private final Secret publisherSecret;

    private EsperSettings(Builder b, Secret subscriberSecret, Secret publisherSecret) {
        this.bind = b.bind;
        this.port = b.port;
        this.threads = b.threads;
        this.noAuth = b.noAuth;
        this.historySize = b.historySize;
        this.historyTtl = b.historyTtl;
        this.heartbeat = b.heartbeat;
        this.maxBody = b.maxBody;
        this.subscriberBuffer = b.subscriberBuffer;
        this.maxTopics = b.maxTopics;
        this.maxSubscribers = b.maxSubscribers;
        this.maxRetainedBytes = b.maxRetainedBytes;
        this.corsOrigins = List.copyOf(b.corsOrigins);
        this.clockSkew = b.clockSkew;
        this.redis = b.redis;
        this.subscriberSecret = subscriberSecret;
        this.publisherSecret = publisherSecret;
    }

    /** A builder holding the defaults of SPEC 6; both sides open until a secret is given. */
    public static Builder builder() {
        return new Builder();
    }

    /** The address to listen on. */
    public String bind() {
        return bind;
    }

    /** The port to listen on; 0 means any free port (see {@link EsperServer#port()} for the one chosen). */
    public int port() {
        return port;
    }

    /** The I/O thread count. */
    public int threads() {
        return threads;
    }

    /** Whether authentication is off on both sides, whatever secrets were given. */
    public boolean noAuth() {
        return noAuth;
    }

    /** Events retained per topic; 0 retains none. */
    public int historySize() {
        return historySize;
    }

    /** Age after which a retained event is dropped; zero means no age limit. */
    public Duration historyTtl() {
        return historyTtl;
    }

    /** Idle interval before a heartbeat comment; zero means no heartbeats. */
    public Duration heartbeat() {
        return heartbeat;
    }

    /** Largest publish body, in bytes. */
    public int maxBody() {
        return maxBody;
    }

    /** Unsent live bytes a subscriber may have before it is dropped. */
    public long subscriberBuffer() {
        return subscriberBuffer;
    }

    /** Topics held at once. */
    public int maxTopics() {
        return maxTopics;
    }

    /** Open subscriber streams at once. */
    public int maxSubscribers() {
        return maxSubscribers;
    }

    /** Bytes of retained events over all topics. */
    public long maxRetainedBytes() {
        return maxRetainedBytes;
    }

    /** Allowed CORS origins ({@code *} for any). */
    public List<String> corsOrigins() {
        return corsOrigins;
    }

    /** Leeway for {@code exp} and {@code nbf}. */
    public Duration clockSkew() {
        return clockSkew;
    }

    /**
     * The Redis URI that joins this server to a cluster of nodes ({@code --redis}), e.g.
     * {@code redis://127.0.0.1:6379}; empty when the server runs alone.
     */
    public Optional<String> redis() {
        return Optional.ofNullable(redis);
    }

    /** The secret protecting {@code /subscribe}; empty when that side is open (always with {@link #noAuth()}). */
    public Optional<Secret> subscriberSecret() {
        return Optional.ofNullable(subscriberSecret);
    }

    /** The secret protecting {@code /publish} and {@code /stats}; empty when that side is open. */
    public Optional<Secret> publisherSecret() {
        return Optional.ofNullable(publisherSecret);
    }

    @Override
    public String toString() {
        return "EsperSettings[bind=" + bind + ", port=" + port + ", threads=" + threads + ", noAuth=" + noAuth
                + ", historySize=" + historySize + ", historyTtl=" + historyTtl + ", heartbeat=" + heartbeat
                + ", maxBody=" + maxBody + ", subscriberBuffer=" + subscriberBuffer + ", maxTopics=" + maxTopics
                + ", maxSubscribers=" + maxSubscribers + ", maxRetainedBytes=" + maxRetainedBytes
                + ", corsOrigins=" + corsOrigins + ", clockSkew=" + clockSkew
                + ", redis=" + (redis == null ? "none" : redis.replaceAll("//[^@/]*@", "//***@"))
                + ", subscribe=" + (subscriberSecret == null ? "open" : "protected")
                + ", publish=" + (publisherSecret == null ? "open" : "protected") + "]";
    }

    /**
     * Builds {@link EsperSettings}. Setters only record values; {@link #build()} checks them all and names
     * the first one out of range. Not thread-safe.
     */
    public static final class Builder {
        private String bind = DEFAULT_BIND;
        private int port = DEFAULT_PORT;
        private int threads = DEFAULT_THREADS;
        private boolean noAuth;
        private int historySize = dev.esper.config.EsperConfig.defaults().historySize();
        private Duration historyTtl = dev.esper.config.EsperConfig.defaults().historyTtl();
        private Duration heartbeat = dev.esper.config.EsperConfig.defaults().heartbeat();
        private int maxBody = DEFAULT_MAX_BODY;
        private long subscriberBuffer = dev.esper.config.EsperConfig.defaults().subscriberBuffer();
        private int maxTopics = dev.esper.config.EsperConfig.defaults().maxTopics();
        private int maxSubscribers = dev.esper.config.EsperConfig.defaults().maxSubscribers();
        private long maxRetainedBytes = dev.esper.config.EsperConfig.defaults().maxRetainedBytes();
        private List<String> corsOrigins = List.of("*");
        private Duration clockSkew = Duration.ZERO;
        private String redis;
        private String subscriberSecret;
        private String publisherSecret;

        private Builder() {
        }

        /** Address to listen on, a host name or IP literal. Default {@code 127.0.0.1}. */
        public Builder bind(String host) {
            this.bind = Objects.requireNonNull(host, "bind");
            return this;
        }

        /** Port to listen on, 0-65535; 0 picks a free port. Default 3000. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * I/O threads, 1-{@value #MAX_THREADS}. Sizes Jetty's selector threads (one per thread), its worker
         * pool (at most 8 per thread, at least 8) and the broker's delivery threads (one per thread). Open
         * streams hold no thread. Default 2.
         */
        public Builder threads(int n) {
            this.threads = n;
            return this;
        }

        /**
         * Turns authentication off on both sides, whatever secrets are set. Named, because it is the unsafe
         * choice: the server logs a warning at start-up.
         */
        public Builder noAuth(boolean noAuth) {
            this.noAuth = noAuth;
            return this;
        }

        /** Events retained per topic; 0 retains none. Default 100. */
        public Builder historySize(int n) {
            this.historySize = n;
            return this;
        }

        /** Age after which a retained event is dropped; zero means no age limit. Default 300 s. */
        public Builder historyTtl(Duration ttl) {
            this.historyTtl = Objects.requireNonNull(ttl, "historyTtl");
            return this;
        }

        /** Idle interval before a heartbeat comment; zero turns heartbeats off. Default 15 s. */
        public Builder heartbeat(Duration interval) {
            this.heartbeat = Objects.requireNonNull(interval, "heartbeat");
            return this;
        }

        /** Largest publish body in bytes, at least 1. Default 65536. */
        public Builder maxBody(int bytes) {
            this.maxBody = bytes;
            return this;
        }

        /** Unsent live bytes before a slow subscriber is dropped, at least 1. Default 1 MiB. */
        public Builder subscriberBuffer(long bytes) {
            this.subscriberBuffer = bytes;
            return this;
        }

        /** Topics held at once, at least 1. Default 100,000. */
        public Builder maxTopics(int n) {
            this.maxTopics = n;
            return this;
        }

        /** Open subscriber streams, at least 1. Default 100,000. */
        public Builder maxSubscribers(int n) {
            this.maxSubscribers = n;
            return this;
        }

        /** Bytes of retained events over all topics, at least 1. Default 256 MiB. */
        public Builder maxRetainedBytes(long bytes) {
            this.maxRetainedBytes = bytes;
            return this;
        }

        /** Allowed CORS origins; {@code *} (alone) allows any. Default {@code *}. */
        public Builder corsOrigins(List<String> origins) {
            this.corsOrigins = List.copyOf(origins);
            return this;
        }

        /** Leeway for {@code exp} and {@code nbf}, zero or more. Default zero. */
        public Builder clockSkew(Duration skew) {
            this.clockSkew = Objects.requireNonNull(skew, "clockSkew");
            return this;
        }

        /**
         * Joins a cluster of nodes through the Redis at this URI ({@code redis://host:port}); null or empty
         * runs alone. Default: alone.
         */
        public Builder redis(String uri) {
            this.redis = uri == null || uri.isEmpty() ? null : uri;
            return this;
        }

        /**
         * The secret for {@code /subscribe} tokens, at least 32 bytes of UTF-8; null or empty leaves that
         * side open. Ignored with {@link #noAuth(boolean)}.
         */
        public Builder subscriberSecret(String secret) {
            this.subscriberSecret = secret;
            return this;
        }

        /**
         * The secret for {@code /publish} and {@code /stats} tokens, at least 32 bytes of UTF-8; null or
         * empty leaves that side open. Ignored with {@link #noAuth(boolean)}.
         */
        public Builder publisherSecret(String secret) {
            this.publisherSecret = secret;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException naming the first bad value; for a short secret the message names
         *     the variable and gives the length, never the secret
         */
        public EsperSettings build() {
            if (bind.isBlank()) {
                throw new IllegalArgumentException("bind address must not be empty");
            }
            range("port", port, 0, 65535);
            range("threads", threads, 1, MAX_THREADS);
            range("history size", historySize, 0, Integer.MAX_VALUE);
            nonNegative("history ttl", historyTtl);
            nonNegative("heartbeat", heartbeat);
            range("max body", maxBody, 1, Integer.MAX_VALUE);
            range("subscriber buffer", subscriberBuffer, 1, Long.MAX_VALUE);
            range("max topics", maxTopics, 1, Integer.MAX_VALUE);
            range("max subscribers", maxSubscribers, 1, Integer.MAX_VALUE);
            range("max retained bytes", maxRetainedBytes, 1, Long.MAX_VALUE);
            nonNegative("clock skew", clockSkew);
            checkOrigins(corsOrigins);
            if (redis != null) {
                checkRedis(redis);
            }
            Secret sub = noAuth ? null : secret(SUBSCRIBER_SECRET_ENV, subscriberSecret);
            Secret pub = noAuth ? null : secret(PUBLISHER_SECRET_ENV, publisherSecret);
            return new EsperSettings(this, sub, pub);
        }

        private static Secret secret(String name, String value) {
            return value == null || value.isEmpty() ? null : Secret.of(name, value);
        }

        private static void range(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + " must be from " + min + " to " + max + ", was " + value);
            }
        }

        private static void nonNegative(String name, Duration d) {
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must be zero or more, was " + d.getSeconds() + " s");
            }
        }

        /** Checks a Redis URI's form (not that Redis answers); shared with the command line's converter. */
        static void checkRedis(String uri) {
            if (!uri.matches("rediss?://[^\\s/]+(/\\d*)?")) {
                throw new IllegalArgumentException("redis must be a URI such as redis://127.0.0.1:6379, was '"
                        + uri.replaceAll("//[^@/]*@", "//***@") + "'");
            }
        }

        /** Checks a CORS origin list; shared with the command line's converter. */
        static void checkOrigins(List<String> origins) {
            if (origins.isEmpty()) {
                throw new IllegalArgumentException("cors origins must name at least one origin, or '*'");
            }
            for (String origin : origins) {
                if (origin.isEmpty() || origin.chars().anyMatch(c -> c <= ' ' || c == ',' || c > '~')) {
                    throw new IllegalArgumentException("cors origin must be '*' or an origin such as "
                            + "'https://example.com', was '" + origin + "'");
                }
            }
            if (origins.size() > 1 && origins.contains("*")) {
                throw new IllegalArgumentException("cors origins: '*' allows any origin and cannot be combined "
                        + "with others, was " + String.join(",", origins));
            }
        }
    }
}
