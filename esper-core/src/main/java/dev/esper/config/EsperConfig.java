package dev.esper.config;

import dev.esper.auth.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything esper is configured with, for every front end (library, servlet, standalone server): one
 * value per {@link Setting}, checked by one validator against one list of defaults (SPEC 6-7).
 *
 * <p>Build one with {@link #builder()}: a typed method per setting, or {@link Builder#set(String, String,
 * String)} for text from a flag, an environment variable or an init parameter, recording where it came from
 * so that an error names it. Immutable and thread-safe; {@link #toString()} never shows a secret or a Redis
 * password.
 */
public final class EsperConfig {
    private static final EsperConfig DEFAULTS = builder().build();

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
    private final int maxStreamTopics;
    private final long maxRetainedBytes;
    private final long memoryBudget;
    private final List<String> corsOrigins;
    private final Duration clockSkew;
    private final String redis;
    private final Path tlsCert;
    private final Path tlsKey;
    private final boolean h2c;
    private final Duration shutdownDelay;
    private final Duration warmUp;
    private final Secret subscriberSecret;
    private final Secret publisherSecret;
    private final String subscriberJwks;
    private final String publisherJwks;
    private final String jwtIssuer;
    private final String jwtAudience;
    private final String tokenCookie;
    private final boolean noQueryToken;

    @SuppressWarnings("unchecked")
    private EsperConfig(Map<Setting, Object> v) {
        this.bind = (String) v.get(Setting.BIND);
        this.port = ((Long) v.get(Setting.PORT)).intValue();
        this.threads = ((Long) v.get(Setting.THREADS)).intValue();
        this.noAuth = (Boolean) v.get(Setting.NO_AUTH);
        this.historySize = ((Long) v.get(Setting.HISTORY_SIZE)).intValue();
        this.historyTtl = (Duration) v.get(Setting.HISTORY_TTL);
        this.heartbeat = (Duration) v.get(Setting.HEARTBEAT);
        this.maxBody = ((Long) v.get(Setting.MAX_BODY)).intValue();
        this.subscriberBuffer = (Long) v.get(Setting.SUBSCRIBER_BUFFER);
        this.maxTopics = ((Long) v.get(Setting.MAX_TOPICS)).intValue();
        this.maxSubscribers = ((Long) v.get(Setting.MAX_SUBSCRIBERS)).intValue();
        this.maxStreamTopics = ((Long) v.get(Setting.MAX_STREAM_TOPICS)).intValue();
        this.maxRetainedBytes = (Long) v.get(Setting.MAX_RETAINED_BYTES);
        this.memoryBudget = (Long) v.get(Setting.MEMORY_BUDGET);
        this.corsOrigins = List.copyOf((List<String>) v.get(Setting.CORS_ORIGINS));
        this.clockSkew = (Duration) v.get(Setting.CLOCK_SKEW);
        String r = (String) v.get(Setting.REDIS);
        this.redis = r.isEmpty() ? null : r;
        this.tlsCert = path((String) v.get(Setting.TLS_CERT));
        this.tlsKey = path((String) v.get(Setting.TLS_KEY));
        this.h2c = (Boolean) v.get(Setting.H2C);
        this.shutdownDelay = (Duration) v.get(Setting.SHUTDOWN_DELAY);
        this.warmUp = (Duration) v.get(Setting.WARM_UP);
        this.subscriberSecret = (Secret) v.get(Setting.SUBSCRIBER_SECRET);
        this.publisherSecret = (Secret) v.get(Setting.PUBLISHER_SECRET);
        this.subscriberJwks = emptyToNull((String) v.get(Setting.SUBSCRIBER_JWKS));
        this.publisherJwks = emptyToNull((String) v.get(Setting.PUBLISHER_JWKS));
        this.jwtIssuer = emptyToNull((String) v.get(Setting.JWT_ISSUER));
        this.jwtAudience = emptyToNull((String) v.get(Setting.JWT_AUDIENCE));
        this.tokenCookie = (String) v.get(Setting.TOKEN_COOKIE);
        this.noQueryToken = (Boolean) v.get(Setting.NO_QUERY_TOKEN);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static Path path(String value) {
        return value.isEmpty() ? null : Path.of(value);
    }

    /** A builder holding every default; nothing is checked until {@link Builder#build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults of SPEC 6: both sides open, alone, on 127.0.0.1:3000. */
    public static EsperConfig defaults() {
        return DEFAULTS;
    }

    /** The address the standalone server listens on. */
    public String bind() {
        return bind;
    }

    /** The port the standalone server listens on, 1-65535. */
    public int port() {
        return port;
    }

    /** I/O threads of the standalone server, and the broker's delivery threads. */
    public int threads() {
        return threads;
    }

    /** Whether both sides are open whatever secrets or public keys were given (then all of them are empty). */
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

    /** Idle interval before a heartbeat comment; zero means none. */
    public Duration heartbeat() {
        return heartbeat;
    }

    /** The largest publish body, in bytes. */
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

    /** Topics one stream may follow, 1-255 ({@code GET /subscribe?topic=a&topic=b}). */
    public int maxStreamTopics() {
        return maxStreamTopics;
    }

    /** Bytes of retained events over all topics. */
    public long maxRetainedBytes() {
        return maxRetainedBytes;
    }

    /**
     * Heap bytes the broker may hold in events: retained ones, and those held for subscribers that are behind,
     * each counted at its heap cost. Default: half the max heap ({@link Setting#defaultMemoryBudget()}).
     */
    public long memoryBudget() {
        return memoryBudget;
    }

    /** Allowed CORS origins, unmodifiable; {@code ["*"]} allows any. */
    public List<String> corsOrigins() {
        return corsOrigins;
    }

    /** Leeway for token {@code exp} and {@code nbf}. */
    public Duration clockSkew() {
        return clockSkew;
    }

    /** The Redis URI that joins this node to others (e.g. {@code redis://127.0.0.1:6379}); empty: alone. */
    public Optional<String> redis() {
        return Optional.ofNullable(redis);
    }

    /**
     * The standalone server's certificate chain (PEM), present exactly when {@link #tlsKey()} is: then it serves
     * HTTPS only, with HTTP/2 and HTTP/1.1 negotiated by ALPN.
     */
    public Optional<Path> tlsCert() {
        return Optional.ofNullable(tlsCert);
    }

    /** The private key (PEM) of {@link #tlsCert()}; present exactly when it is. */
    public Optional<Path> tlsKey() {
        return Optional.ofNullable(tlsKey);
    }

    /** Whether the standalone server also speaks cleartext HTTP/2 beside HTTP/1.1 (never with TLS). */
    public boolean h2c() {
        return h2c;
    }

    /**
     * How long the standalone server, told to stop, keeps serving with {@code /health/ready} answering
     * {@code 503} before it closes its listener; zero for none.
     */
    public Duration shutdownDelay() {
        return shutdownDelay;
    }

    /**
     * How long, at most, the standalone server runs its hot paths over loopback on a throwaway broker before it
     * opens its port, so that a new JVM serves its first clients with compiled code; zero for none.
     */
    public Duration warmUp() {
        return warmUp;
    }

    /** The secret protecting {@code /subscribe}; empty when that side is open (always with {@link #noAuth()}). */
    public Optional<Secret> subscriberSecret() {
        return Optional.ofNullable(subscriberSecret);
    }

    /** The secret protecting {@code /publish} and {@code /stats}; empty when that side is open. */
    public Optional<Secret> publisherSecret() {
        return Optional.ofNullable(publisherSecret);
    }

    /**
     * The public keys protecting {@code /subscribe} (SPEC 9.2): an {@code https://} or {@code http://} URL of a
     * JWK Set, or the path of a JWK Set or PEM public key file; empty when that side is keyed by a secret or open
     * (always with {@link #noAuth()}). Never set together with {@link #subscriberSecret()}.
     */
    public Optional<String> subscriberJwks() {
        return Optional.ofNullable(subscriberJwks);
    }

    /** The public keys protecting {@code /publish} and {@code /stats}, as {@link #subscriberJwks()}. */
    public Optional<String> publisherJwks() {
        return Optional.ofNullable(publisherJwks);
    }

    /** The {@code iss} claim every token must carry; empty: not checked. */
    public Optional<String> jwtIssuer() {
        return Optional.ofNullable(jwtIssuer);
    }

    /** A value the {@code aud} claim of every token must be or hold; empty: not checked. */
    public Optional<String> jwtAudience() {
        return Optional.ofNullable(jwtAudience);
    }

    /** The name of the cookie a subscribe token may come in (SPEC 9.3); default {@code esper_token}. */
    public String tokenCookie() {
        return tokenCookie;
    }

    /** Whether the {@code token} query parameter is refused on every route (SPEC 9.3). */
    public boolean noQueryToken() {
        return noQueryToken;
    }

    @Override
    public String toString() {
        return "EsperConfig[bind=" + bind + ", port=" + port + ", threads=" + threads + ", noAuth=" + noAuth
                + ", historySize=" + historySize + ", historyTtl=" + historyTtl + ", heartbeat=" + heartbeat
                + ", maxBody=" + maxBody + ", subscriberBuffer=" + subscriberBuffer + ", maxTopics=" + maxTopics
                + ", maxSubscribers=" + maxSubscribers + ", maxStreamTopics=" + maxStreamTopics
                + ", maxRetainedBytes=" + maxRetainedBytes
                + ", memoryBudget=" + memoryBudget
                + ", corsOrigins=" + corsOrigins + ", clockSkew=" + clockSkew
                + ", redis=" + (redis == null ? "none" : Setting.maskPassword(redis))
                + ", tlsCert=" + (tlsCert == null ? "none" : tlsCert) + ", tlsKey=" + (tlsKey == null ? "none" : tlsKey)
                + ", h2c=" + h2c + ", shutdownDelay=" + shutdownDelay + ", warmUp=" + warmUp
                + ", subscriberSecret=" + (subscriberSecret == null ? "none" : subscriberSecret)
                + ", publisherSecret=" + (publisherSecret == null ? "none" : publisherSecret)
                + ", subscriberJwks=" + (subscriberJwks == null ? "none" : Setting.maskPassword(subscriberJwks))
                + ", publisherJwks=" + (publisherJwks == null ? "none" : Setting.maskPassword(publisherJwks))
                + ", jwtIssuer=" + (jwtIssuer == null ? "none" : jwtIssuer)
                + ", jwtAudience=" + (jwtAudience == null ? "none" : jwtAudience)
                + ", tokenCookie=" + tokenCookie + ", noQueryToken=" + noQueryToken + "]";
    }

    /** Text for a setting, as given, and where it came from. */
    private static final class Raw {
        final String text;

        Raw(String text) {
            this.text = text;
        }
    }

    /**
     * Builds an {@link EsperConfig}. Setters only record values; {@link #build()} checks them all and names
     * the first bad one. Not thread-safe.
     */
    public static final class Builder {
        /** Per setting: a {@link Raw} text or a typed value. */
        private final Map<Setting, Object> values = new EnumMap<>(Setting.class);
        /** Per setting: where its value came from; absent for defaults and typed methods. */
        private final Map<Setting, String> sources = new EnumMap<>(Setting.class);

        private Builder() {
            for (Setting s : Setting.values()) {
                values.put(s, new Raw(s.defaultText()));
            }
        }

        private Builder typed(Setting s, Object value) {
            values.put(s, value);
            sources.remove(s);
            return this;
        }

        /**
         * Sets a setting from text, as a flag, an environment variable or an init parameter gives it.
         *
         * @param name the setting's kebab-case name, e.g. {@code history-size} ({@link Setting#key()})
         * @param rawValue the text, not trimmed; an empty secret or redis means none, an empty number is bad
         * @param source where it came from, for messages, e.g. {@code environment variable ESPER_HISTORY_SIZE}
         * @return this builder
         * @throws IllegalArgumentException if no setting has that name
         */
        public Builder set(String name, String rawValue, String source) {
            Setting s = Setting.byKey(name).orElseThrow(() -> new IllegalArgumentException("unknown setting '"
                    + name + "'"));
            values.put(s, new Raw(Objects.requireNonNull(rawValue, "rawValue")));
            sources.put(s, Objects.requireNonNull(source, "source"));
            return this;
        }

        /** {@link Setting#BIND}: a host name or IP literal that resolves. Default {@code 127.0.0.1}. */
        public Builder bind(String host) {
            return typed(Setting.BIND, Objects.requireNonNull(host, "bind"));
        }

        /** {@link Setting#PORT}: 1-65535. Default 3000. */
        public Builder port(int port) {
            return typed(Setting.PORT, (long) port);
        }

        /** {@link Setting#THREADS}: 1-64. Default 2. */
        public Builder threads(int n) {
            return typed(Setting.THREADS, (long) n);
        }

        /** {@link Setting#NO_AUTH}: opens both sides whatever secrets are set; the unsafe choice, by name. */
        public Builder noAuth(boolean noAuth) {
            return typed(Setting.NO_AUTH, noAuth);
        }

        /** {@link Setting#HISTORY_SIZE}: 0 or more; 0 retains none. Default 100. */
        public Builder historySize(int n) {
            return typed(Setting.HISTORY_SIZE, (long) n);
        }

        /** {@link Setting#HISTORY_TTL}: zero or more; zero means no age limit. Default 300 s. */
        public Builder historyTtl(Duration ttl) {
            return typed(Setting.HISTORY_TTL, Objects.requireNonNull(ttl, "historyTtl"));
        }

        /** {@link Setting#HEARTBEAT}: zero or more; zero turns heartbeats off. Default 15 s. */
        public Builder heartbeat(Duration interval) {
            return typed(Setting.HEARTBEAT, Objects.requireNonNull(interval, "heartbeat"));
        }

        /** {@link Setting#MAX_BODY}: bytes, at least 1. Default 65536. */
        public Builder maxBody(int bytes) {
            return typed(Setting.MAX_BODY, (long) bytes);
        }

        /** {@link Setting#SUBSCRIBER_BUFFER}: bytes, at least 1. Default 1 MiB. */
        public Builder subscriberBuffer(long bytes) {
            return typed(Setting.SUBSCRIBER_BUFFER, bytes);
        }

        /** {@link Setting#MAX_TOPICS}: at least 1. Default 100,000. */
        public Builder maxTopics(int n) {
            return typed(Setting.MAX_TOPICS, (long) n);
        }

        /** {@link Setting#MAX_SUBSCRIBERS}: at least 1. Default 100,000. */
        public Builder maxSubscribers(int n) {
            return typed(Setting.MAX_SUBSCRIBERS, (long) n);
        }

        /** {@link Setting#MAX_STREAM_TOPICS}: 1-255. Default 32. */
        public Builder maxStreamTopics(int n) {
            return typed(Setting.MAX_STREAM_TOPICS, (long) n);
        }

        /** {@link Setting#MAX_RETAINED_BYTES}: at least 1. Default 256 MiB. */
        public Builder maxRetainedBytes(long bytes) {
            return typed(Setting.MAX_RETAINED_BYTES, bytes);
        }

        /** {@link Setting#MEMORY_BUDGET}: bytes, at least 1. Default half the max heap. */
        public Builder memoryBudget(long bytes) {
            return typed(Setting.MEMORY_BUDGET, bytes);
        }

        /** {@link Setting#CORS_ORIGINS}: {@code *} alone, or origins such as {@code https://example.com}. */
        public Builder corsOrigins(List<String> origins) {
            return typed(Setting.CORS_ORIGINS, List.copyOf(Objects.requireNonNull(origins, "corsOrigins")));
        }

        /** {@link Setting#CLOCK_SKEW}: zero or more. Default zero. */
        public Builder clockSkew(Duration skew) {
            return typed(Setting.CLOCK_SKEW, Objects.requireNonNull(skew, "clockSkew"));
        }

        /** {@link Setting#REDIS}: a URI such as {@code redis://127.0.0.1:6379}; null or empty runs alone. */
        public Builder redis(String uri) {
            return typed(Setting.REDIS, uri == null ? "" : uri);
        }

        /**
         * {@link Setting#TLS_CERT} and {@link Setting#TLS_KEY}: the PEM files of the standalone server's
         * certificate chain and private key, both readable files, or both null for no TLS.
         */
        public Builder tls(Path certificateChain, Path privateKey) {
            typed(Setting.TLS_CERT, certificateChain == null ? "" : certificateChain.toString());
            return typed(Setting.TLS_KEY, privateKey == null ? "" : privateKey.toString());
        }

        /** {@link Setting#H2C}: cleartext HTTP/2 beside HTTP/1.1 on the standalone server. Default off. */
        public Builder h2c(boolean h2c) {
            return typed(Setting.H2C, h2c);
        }

        /** {@link Setting#SHUTDOWN_DELAY}: 0 to 3600 s of serving, not ready, before the listener closes. Default 0. */
        public Builder shutdownDelay(Duration delay) {
            return typed(Setting.SHUTDOWN_DELAY, Objects.requireNonNull(delay, "shutdownDelay"));
        }

        /** {@link Setting#WARM_UP}: 0 to 60 s, at most, of warming up before the port opens; 0 = off. Default 5 s. */
        public Builder warmUp(Duration budget) {
            return typed(Setting.WARM_UP, Objects.requireNonNull(budget, "warmUp"));
        }

        /**
         * {@link Setting#SUBSCRIBER_SECRET}: at least 32 bytes of UTF-8; null or empty leaves {@code /subscribe}
         * open. Ignored with {@link #noAuth(boolean)}.
         */
        public Builder subscriberSecret(String secret) {
            return typed(Setting.SUBSCRIBER_SECRET, secret == null ? "" : secret);
        }

        /**
         * {@link Setting#PUBLISHER_SECRET}: at least 32 bytes of UTF-8; null or empty leaves {@code /publish}
         * and {@code /stats} open. Ignored with {@link #noAuth(boolean)}.
         */
        public Builder publisherSecret(String secret) {
            return typed(Setting.PUBLISHER_SECRET, secret == null ? "" : secret);
        }

        /**
         * {@link Setting#SUBSCRIBER_JWKS}: the public keys protecting {@code /subscribe}, an {@code https://} or
         * {@code http://} URL of a JWK Set or the path of a JWK Set or PEM public key file; null or empty: none.
         * Not together with {@link #subscriberSecret(String)}; ignored with {@link #noAuth(boolean)}.
         */
        public Builder subscriberJwks(String urlOrFile) {
            return typed(Setting.SUBSCRIBER_JWKS, urlOrFile == null ? "" : urlOrFile);
        }

        /** {@link Setting#PUBLISHER_JWKS}: as {@link #subscriberJwks(String)}, for {@code /publish} and {@code /stats}. */
        public Builder publisherJwks(String urlOrFile) {
            return typed(Setting.PUBLISHER_JWKS, urlOrFile == null ? "" : urlOrFile);
        }

        /** {@link Setting#JWT_ISSUER}: the {@code iss} every token must carry; null or empty: not checked. */
        public Builder jwtIssuer(String issuer) {
            return typed(Setting.JWT_ISSUER, issuer == null ? "" : issuer);
        }

        /** {@link Setting#JWT_AUDIENCE}: a value every token's {@code aud} must hold; null or empty: not checked. */
        public Builder jwtAudience(String audience) {
            return typed(Setting.JWT_AUDIENCE, audience == null ? "" : audience);
        }

        /** {@link Setting#TOKEN_COOKIE}: the cookie a subscribe token may come in. Default {@code esper_token}. */
        public Builder tokenCookie(String name) {
            return typed(Setting.TOKEN_COOKIE, Objects.requireNonNull(name, "tokenCookie"));
        }

        /** {@link Setting#NO_QUERY_TOKEN}: refuse the {@code token} query parameter on every route. */
        public Builder noQueryToken(boolean refuse) {
            return typed(Setting.NO_QUERY_TOKEN, refuse);
        }

        /**
         * Checks every value and builds.
         *
         * @throws InvalidConfigException naming the first bad setting, its rule, its value (never a secret's:
         *     only its length) and where it came from; or a side given both a secret and public keys
         */
        public EsperConfig build() {
            Map<Setting, Object> checked = new EnumMap<>(Setting.class);
            for (Setting s : Setting.values()) {
                Object v = values.get(s);
                String shown = v instanceof Raw ? ((Raw) v).text : s.show(v);
                Object value = v instanceof Raw ? s.parse(((Raw) v).text) : v;
                if (s.isSecret()) {
                    value = secret(s, (String) value, Boolean.TRUE.equals(checked.get(Setting.NO_AUTH)));
                } else if (s.opensWithNoAuth() && Boolean.TRUE.equals(checked.get(Setting.NO_AUTH))) {
                    value = ""; // ignored, like the secrets, so not checked either
                } else {
                    String problem = s.problem(value, shown);
                    if (problem != null) {
                        throw new InvalidConfigException(s, sources.get(s), problem);
                    }
                }
                checked.put(s, value);
            }
            for (Setting[] side : new Setting[][] {{Setting.SUBSCRIBER_SECRET, Setting.SUBSCRIBER_JWKS},
                {Setting.PUBLISHER_SECRET, Setting.PUBLISHER_JWKS}}) {
                if (checked.get(side[0]) != null && !((String) checked.get(side[1])).isEmpty()) {
                    throw bothKeys(side[0], side[1]);
                }
            }
            checkTls(checked);
            return new EsperConfig(checked);
        }

        /** A side given a secret and public keys: names both and where each came from, shows neither value. */
        private InvalidConfigException bothKeys(Setting secret, Setting jwks) {
            return new InvalidConfigException(jwks, null, where(jwks) + "and " + secret.label() + " " + where(secret)
                    + "are both set: a side is keyed by an HMAC secret or by public keys, never both; unset one");
        }

        private String where(Setting s) {
            String source = sources.get(s);
            return source == null ? "" : "(" + source + ") ";
        }

        /** The certificate and its key come together, and cleartext HTTP/2 does not come with TLS. */
        private void checkTls(Map<Setting, Object> checked) {
            boolean cert = !((String) checked.get(Setting.TLS_CERT)).isEmpty();
            boolean key = !((String) checked.get(Setting.TLS_KEY)).isEmpty();
            if (cert != key) {
                Setting missing = cert ? Setting.TLS_KEY : Setting.TLS_CERT;
                Setting given = cert ? Setting.TLS_CERT : Setting.TLS_KEY;
                throw new InvalidConfigException(given, sources.get(given), "needs " + missing.flag()
                        + " too: HTTPS takes the certificate chain and its private key");
            }
            if (cert && Boolean.TRUE.equals(checked.get(Setting.H2C))) {
                throw new InvalidConfigException(Setting.H2C, sources.get(Setting.H2C), "cannot be combined with "
                        + Setting.TLS_CERT.flag() + ": over TLS, HTTP/2 is negotiated (ALPN h2); --h2c is for "
                        + "cleartext behind a proxy");
            }
        }

        /** A side's secret: none if empty or with no-auth, else at least {@link Secret#MIN_BYTES} bytes. */
        private Secret secret(Setting s, String value, boolean noAuth) {
            if (noAuth || value.isEmpty()) {
                return null;
            }
            int length = value.getBytes(StandardCharsets.UTF_8).length;
            if (length < Secret.MIN_BYTES) {
                throw new InvalidConfigException(s, sources.get(s), "must be at least " + Secret.MIN_BYTES
                        + " bytes, was " + length + " bytes");
            }
            return Secret.of(s.label(), value);
        }
    }
}
