package dev.esper.http;

import dev.esper.EsperException;
import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.broker.Health;
import dev.esper.internal.Json;
import dev.esper.config.EsperConfig;
import dev.esper.topic.TopicId;
import java.lang.System.Logger.Level;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * esper's HTTP API, written once for every front end: it decides everything a request means (route, method,
 * topic, token, body, resume) and everything its answer says (status, headers, body, when to close the
 * connection, when to start a stream), and a front end only carries bytes and callbacks through an
 * {@link Exchange}. The servlet and the standalone server's Jetty handler are such front ends; another server
 * needs only its own {@code Exchange}.
 *
 * <p>Routes, relative to where the API is mounted: {@code GET /subscribe/{topic}} (an event stream),
 * {@code GET /subscribe?topic=a&topic=b} (one event stream of several topics, each event's id
 * {@code <topic>:<cursor>}, SPEC 8),
 * {@code POST /publish/{topic}} (a body in the {@code text/event-stream} format, answered with JSON),
 * {@code GET /stats}, {@code GET /health/live} and {@code GET /health/ready} (SPEC 10: no token; readiness is
 * {@link Broker#health()}, {@code 503} when down), {@code GET /metrics} when the API was given a
 * {@link MetricsRenderer} ({@link #withMetrics}; protected like {@code /stats}), and {@code OPTIONS} on those
 * (a CORS preflight). A publish may carry an
 * {@code Idempotency-Key} header: a repeat with the same key within the retention window answers like the first
 * and publishes nothing ({@link Broker#publishAsync(TopicId, java.util.List, String)}). Checks run in this order, the first
 * failing one answering: route ({@code 404}), method ({@code 405}), topic id ({@code 400}), token
 * ({@code 401}/{@code 403}), body ({@code 413}/{@code 400}/{@code 408}), limits ({@code 503}). Every error is a
 * short JSON body {@code {"error":"..."}} with the CORS headers; an error given before a request body was read
 * closes the connection, so that the unread body is never taken for the next request. Every error answer is
 * counted with {@link Broker#recordRejected} (a readiness {@code 503} is an answer, not a refusal).
 *
 * <p>Nothing here blocks or holds a thread: bodies are read as they arrive, publishes and subscribes complete
 * asynchronously (a cross-node transport may take a moment), and streams are written as the client takes them.
 *
 * <p>Immutable and thread-safe: one instance serves every request.
 */
public final class HttpApi {
    /** The media type of every JSON answer. */
    public static final String JSON = "application/json; charset=utf-8";
    /** The media type of an event stream. */
    static final String EVENT_STREAM = "text/event-stream; charset=utf-8";
    /** How long a client may take to send a publish body once it has started, in milliseconds. */
    static final long BODY_TIMEOUT_MILLIS = 30_000;
    private static final System.Logger LOG = System.getLogger(HttpApi.class.getName());
    /** The body of {@code GET /health/live}. */
    private static final String LIVE = Health.up().toJson();

    private final Broker broker;
    private final AccessPolicy policy;
    private final int maxBody;
    private final int maxStreamTopics;
    private final List<String> corsOrigins;
    private final BearerToken.Sources tokenSources;
    /** Renders {@code GET /metrics}, or null when the API serves no metrics. */
    private final MetricsRenderer metrics;

    private HttpApi(Broker broker, AccessPolicy policy, int maxBody, int maxStreamTopics, List<String> corsOrigins,
            BearerToken.Sources tokenSources, MetricsRenderer metrics) {
        this.broker = broker;
        this.policy = policy;
        this.maxBody = maxBody;
        this.maxStreamTopics = maxStreamTopics;
        this.corsOrigins = corsOrigins;
        this.tokenSources = tokenSources;
        this.metrics = metrics;
    }

    /**
     * The API over a broker.
     *
     * @param broker the broker to serve; the caller owns it (closes it)
     * @param config the settings the API applies: the largest publish body ({@link EsperConfig#maxBody()}), the
     *     most topics on one stream ({@link EsperConfig#maxStreamTopics()}), the CORS origins
     *     ({@link EsperConfig#corsOrigins()}), the token cookie ({@link EsperConfig#tokenCookie()}) and whether
     *     tokens in URLs are refused ({@link EsperConfig#noQueryToken()}); the broker's own settings are the
     *     broker's
     * @param policy who may subscribe, publish and read stats (for example
     *     {@code JwtVerifier.accessPolicy(config)} from esper-jwt, or {@link AccessPolicy#openToAll()})
     * @return the API
     */
    public static HttpApi create(Broker broker, EsperConfig config, AccessPolicy policy) {
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(policy, "policy");
        return new HttpApi(broker, policy, config.maxBody(), config.maxStreamTopics(), config.corsOrigins(),
                new BearerToken.Sources(config.tokenCookie(), !config.noQueryToken()), null);
    }

    /**
     * This API, also serving {@code GET /metrics} with {@code renderer} (protected like {@code /stats}); without
     * one, {@code /metrics} is an unknown route ({@code 404}).
     *
     * @param renderer renders each scrape; not null
     * @return a new API; this one is unchanged
     */
    public HttpApi withMetrics(MetricsRenderer renderer) {
        return new HttpApi(broker, policy, maxBody, maxStreamTopics, corsOrigins, tokenSources,
                Objects.requireNonNull(renderer, "renderer"));
    }

    /** The broker served. */
    public Broker broker() {
        return broker;
    }

    /** Who may do what. */
    public AccessPolicy accessPolicy() {
        return policy;
    }

    /** The largest publish body, in bytes. */
    public int maxBody() {
        return maxBody;
    }

    /** The allowed CORS origins, unmodifiable. */
    public List<String> corsOrigins() {
        return corsOrigins;
    }

    /**
     * Serves one request: answers it through {@code exchange} now or later, or opens its stream. Never throws
     * for anything a client sends, and never waits: when the token's verifier must first fetch a key, the request
     * goes on from the thread that completes the fetch.
     *
     * @param exchange the request and its response
     */
    public void handle(Exchange exchange) {
        String path = Admission.decodePath(exchange.rawPath());
        Cors cors = new Cors(Admission.allowOrigin(corsOrigins, exchange.header("Origin")),
                Admission.isSubscribeRoute(path));
        String query = exchange.rawQuery();
        Admission a = Admission.decide(exchange.method(), path, exchange.header("Authorization"),
                cookies(exchange), query, policy, tokenSources, metrics != null, maxStreamTopics);
        if (a.action() == Admission.Action.PENDING) {
            // The verifier is fetching a key: go on, on its thread, once it has; this thread returns now.
            a.later().whenComplete((decided, failure) -> {
                try {
                    if (failure == null) {
                        proceed(exchange, cors, decided, query);
                    } else {
                        respond(exchange, error(cors.answer(500), "checking the token failed inside the server",
                                hasBody(exchange)));
                    }
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "answering a request after its token check failed: " + e);
                }
            });
            return;
        }
        proceed(exchange, cors, a, query);
    }

    /** Carries out a decision that is not {@link Admission.Action#PENDING}. */
    private void proceed(Exchange exchange, Cors cors, Admission a, String query) {
        switch (a.action()) {
            case SUBSCRIBE:
                subscribe(exchange, cors, a, Admission.lastEventId(exchange.header("Last-Event-ID"), query));
                break;
            case PUBLISH:
                publish(exchange, cors, a.topic());
                break;
            case STATS:
                exchange.respond(cors.answer(200).header("Cache-Control", "no-store").json(statsJson()).build());
                break;
            case METRICS:
                metrics(exchange, cors);
                break;
            case LIVE:
                exchange.respond(cors.answer(200).header("Cache-Control", "no-store").json(LIVE).build());
                break;
            case READY:
                Health health = broker.health();
                exchange.respond(cors.answer(health.isUp() ? 200 : 503).header("Cache-Control", "no-store")
                        .json(health.toJson()).build());
                break;
            case PREFLIGHT:
                Answer.Builder preflight = cors.answer(a.status());
                a.headers().forEach(preflight::header);
                exchange.respond(preflight.build());
                break;
            default:
                Answer.Builder reject = cors.answer(a.status());
                a.headers().forEach(reject::header);
                respond(exchange, error(reject, a.reason(), hasBody(exchange)));
        }
    }

    /**
     * The request's cookies as one {@code Cookie} header: several fields (as HTTP/2 clients send them) joined with
     * {@code "; "}, as RFC 9113 section 8.2.3 says to; null without any.
     */
    static String cookies(Exchange exchange) {
        List<String> fields = exchange.headers("Cookie");
        return fields.isEmpty() ? null : fields.size() == 1 ? fields.get(0) : String.join("; ", fields);
    }

    /**
     * The body of {@code GET /stats}: the broker's counters, and under {@code "auth"} the state each protected
     * side's verifier reports ({@link dev.esper.auth.TokenVerifier#status()}), when one reports anything.
     */
    String statsJson() {
        String json = broker.stats().toJson();
        Map<String, Object> auth = new LinkedHashMap<>();
        for (Side side : Side.values()) {
            Map<String, Object> status = policy.verifier(side).map(v -> v.status()).orElse(Map.of());
            if (!status.isEmpty()) {
                auth.put(side.name().toLowerCase(Locale.ROOT), status);
            }
        }
        if (auth.isEmpty()) {
            return json;
        }
        StringBuilder sb = new StringBuilder(json.length() + 256).append(json, 0, json.length() - 1)
                .append(",\"auth\":");
        Json.value(sb, auth);
        return sb.append('}').toString();
    }

    /**
     * Sends an answer, counting it with {@link Broker#recordRejected} when it is an error: every answer of the
     * API but those of the health routes goes through here.
     */
    void respond(Exchange exchange, Answer answer) {
        if (answer.status() >= 400) {
            broker.recordRejected(answer.status());
        }
        exchange.respond(answer);
    }

    private void metrics(Exchange exchange, Cors cors) {
        MetricsRenderer.Rendered rendered;
        try {
            rendered = metrics.render(exchange.header("Accept"));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "rendering the metrics failed: " + e);
            respond(exchange, error(cors.answer(500), "rendering the metrics failed inside the server", false));
            return;
        }
        exchange.respond(cors.answer(200).header("Cache-Control", "no-store")
                .body(rendered.contentType(), rendered.body()).build());
    }

    /**
     * The answer to a request the API could not be asked about (a front end that is not ready): an error with
     * no CORS headers.
     *
     * @param status the status
     * @param reason the one-line reason (never a token)
     * @return the answer, closing the connection
     */
    public static Answer failure(int status, String reason) {
        return error(new Answer.Builder(status), reason, true);
    }

    /** A stream of {@link Admission#topic()}, or of {@link Admission#topics()} (with cursor ids, SPEC 8). */
    private void subscribe(Exchange exchange, Cors cors, Admission a, String lastEventId) {
        Answer head = cors.answer(200)
                .header("Content-Type", EVENT_STREAM)
                .header("Cache-Control", "no-cache")
                .header("X-Accel-Buffering", "no")
                .close()
                .build();
        // For the log; short, as an open stream keeps it.
        String what = a.topics() == null ? a.topic().value() : a.topics().size() == 1 ? a.topics().get(0).value()
                : a.topics().get(0).value() + " and " + (a.topics().size() - 1) + " more topics";
        SubscriberStream stream = new SubscriberStream(exchange, what, head);
        // Complete at once with the local transport; with a cross-node transport, once this node follows the
        // topics, on the transport's thread: nothing waits.
        CompletionStage<Void> subscribed;
        try {
            subscribed = a.topics() == null ? broker.subscribeAsync(a.topic(), lastEventId, stream)
                    : broker.subscribeAsync(a.topics(), lastEventId, stream);
        } catch (IllegalArgumentException e) {
            // The broker's own stream-topics limit is lower than this API's.
            exchange.respond(error(cors.answer(400), e.getMessage(), hasBody(exchange)));
            return;
        }
        subscribed.whenComplete((ignored, failure) -> {
            if (failure == null) {
                stream.open();
            } else {
                respond(exchange, failed(cors, "subscribe", what, failure, hasBody(exchange)));
            }
        });
    }

    private void publish(Exchange exchange, Cors cors, TopicId topic) {
        long length = contentLength(exchange);
        if (length > maxBody) {
            respond(exchange, error(cors.answer(413), Publishing.bodyTooLarge(maxBody), true));
            return;
        }
        String idempotencyKey = exchange.header("Idempotency-Key");
        if (idempotencyKey != null && !Broker.isValidIdempotencyKey(idempotencyKey)) {
            respond(exchange, error(cors.answer(400), Broker.IDEMPOTENCY_KEY_RULE, hasBody(exchange)));
            return;
        }
        new PublishExchange(this, exchange, cors, topic, length, idempotencyKey).start();
    }

    /** An error answer: {@code no-store}, the JSON body, and {@code Connection: close} when {@code close}. */
    static Answer error(Answer.Builder b, String reason, boolean close) {
        if (close) {
            b.close();
        }
        return b.header("Cache-Control", "no-store").json(Json.error(reason)).build();
    }

    /**
     * The error answer to a failed broker call: the status and reason an {@link EsperException} carries (a full
     * broker, a transport that is down, a body the parser refused), else a {@code 500} that names no internals
     * (the cause is logged).
     *
     * @param action {@code publish} or {@code subscribe}
     */
    static Answer failed(Cors cors, String action, Object topic, Throwable failure, boolean close) {
        Throwable cause = EsperException.unwrap(failure);
        if (cause instanceof EsperException) {
            EsperException e = (EsperException) cause;
            return error(cors.answer(e.status()), e.reason(), close);
        }
        LOG.log(Level.WARNING, action + " to " + topic + " failed: " + cause);
        return error(cors.answer(500), action + " failed inside the server", close);
    }

    /** Whether a request body may still be on its way: an answer given before reading it must close. */
    static boolean hasBody(Exchange exchange) {
        return contentLength(exchange) > 0 || exchange.header("Transfer-Encoding") != null;
    }

    /** The declared {@code Content-Length}, or -1 when absent or not a number. */
    static long contentLength(Exchange exchange) {
        String v = exchange.header("Content-Length");
        if (v == null) {
            return -1;
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The CORS headers of one request's answers (SPEC 5, 7, 9.3): on every answer, errors included; on a subscribe
     * route from a listed origin (never with {@code *}) also {@code Access-Control-Allow-Credentials: true}, so a
     * page's {@code EventSource} with {@code withCredentials} may send the token cookie.
     */
    static final class Cors {
        private final String allowOrigin;
        private final boolean credentials;

        /** Headers allowing {@code allowOrigin} (null: none), without credentials. */
        Cors(String allowOrigin) {
            this(allowOrigin, false);
        }

        /** Headers allowing {@code allowOrigin}, with credentials on a subscribe route from a listed origin. */
        Cors(String allowOrigin, boolean subscribeRoute) {
            this.allowOrigin = allowOrigin;
            this.credentials = subscribeRoute && allowOrigin != null && !"*".equals(allowOrigin);
        }

        /** A builder for an answer with these CORS headers. */
        Answer.Builder answer(int status) {
            Answer.Builder b = new Answer.Builder(status);
            if (!"*".equals(allowOrigin)) {
                b.header("Vary", "Origin");
            }
            if (allowOrigin != null) {
                b.header("Access-Control-Allow-Origin", allowOrigin);
            }
            if (credentials) {
                b.header("Access-Control-Allow-Credentials", "true");
            }
            return b;
        }
    }
}
