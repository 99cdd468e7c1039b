package dev.esper.http;

import dev.esper.EsperException;
import dev.esper.auth.AccessPolicy;
import dev.esper.auth.AuthenticationException;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.internal.Json;
import dev.esper.topic.InvalidTopicIdException;
import dev.esper.topic.TopicId;
import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * What {@link HttpApi} makes of a request before its body is read or its stream opened (SPEC 2, 3, 5, 7):
 * the route, and either the go-ahead or the error to answer.
 *
 * <p>{@code GET /health/live} and {@code GET /health/ready} need no token; {@code GET /metrics}, a route only
 * where the API serves metrics, is protected like {@code /stats} (the publisher side).
 *
 * <p>The checks run in this order, the first failing one answering: route ({@code 404}), method
 * ({@code 405} with {@code Allow}; {@code OPTIONS} is a CORS preflight, answered {@code 204} before any token
 * check), topic id ({@code 400}; for {@code GET /subscribe?topic=…&topic=…}, each id and their number, SPEC 8),
 * token ({@code 401} with {@code WWW-Authenticate}, or {@code 403}). The token comes from the
 * {@code Authorization: Bearer} header, or, only when there is no such header, from the token cookie (subscribe
 * only) or else the {@code token} query parameter ({@link BearerToken}). Everything but the token check is
 * decided on the calling thread; so is the token check when the verifier has its key at hand (the common case),
 * else the decision is {@link Action#PENDING} and completes when the verifier has fetched the key, without
 * holding the calling thread. An open side (see
 * {@link AccessPolicy#isProtected}) reads no credentials:
 * whatever {@code Authorization} header or {@code token} parameter a request carries, it is admitted.
 *
 * <p>Immutable and thread-safe.
 */
final class Admission {
    /** What to do with the request. */
    public enum Action {
        /** Open a stream on {@link #topic()}, or on {@link #topics()} when that is not null. */
        SUBSCRIBE,
        /** Read the body and publish it to {@link #topic()}. */
        PUBLISH,
        /** Answer the broker's statistics. */
        STATS,
        /** Answer the metrics ({@code GET /metrics}, when the API serves them). */
        METRICS,
        /** Answer that the process serves requests ({@code GET /health/live}). */
        LIVE,
        /** Answer whether the broker should get traffic ({@code GET /health/ready}). */
        READY,
        /** Answer {@code 204} with {@link #headers()}: a CORS preflight. */
        PREFLIGHT,
        /** Answer {@link #status()} with {@link #headers()} and {@link #body()}. */
        REJECT,
        /**
         * Wait for {@link #later()}: the token's verifier is fetching a key (the JWK Set read again for an unknown
         * {@code kid}); the decision then is never {@code PENDING}.
         */
        PENDING
    }

    /** The request headers a browser may send cross-origin. */
    static final String PREFLIGHT_HEADERS = "Authorization, Content-Type, Last-Event-ID, Idempotency-Key";
    private static final String ROUTES = "use GET /subscribe/{topic}, GET /subscribe?topic={topic}&topic=..., "
            + "POST /publish/{topic} or GET /stats";
    private static final String SUBSCRIBE_PREFIX = "/subscribe/";
    private static final String SUBSCRIBE_TOPICS_PATH = "/subscribe";
    private static final String PUBLISH_PREFIX = "/publish/";
    private static final System.Logger LOG = System.getLogger(HttpApi.class.getName());

    private final Action action;
    private final TopicId topic;
    private final List<TopicId> topics;
    private final int status;
    private final String reason;
    private final Map<String, String> headers;

    /** The decision, once the token check completes; null unless {@link Action#PENDING}. */
    private final CompletionStage<Admission> later;

    private Admission(Action action, TopicId topic, List<TopicId> topics, int status, String reason,
            Map<String, String> headers) {
        this.action = action;
        this.topic = topic;
        this.topics = topics;
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.later = null;
    }

    /** A decision that waits for the token check. */
    private Admission(CompletionStage<Admission> later) {
        this.action = Action.PENDING;
        this.topic = null;
        this.topics = null;
        this.status = 0;
        this.reason = null;
        this.headers = Map.of();
        this.later = later;
    }

    /** The default of the max-stream-topics setting. */
    static final int DEFAULT_MAX_STREAM_TOPICS = 32;

    /** Decides a request that carries no cookie, with the default token sources, limits and no metrics route. */
    static Admission decide(String method, String path, String authorization, String rawQuery,
            AccessPolicy policy) {
        return decide(method, path, authorization, null, rawQuery, policy, BearerToken.Sources.DEFAULT, false,
                DEFAULT_MAX_STREAM_TOPICS);
    }

    /** As {@link #decide(String, String, String, String, AccessPolicy)}, with this stream-topics limit. */
    static Admission decide(String method, String path, String authorization, String rawQuery,
            AccessPolicy policy, int maxStreamTopics) {
        return decide(method, path, authorization, null, rawQuery, policy, BearerToken.Sources.DEFAULT, false,
                maxStreamTopics);
    }

    /** As {@link #decide(String, String, String, String, AccessPolicy)}, {@code /metrics} a route if asked. */
    static Admission decide(String method, String path, String authorization, String rawQuery,
            AccessPolicy policy, boolean metrics) {
        return decide(method, path, authorization, null, rawQuery, policy, BearerToken.Sources.DEFAULT, metrics,
                DEFAULT_MAX_STREAM_TOPICS);
    }

    /** As the full form, with the default limits and no metrics route. */
    static Admission decide(String method, String path, String authorization, String cookies, String rawQuery,
            AccessPolicy policy, BearerToken.Sources sources) {
        return decide(method, path, authorization, cookies, rawQuery, policy, sources, false,
                DEFAULT_MAX_STREAM_TOPICS);
    }

    /**
     * Decides a request.
     *
     * @param method the request method, e.g. {@code GET}
     * @param path the decoded path relative to where the API is mounted, e.g. {@code /subscribe/abcdef123}
     *     (a servlet's {@code getPathInfo()}); null counts as an unknown route
     * @param authorization the {@code Authorization} header, or null
     * @param cookies the {@code Cookie} header, or null
     * @param rawQuery the raw (undecoded) query string, or null
     * @param policy who may do what
     * @param sources the token cookie's name and whether tokens in the query are read
     * @param metrics whether the API serves {@code GET /metrics} (else that path is an unknown route)
     * @param maxStreamTopics the most topics one stream may follow ({@code GET /subscribe?topic=…})
     * @return the decision; never null
     */
    static Admission decide(String method, String path, String authorization, String cookies, String rawQuery,
            AccessPolicy policy, BearerToken.Sources sources, boolean metrics, int maxStreamTopics) {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(sources, "sources");
        Kind kind = Kind.of(path);
        if (kind == Kind.METRICS && !metrics) {
            kind = null;
        }
        if (kind == null) {
            return reject(404, "no such route; " + ROUTES, Map.of());
        }
        boolean preflight = "OPTIONS".equals(method);
        if (!preflight && !kind.method.equals(method)) {
            return reject(405, "method " + printable(method) + " is not allowed here; allowed: " + kind.allow(),
                    Map.of("Allow", kind.allow()));
        }
        TopicId topic = null;
        List<TopicId> topics = null;
        if (kind == Kind.SUBSCRIBE_TOPICS) {
            List<String> asked = queryParams(rawQuery, "topic");
            if (asked.isEmpty()) {
                return reject(400, "GET /subscribe needs at least one topic: /subscribe?topic=<id>&topic=<id>... "
                        + "(or GET /subscribe/{topic})", Map.of());
            }
            Set<TopicId> distinct = new LinkedHashSet<>();
            for (String raw : asked) {
                try {
                    distinct.add(TopicId.of(raw));
                } catch (InvalidTopicIdException e) {
                    return reject(400, e.reason(), Map.of());
                }
            }
            if (distinct.size() > maxStreamTopics) {
                return reject(400, Broker.tooManyTopics(maxStreamTopics, distinct.size()), Map.of());
            }
            topics = List.copyOf(distinct);
        } else if (kind.prefixLength > 0) {
            try {
                topic = TopicId.of(path.substring(kind.prefixLength));
            } catch (InvalidTopicIdException e) {
                return reject(400, e.reason(), Map.of());
            }
        }
        if (preflight) {
            Map<String, String> h = new LinkedHashMap<>();
            h.put("Allow", kind.allow());
            h.put("Access-Control-Allow-Methods", kind.allow());
            h.put("Access-Control-Allow-Headers", PREFLIGHT_HEADERS);
            h.put("Access-Control-Max-Age", "600");
            return new Admission(Action.PREFLIGHT, topic, topics, 204, null, Map.copyOf(h));
        }
        if (kind == Kind.LIVE || kind == Kind.READY) {
            // Probes carry no credentials: whatever a request holds, health is answered.
            return new Admission(kind == Kind.LIVE ? Action.LIVE : Action.READY, null, null, 200, null, Map.of());
        }
        Side side = kind == Kind.SUBSCRIBE || kind == Kind.SUBSCRIBE_TOPICS ? Side.SUBSCRIBER : Side.PUBLISHER;
        Admission admitted = kind == Kind.SUBSCRIBE ? new Admission(Action.SUBSCRIBE, topic, null, 200, null, Map.of())
                : kind == Kind.SUBSCRIBE_TOPICS ? new Admission(Action.SUBSCRIBE, null, topics, 200, null, Map.of())
                : kind == Kind.PUBLISH ? new Admission(Action.PUBLISH, topic, null, 200, null, Map.of())
                : new Admission(kind == Kind.METRICS ? Action.METRICS : Action.STATS, null, null, 200, null, Map.of());
        // An open side admits anyone, so it does not read credentials at all: a header meant for a proxy in
        // front (Basic auth, say) or a stale token is no reason to refuse.
        if (!policy.isProtected(side)) {
            return admitted;
        }
        boolean subscribe = side == Side.SUBSCRIBER;
        CompletableFuture<Void> check;
        try {
            String token = BearerToken.read(subscribe, authorization, cookies, rawQuery, sources);
            if (token == null) {
                throw new AuthenticationException("a token is required: send "
                        + BearerToken.howToSend(subscribe, sources), false);
            }
            switch (kind) {
                case SUBSCRIBE:
                    check = policy.checkSubscribeAsync(List.of(topic), token).toCompletableFuture();
                    break;
                case SUBSCRIBE_TOPICS:
                    check = policy.checkSubscribeAsync(topics, token).toCompletableFuture();
                    break;
                case PUBLISH:
                    check = policy.checkPublishAsync(topic, token).toCompletableFuture();
                    break;
                default:
                    check = policy.checkStatsAsync(token).toCompletableFuture();
            }
        } catch (RuntimeException e) {
            return refused(e);
        }
        if (check.isDone()) {
            // The common case (a key at hand): decided on this thread, no stage to wait on.
            try {
                check.join();
                return admitted;
            } catch (CompletionException | CancellationException e) {
                return refused(e);
            }
        }
        return new Admission(check.handle((ignored, failure) -> failure == null ? admitted : refused(failure)));
    }

    /** The answer to a failed token check: {@code 401} with a challenge, the status of another refusal. */
    private static Admission refused(Throwable failure) {
        Throwable cause = EsperException.unwrap(failure);
        if (cause instanceof AuthenticationException) {
            AuthenticationException e = (AuthenticationException) cause;
            return reject(401, e.reason(), Map.of("WWW-Authenticate", e.challenge()));
        }
        if (cause instanceof EsperException) {
            EsperException e = (EsperException) cause;
            return reject(e.status(), e.reason(), Map.of());
        }
        LOG.log(Level.WARNING, "checking a token failed: " + cause);
        return reject(500, "checking the token failed inside the server", Map.of());
    }

    private static Admission reject(int status, String reason, Map<String, String> headers) {
        return new Admission(Action.REJECT, null, null, status, reason, headers);
    }

    /**
     * The decision of a {@link Action#PENDING} admission: completes (never exceptionally) on the thread that
     * completes the token check; null for every other action.
     */
    public CompletionStage<Admission> later() {
        return later;
    }

    /** What to do. */
    public Action action() {
        return action;
    }

    /** The validated topic of a subscribe or publish (also of their preflight); null otherwise. */
    public TopicId topic() {
        return topic;
    }

    /**
     * The validated topics of {@code GET /subscribe?topic=…&topic=…} (also of its preflight), distinct, in the order
     * asked; null for every other request.
     */
    public List<TopicId> topics() {
        return topics;
    }

    /** The status to answer with: the error's for {@link Action#REJECT}, 204 for a preflight, else 200. */
    public int status() {
        return status;
    }

    /** Why the request was rejected (one line, never a token); null unless {@link Action#REJECT}. */
    public String reason() {
        return reason;
    }

    /**
     * Headers the answer must carry ({@code Allow}, {@code WWW-Authenticate}, the preflight's
     * {@code Access-Control-*}); CORS origin headers are separate ({@link #allowOrigin}). Unmodifiable.
     */
    public Map<String, String> headers() {
        return headers;
    }

    /** The JSON body of a rejection, {@code {"error":"<reason>"}}; null unless {@link Action#REJECT}. */
    public String body() {
        return reason == null ? null : Json.error(reason);
    }

    /**
     * Whether a path is a subscribe route ({@code /subscribe/...} or {@code /subscribe}), whose answers may allow
     * credentials (SPEC 9.3), whatever their outcome.
     *
     * @param path the decoded path, or null
     */
    static boolean isSubscribeRoute(String path) {
        return path != null && (path.startsWith(SUBSCRIBE_PREFIX) || path.equals("/subscribe"));
    }

    /**
     * The {@code Access-Control-Allow-Origin} value for a request from {@code origin} (SPEC 5, 7): {@code *}
     * when every origin is allowed, the origin itself when it is listed (ASCII case ignored), else null
     * (no header). Unless every origin is allowed, the answer also needs {@code Vary: Origin}.
     *
     * @param allowed the configured origins; {@code *} allows all
     * @param origin the request's {@code Origin} header, or null
     * @return the header value, or null for none
     */
    static String allowOrigin(List<String> allowed, String origin) {
        if (allowed.contains("*")) {
            return "*";
        }
        if (origin == null) {
            return null;
        }
        for (String a : allowed) {
            if (equalsIgnoreAsciiCase(a, origin)) {
                return origin;
            }
        }
        return null;
    }

    /** Equal ignoring ASCII case only (no Unicode folding: the Kelvin sign is not a 'k'). */
    private static boolean equalsIgnoreAsciiCase(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y && (x > 0x7f || y > 0x7f || Character.toLowerCase(x) != Character.toLowerCase(y))) {
                return false;
            }
        }
        return true;
    }

    /**
     * The resume point of a subscribe: the {@code Last-Event-ID} header, or when it is absent or empty the
     * {@code lastEventId} query parameter (what a browser sends on its first connect); null for none.
     *
     * @param header the {@code Last-Event-ID} header, or null
     * @param rawQuery the raw query string, or null
     * @return the id to resume after, or null
     */
    static String lastEventId(String header, String rawQuery) {
        if (header != null && !header.isEmpty()) {
            return header;
        }
        String q = queryParam(rawQuery, "lastEventId");
        return q == null || q.isEmpty() ? null : q;
    }

    /**
     * The first value of a query parameter, decoded as a URL query ({@code +} is a space); a malformed escape
     * leaves the value undecoded. Parsed from the raw query so a container never reads (and form-decodes) a
     * POST body to find it.
     *
     * @param rawQuery the raw query string, or null
     * @param name the parameter name
     * @return the value ({@code ""} for a bare name), or null if absent
     */
    static String queryParam(String rawQuery, String name) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (name.equals(key)) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    /**
     * Every value of a query parameter, in order, decoded as {@link #queryParam} decodes one.
     *
     * @param rawQuery the raw query string, or null
     * @param name the parameter name
     * @return the values ({@code ""} for a bare name); empty if absent
     */
    static List<String> queryParams(String rawQuery, String name) {
        List<String> values = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (name.equals(decode(eq < 0 ? pair : pair.substring(0, eq)))) {
                values.add(eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        return values;
    }

    /**
     * A request path as a container would decode it: percent escapes as UTF-8 bytes. A path that does not decode
     * (a bad escape, bytes that are not UTF-8) is kept as it is, so its topic, holding a {@code %}, is invalid
     * and answered {@code 400} by the topic rule rather than by the container; {@code %25} and {@code %00} decode
     * to {@code %} and NUL, which no topic id holds either.
     *
     * @param raw the raw path, or null
     * @return the decoded path, or null for null
     */
    static String decodePath(String raw) {
        if (raw == null || raw.indexOf('%') < 0) {
            return raw;
        }
        byte[] out = new byte[raw.length()];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return raw;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return raw;
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else if (c < 0x80) {
                out[n++] = (byte) c;
            } else {
                return raw;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(out, 0, n)).toString();
        } catch (CharacterCodingException e) {
            return raw;
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** A method name for a message: short and printable, else a placeholder. */
    private static String printable(String method) {
        if (method != null && method.length() <= 24 && method.chars().allMatch(ch -> ch > 0x20 && ch < 0x7f)) {
            return "'" + method + "'";
        }
        return "(unrecognised)";
    }

    @Override
    public String toString() {
        return action == Action.REJECT ? "Admission[REJECT " + status + ": " + reason + "]"
                : "Admission[" + action + (topic == null ? "" : " " + topic) + (topics == null ? "" : " " + topics) + "]";
    }

    /** The routes and the one method each serves. */
    private enum Kind {
        SUBSCRIBE("GET", SUBSCRIBE_PREFIX.length()),
        /** {@code GET /subscribe?topic=…&topic=…}: the topics are in the query. */
        SUBSCRIBE_TOPICS("GET", 0),
        PUBLISH("POST", PUBLISH_PREFIX.length()),
        STATS("GET", 0),
        METRICS("GET", 0),
        LIVE("GET", 0),
        READY("GET", 0);

        final String method;
        final int prefixLength;

        Kind(String method, int prefixLength) {
            this.method = method;
            this.prefixLength = prefixLength;
        }

        /**
         * The route of a path, or null. Everything after {@code /subscribe/} or {@code /publish/} is the topic
         * segment, validated later; so {@code /subscribe/a/b} is a known route with an invalid topic (400).
         * {@code /subscribe} itself takes its topics from the query.
         */
        static Kind of(String path) {
            if (path == null) {
                return null;
            }
            if (path.startsWith(SUBSCRIBE_PREFIX)) {
                return SUBSCRIBE;
            }
            if (path.equals(SUBSCRIBE_TOPICS_PATH)) {
                return SUBSCRIBE_TOPICS;
            }
            if (path.startsWith(PUBLISH_PREFIX)) {
                return PUBLISH;
            }
            switch (path) {
                case "/stats":
                    return STATS;
                case "/metrics":
                    return METRICS;
                case "/health/live":
                    return LIVE;
                case "/health/ready":
                    return READY;
                default:
                    return null;
            }
        }

        String allow() {
            return method + ", OPTIONS";
        }
    }
}
