package dev.esper.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every setting of esper, once: its name, default, rule and meaning (SPEC 6-7). Each front end derives its
 * own spelling from {@link #key()}: the command-line flag {@code --history-size}, the environment variable
 * {@code ESPER_HISTORY_SIZE} and the servlet init parameter {@code historySize}.
 *
 * <p>Adding a setting is adding a constant here, its field, accessor and typed builder method in
 * {@link EsperConfig}, and its line in the docs; the command line and the servlet read it from this table,
 * and {@code Broker.Builder.config} copies it if the broker uses it.
 */
public enum Setting {
    /** Address the standalone server listens on. */
    BIND("bind", "-b", Kind.HOST, 0, 0, "127.0.0.1", true, false,
            "Address to listen on; 0.0.0.0 for every interface."),
    /** Port the standalone server listens on. */
    PORT("port", "-p", Kind.PORT, 1, 65535, "3000", true, false, "Port to listen on, 1-65535."),
    /** I/O threads of the standalone server, and the broker's delivery threads. */
    THREADS("threads", "-t", Kind.NUMBER, 1, 64, "2", true, true,
            "I/O threads, 1-64: the standalone server's selector threads (n), its worker pool (at most 8n, at "
                    + "least 8) and the broker's delivery threads (n). Open streams hold no thread."),
    /** Opens both sides whatever secrets are set. */
    NO_AUTH("no-auth", null, Kind.BOOLEAN, 0, 0, "false", true, true,
            "Open both sides to anyone, ignoring the secrets and public keys (logged as a warning)."),
    /** Events retained per topic. */
    HISTORY_SIZE("history-size", null, Kind.NUMBER, 0, Integer.MAX_VALUE, "100", true, true,
            "Events retained per topic for resumes; 0 = none."),
    /** Age after which a retained event is dropped. */
    HISTORY_TTL("history-ttl", null, Kind.SECONDS, 0, Integer.MAX_VALUE, "300", true, true,
            "Age after which a retained event is dropped; 0 = no age limit."),
    /** Idle interval before a heartbeat comment. */
    HEARTBEAT("heartbeat", null, Kind.SECONDS, 0, Integer.MAX_VALUE, "15", true, true,
            "Idle interval before a heartbeat comment; 0 = off."),
    /** Largest publish body. */
    MAX_BODY("max-body", null, Kind.BYTES, 1, Integer.MAX_VALUE - 1, "65536", true, true, "Largest publish body."),
    /** Unsent live bytes before a slow subscriber is dropped. */
    SUBSCRIBER_BUFFER("subscriber-buffer", null, Kind.BYTES, 1, Long.MAX_VALUE / 2, "1048576", true, true,
            "Bytes waiting for a subscriber past which it is dropped if it stops reading for 2 s."),
    /** Topics held at once. */
    MAX_TOPICS("max-topics", null, Kind.NUMBER, 1, Integer.MAX_VALUE, "100000", true, true, "Topics held at once."),
    /** Open subscriber streams. */
    MAX_SUBSCRIBERS("max-subscribers", null, Kind.NUMBER, 1, Integer.MAX_VALUE, "100000", true, true,
            "Open subscriber streams; the standalone server also caps connections at this + 10%."),
    /** Topics one stream may follow ({@code GET /subscribe?topic=…&topic=…}). */
    MAX_STREAM_TOPICS("max-stream-topics", null, Kind.NUMBER, 1, 255, "32", true, true,
            "Topics one stream may follow, 1-255 (GET /subscribe?topic=a&topic=b...)."),
    /** Bytes of retained events over all topics. */
    MAX_RETAINED_BYTES("max-retained-bytes", null, Kind.BYTES, 1, Long.MAX_VALUE / 2, "268435456", true, true,
            "Bytes of retained events over all topics."),
    /** Heap the broker may hold in events, retained or not yet sent; default half the JVM's max heap. */
    MEMORY_BUDGET("memory-budget", null, Kind.BYTES, 1, Long.MAX_VALUE / 2, Long.toString(defaultMemoryBudget()),
            true, true, "Heap bytes the broker may hold in events, retained or held for subscribers that are "
                    + "behind, counted at their heap cost; past it the subscribers furthest behind are dropped, "
                    + "then the oldest retained events. Default: half the max heap."),
    /** Allowed CORS origins. */
    CORS_ORIGINS("cors-origins", null, Kind.ORIGINS, 0, 0, "*", true, true,
            "Allowed origins, comma-separated, or * for any."),
    /** Leeway for token {@code exp} and {@code nbf}. */
    CLOCK_SKEW("clock-skew", null, Kind.SECONDS, 0, Integer.MAX_VALUE, "0", true, true,
            "Leeway for token exp and nbf."),
    /** Public keys protecting {@code /subscribe}: a JWK Set URL, or a JWK Set or PEM file (SPEC 9.2). */
    SUBSCRIBER_JWKS("subscriber-jwks", null, Kind.KEYS, 0, 0, "", true, true,
            "Public keys for /subscribe tokens instead of a secret: an https:// or http:// URL of a JWK Set (your "
                    + "identity provider's), or a file of a JWK Set or a PEM public key."),
    /** Public keys protecting {@code /publish} and {@code /stats}. */
    PUBLISHER_JWKS("publisher-jwks", null, Kind.KEYS, 0, 0, "", true, true,
            "Public keys for /publish and /stats tokens instead of a secret: a JWK Set URL, or a JWK Set or PEM "
                    + "public key file."),
    /** The {@code iss} every token must carry; empty: not checked. */
    JWT_ISSUER("jwt-issuer", null, Kind.TEXT, 0, 0, "", true, true,
            "The 'iss' claim every token must have, e.g. https://idp.example.com/realms/app. Default: not checked."),
    /** A value the {@code aud} of every token must hold; empty: not checked. */
    JWT_AUDIENCE("jwt-audience", null, Kind.TEXT, 0, 0, "", true, true,
            "A value the 'aud' claim (a string or an array) of every token must hold. Default: not checked."),
    /** The cookie a subscribe token may come in. */
    TOKEN_COOKIE("token-cookie", null, Kind.COOKIE, 0, 0, "esper_token", true, true,
            "Cookie a subscribe token may come in (after the Authorization header, before ?token=); never read on "
                    + "/publish or /stats."),
    /** Refuses tokens in the {@code token} query parameter. */
    NO_QUERY_TOKEN("no-query-token", null, Kind.BOOLEAN, 0, 0, "false", true, true,
            "Refuse ?token= on every route (401): tokens only in the Authorization header or the cookie, so they "
                    + "stay out of URLs and logs."),
    /** The Redis that joins nodes into one broker; environment variable {@code ESPER_REDIS_URL} or {@code ESPER_REDIS}. */
    REDIS("redis", null, Kind.REDIS, 0, 0, "", true, true,
            "Join other esper nodes through the Redis at this URI, e.g. redis://127.0.0.1:6379: one order, ids "
                    + "and resume across nodes. Default: run alone."),
    /** The standalone server's certificate chain, a PEM file: with {@link #TLS_KEY}, the server speaks HTTPS. */
    TLS_CERT("tls-cert", null, Kind.FILE, 0, 0, "", true, false,
            "PEM file of the server's certificate chain, its own certificate first; with --tls-key the server "
                    + "serves HTTPS only, with HTTP/2 (ALPN h2) and HTTP/1.1. Default: no TLS."),
    /** The private key of {@link #TLS_CERT}, a PEM file. */
    TLS_KEY("tls-key", null, Kind.FILE, 0, 0, "", true, false,
            "PEM file of the certificate's private key, unencrypted: PKCS#8 (RSA, EC or Ed25519), PKCS#1 RSA or "
                    + "SEC1 EC."),
    /** Cleartext HTTP/2 beside HTTP/1.1 on the standalone server. */
    H2C("h2c", null, Kind.BOOLEAN, 0, 0, "false", true, false,
            "Also speak cleartext HTTP/2 (prior knowledge, or an Upgrade: h2c) beside HTTP/1.1, for a proxy in "
                    + "front; not with --tls-cert, over which HTTP/2 is negotiated."),
    /** How long the standalone server keeps serving, not ready, between a stop signal and closing its listener. */
    SHUTDOWN_DELAY("shutdown-delay", null, Kind.SECONDS, 0, 3600, "0", true, false,
            "Seconds between SIGTERM and closing the listener, during which /health/ready answers 503 and "
                    + "everything else is served as usual, so load balancers stop sending traffic first; 0-3600."),
    /** How long, at most, the standalone server runs its own hot paths over loopback before opening its port. */
    WARM_UP("warm-up", null, Kind.SECONDS, 0, 60, "5", true, false,
            "Seconds, at most, the server spends before opening its port running its own hot paths over loopback "
                    + "(connect, subscribe, publish, fan-out, disconnect) on a throwaway broker, so the JIT has "
                    + "compiled them when the first client comes; 0-60, 0 = off."),
    /** HMAC secret protecting {@code /subscribe}; never a command-line flag. */
    SUBSCRIBER_SECRET("subscriber-secret", null, Kind.SECRET, 0, 0, "", false, true,
            "HMAC secret (at least 32 bytes) for /subscribe tokens; unset or empty: open."),
    /** HMAC secret protecting {@code /publish} and {@code /stats}; never a command-line flag. */
    PUBLISHER_SECRET("publisher-secret", null, Kind.SECRET, 0, 0, "", false, true,
            "HMAC secret (at least 32 bytes) for /publish and /stats tokens; unset or empty: open.");

    /** What a setting's values are; decides parsing and the rule. */
    enum Kind {
        HOST, PORT, NUMBER, BYTES, SECONDS, BOOLEAN, ORIGINS, REDIS, FILE, SECRET, KEYS, TEXT, COOKIE
    }

    private final String key;
    private final String shortFlag;
    private final Kind kind;
    private final long min;
    private final long max;
    private final String defaultText;
    private final boolean onCommandLine;
    private final boolean inServlet;
    private final String description;

    Setting(String key, String shortFlag, Kind kind, long min, long max, String defaultText, boolean onCommandLine,
            boolean inServlet, String description) {
        this.key = key;
        this.shortFlag = shortFlag;
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.defaultText = defaultText;
        this.onCommandLine = onCommandLine;
        this.inServlet = inServlet;
        this.description = description;
    }

    /**
     * The default of {@link #MEMORY_BUDGET}: half of this JVM's maximum heap ({@link Runtime#maxMemory()}), at
     * least 1 byte.
     */
    public static long defaultMemoryBudget() {
        return Math.max(1, Math.min(Long.MAX_VALUE / 2, Runtime.getRuntime().maxMemory() / 2));
    }

    /** The setting named {@code key} (e.g. {@code history-size}), if there is one. */
    public static Optional<Setting> byKey(String key) {
        for (Setting s : values()) {
            if (s.key.equals(key)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The kebab-case name, e.g. {@code history-size}. */
    public String key() {
        return key;
    }

    /** The name in messages, e.g. {@code history size}. */
    public String label() {
        return key.replace('-', ' ');
    }

    /** The long command-line flag, e.g. {@code --history-size}; see {@link #onCommandLine()}. */
    public String flag() {
        return "--" + key;
    }

    /** The one-letter flag (e.g. {@code -p}), if the setting has one. */
    public Optional<String> shortFlag() {
        return Optional.ofNullable(shortFlag);
    }

    /** The placeholder for the flag's value in help, e.g. {@code <seconds>}. */
    public String valueLabel() {
        switch (kind) {
            case HOST:
                return "<host>";
            case PORT:
                return "<port>";
            case BYTES:
                return "<bytes>";
            case SECONDS:
                return "<seconds>";
            case ORIGINS:
                return "<list>";
            case REDIS:
                return "<uri>";
            case KEYS:
                return "<url|file>";
            case TEXT:
                return "<text>";
            case COOKIE:
                return "<name>";
            case FILE:
                return "<file>";
            case BOOLEAN:
                return "<true|false>";
            default:
                return "<n>";
        }
    }

    /**
     * The environment variable, e.g. {@code ESPER_HISTORY_SIZE} ({@code ESPER_REDIS_URL} for {@link #REDIS},
     * which also reads {@code ESPER_REDIS}).
     */
    public String environmentVariable() {
        return this == REDIS ? "ESPER_REDIS_URL" : "ESPER_" + key.replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Every environment variable read for this setting, the main one first. */
    public List<String> environmentVariables() {
        return this == REDIS ? List.of("ESPER_REDIS_URL", "ESPER_REDIS") : List.of(environmentVariable());
    }

    /**
     * Which of this setting's environment variables holds its value in {@code env}: the first one that is
     * set and not empty.
     *
     * @param env looks a variable up, null when unset; not null
     * @return the variable's name, or empty when none is set
     * @throws InvalidConfigException if two of its variables are set to different values (neither value
     *     is shown)
     */
    public Optional<String> variableSetIn(UnaryOperator<String> env) {
        String found = null;
        for (String name : environmentVariables()) {
            String v = env.apply(name);
            if (v == null || v.isEmpty()) {
                continue;
            }
            if (found == null) {
                found = name;
            } else if (!v.equals(env.apply(found))) {
                throw new InvalidConfigException(this, "environment variables " + found + " and " + name,
                        "is set twice, to different values; set only one");
            }
        }
        return Optional.ofNullable(found);
    }

    /** The servlet init parameter, e.g. {@code historySize}; see {@link #inServlet()}. */
    public String initParameter() {
        StringBuilder sb = new StringBuilder(key.length());
        boolean upper = false;
        for (char c : key.toCharArray()) {
            if (c == '-') {
                upper = true;
            } else {
                sb.append(upper ? Character.toUpperCase(c) : c);
                upper = false;
            }
        }
        return sb.toString();
    }

    /** The default as text, as it would be written on the command line; empty for none. */
    public String defaultText() {
        return defaultText;
    }

    /** One line on what the setting does. */
    public String description() {
        return description;
    }

    /** Whether the value is a secret: never a flag, never printed. */
    public boolean isSecret() {
        return kind == Kind.SECRET;
    }

    /** Whether {@link #NO_AUTH} empties it, as it does the secrets: the public keys of a side. */
    boolean opensWithNoAuth() {
        return kind == Kind.KEYS;
    }

    /** Whether the standalone command line has a flag for it (secrets come only from the environment). */
    public boolean onCommandLine() {
        return onCommandLine;
    }

    /**
     * Whether a servlet reads it: everything but what only the standalone server's listener uses (address, port,
     * TLS, {@code h2c}, the shutdown delay).
     */
    public boolean inServlet() {
        return inServlet;
    }

    /** Whether a bare flag means {@code true} (a switch such as {@code --no-auth}). */
    public boolean isSwitch() {
        return kind == Kind.BOOLEAN;
    }

    // ---------------------------------------------------------------------------------------------
    // The one validator: text or typed value in, checked value out.

    /** Parses raw text into this setting's value type, without checking the range. */
    Object parse(String raw) {
        switch (kind) {
            case PORT:
            case NUMBER:
            case BYTES:
                return digits(raw);
            case SECONDS:
                Long seconds = digits(raw);
                return seconds == null ? null : Duration.ofSeconds(seconds);
            case BOOLEAN:
                if (raw.equalsIgnoreCase("true")) {
                    return Boolean.TRUE;
                }
                return raw.equalsIgnoreCase("false") ? Boolean.FALSE : null;
            case ORIGINS:
                List<String> origins = new ArrayList<>();
                for (String part : raw.split(",", -1)) {
                    origins.add(part.strip());
                }
                return origins;
            default:
                return raw;
        }
    }

    private static Long digits(String raw) {
        if (raw.isEmpty() || raw.length() > 19 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return null;
        }
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * Checks a value of this setting's type (as {@link #parse} returns or a typed builder method stores).
     *
     * @return the problem ("must be ..., was '...'"), or null when the value is good
     */
    String problem(Object value, String shown) {
        switch (kind) {
            case PORT:
            case NUMBER:
            case BYTES:
                String what = kind == Kind.PORT ? "a port number" : kind == Kind.BYTES ? "a whole number of bytes"
                        : "a whole number";
                return value == null || (Long) value < min || (Long) value > max
                        ? "must be " + what + " from " + min + " to " + max + ", was '" + shown + "'" : null;
            case SECONDS:
                Duration d = (Duration) value;
                return d == null || d.isNegative() || d.getSeconds() > max
                        ? "must be a whole number of seconds from " + min + " to " + max + ", was '" + shown + "'"
                        : null;
            case BOOLEAN:
                return value == null ? "must be true or false, was '" + shown + "'" : null;
            case HOST:
                return hostProblem((String) value);
            case ORIGINS:
                return originsProblem(castList(value));
            case REDIS:
                return redisProblem((String) value);
            case KEYS:
                return keysProblem((String) value);
            case TEXT:
                return textProblem((String) value);
            case COOKIE:
                return cookieProblem((String) value);
            case FILE:
                return fileProblem((String) value);
            default:
                return null;
        }
    }

    /** The value as a message shows it: never a secret. */
    String show(Object value) {
        if (kind == Kind.SECRET) {
            return "(secret)";
        }
        if (value instanceof Duration) {
            Duration d = (Duration) value;
            return d.getNano() == 0 ? Long.toString(d.getSeconds()) : d.toString();
        }
        if (value instanceof List) {
            return String.join(",", castList(value));
        }
        return kind == Kind.REDIS || kind == Kind.KEYS ? maskPassword(String.valueOf(value)) : String.valueOf(value);
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object value) {
        return (List<String>) value;
    }

    /** What is wrong with a file setting's path, or null: empty means none, else a readable regular file. */
    private static String fileProblem(String path) {
        if (path.isEmpty()) {
            return null;
        }
        Path file;
        try {
            file = Path.of(path);
        } catch (InvalidPathException e) {
            return "must be the path of a readable file, was '" + path + "', which is not a valid path";
        }
        if (!Files.isRegularFile(file)) {
            return "must be the path of a readable file, was '" + path + "', "
                    + (Files.exists(file) ? "which is not a regular file" : "which does not exist");
        }
        return Files.isReadable(file) ? null
                : "must be the path of a readable file, was '" + path + "', which this process may not read";
    }

    private static String hostProblem(String host) {
        if (host.isBlank()) {
            return "must be a host name or IP address, was '" + host + "'";
        }
        try {
            InetAddress.getByName(host);
            return null;
        } catch (UnknownHostException e) {
            return "must be a host name or IP address of this machine, was '" + host + "', which does not resolve";
        }
    }

    private static String originsProblem(List<String> origins) {
        if (origins.isEmpty()) {
            return "must name at least one origin, or '*'";
        }
        for (String o : origins) {
            if (o.isEmpty() || o.chars().anyMatch(c -> c <= ' ' || c == ',' || c > '~')) {
                return "must each be '*' or an origin such as 'https://example.com', was '" + o + "'";
            }
        }
        if (origins.size() > 1 && origins.contains("*")) {
            return "must be '*' alone: '*' allows any origin and cannot be combined with others, was '"
                    + String.join(",", origins) + "'";
        }
        return null;
    }

    /** Longest issuer or audience accepted, in characters. */
    static final int MAX_TEXT = 1024;

    /**
     * What is wrong with a key source, or null: empty (none), an {@code https://} or {@code http://} URL with a
     * host, or the path of a readable file. A URL's user and password are masked in the message.
     */
    static String keysProblem(String value) {
        if (value.isEmpty()) {
            return null;
        }
        String form = "must be an https:// or http:// URL of a JWK Set, or the path of a JWK Set or PEM public key "
                + "file, was '" + maskPassword(value) + "'";
        if (value.isBlank() || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return form;
        }
        String lower = value.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://") || lower.startsWith("http://")) {
            try {
                URI uri = new URI(value);
                if (uri.getHost() == null || uri.getRawFragment() != null) {
                    return form + " (a URL needs a host and no #fragment)";
                }
                return null;
            } catch (URISyntaxException e) {
                return form + " (not a valid URL)";
            }
        }
        if (SCHEME.matcher(value).lookingAt()) {
            return form;
        }
        try {
            Path file = Path.of(value);
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                return form + ", which is not a readable file";
            }
            return null;
        } catch (InvalidPathException e) {
            return form;
        }
    }

    /** A URL scheme (two letters or more, so a Windows drive letter is not one). */
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:");

    /** What is wrong with an issuer or audience, or null: at most {@link #MAX_TEXT} characters, no control character. */
    static String textProblem(String value) {
        if (value.length() > MAX_TEXT || value.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "must be at most " + MAX_TEXT + " characters and hold no control character, was '"
                    + (value.length() > 64 ? value.substring(0, 64) + "..." : value).replaceAll("\\p{Cntrl}", "?")
                    + "'";
        }
        return null;
    }

    /** What is wrong with a cookie name, or null: 1-64 characters of an HTTP token (RFC 6265, RFC 9110). */
    static String cookieProblem(String value) {
        if (value.isEmpty() || value.length() > 64 || !value.chars().allMatch(Setting::isTokenChar)) {
            return "must be a cookie name: 1 to 64 letters, digits or !#$%&'*+-.^_`|~, was '"
                    + value.replaceAll("\\p{Cntrl}", "?") + "'";
        }
        return null;
    }

    private static boolean isTokenChar(int c) {
        return c < 0x7f && (Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~".indexOf(c) >= 0);
    }

    /**
     * What is wrong with a Redis URI ({@code redis[s]://[[user]:password@]host[:port][/db]}), or null; the
     * message shows the URI with its user and password masked.
     */
    static String redisProblem(String uri) {
        if (uri.isEmpty()) {
            return null;
        }
        String form = "must be a URI such as redis://127.0.0.1:6379 or rediss://:password@host:6380/0, was '"
                + maskPassword(uri) + "'";
        Matcher m = REDIS_URI.matcher(uri);
        if (!m.matches()) {
            return form;
        }
        String port = m.group(2);
        if (port != null && (port.isEmpty() || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535)) {
            return form + " (the port must be from 1 to 65535)";
        }
        return null;
    }

    /** scheme, the user info up to the last {@code @} (no {@code /}: percent-encode it), a host name or bracketed IPv6 literal, a port, a db. */
    private static final Pattern REDIS_URI = Pattern.compile(
            "rediss?://(?:[^/]*@)?([A-Za-z0-9._-]+|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{0,5}))?(?:/\\d*)?");

    /**
     * A Redis URI with everything before the host's last {@code @} masked: {@code redis://user:pw@host} as
     * {@code redis://***@host}, whatever characters the password holds ({@code /}, {@code :}, {@code @}).
     */
    static String maskPassword(String uri) {
        int at = uri.lastIndexOf('@');
        if (at < 0) {
            return uri;
        }
        int scheme = uri.indexOf("://");
        int start = scheme >= 0 && scheme < at ? scheme + 3 : 0;
        return uri.substring(0, start) + "***" + uri.substring(at);
    }
}
