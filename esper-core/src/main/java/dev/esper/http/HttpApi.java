package dev.esper.http;

import dev.esper.EsperException;
import dev.esper.auth.AccessPolicy;
import dev.esper.broker.Broker;
import dev.esper.internal.Json;
import dev.esper.config.EsperConfig;
import dev.esper.topic.TopicId;
import java.lang.System.Logger.Level;
import java.util.List;
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
 * {@code GET /stats}, and {@code OPTIONS} on those (a CORS preflight). A publish may carry an
 * {@code Idempotency-Key} header: a repeat with the same key within the retention window answers like the first
 * and publishes nothing ({@link Broker#publishAsync(TopicId, java.util.List, String)}). Checks run in this order, the first
 * failing one answering: route ({@code 404}), method ({@code 405}), topic id ({@code 400}), token
 * ({@code 401}/{@code 403}), body ({@code 413}/{@code 400}/{@code 408}), limits ({@code 503}). Every error is a
 * short JSON body {@code {"error":"..."}} with the CORS headers; an error given before a request body was read
 * closes the connection, so that the unread body is never taken for the next request.
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

    private final Broker broker;
    private final AccessPolicy policy;
    private final int maxBody;
    private final int maxStreamTopics;
    private final List<String> corsOrigins;

    private HttpApi(Broker broker, AccessPolicy policy, int maxBody, int maxStreamTopics, List<String> corsOrigins) {
        this.broker = broker;
        this.policy = policy;
        this.maxBody = maxBody;
        this.maxStreamTopics = maxStreamTopics;
        this.corsOrigins = corsOrigins;
    }

    /**
     * The API over a broker.
     *
     * @param broker the broker to serve; the caller owns it (closes it)
     * @param config the settings the API applies: the largest publish body ({@link EsperConfig#maxBody()}), the
     *     most topics on one stream ({@link EsperConfig#maxStreamTopics()}) and the CORS origins
     *     ({@link EsperConfig#corsOrigins()}); the broker's own settings are the broker's
     * @param policy who may subscribe, publish and read stats (for example
     *     {@code JwtVerifier.accessPolicy(config)} from esper-jwt, or {@link AccessPolicy#openToAll()})
     * @return the API
     */
    public static HttpApi create(Broker broker, EsperConfig config, AccessPolicy policy) {
        Objects.requireNonNull(broker, "broker");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(policy, "policy");
        return new HttpApi(broker, policy, config.maxBody(), config.maxStreamTopics(), config.corsOrigins());
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
     * for anything a client sends.
     *
     * @param exchange the request and its response
     */
    public void handle(Exchange exchange) {
        Cors cors = new Cors(Admission.allowOrigin(corsOrigins, exchange.header("Origin")));
        String query = exchange.rawQuery();
        Admission a = Admission.decide(exchange.method(), Admission.decodePath(exchange.rawPath()),
                exchange.header("Authorization"), query, policy, maxStreamTopics);
        switch (a.action()) {
            case SUBSCRIBE:
                subscribe(exchange, cors, a, Admission.lastEventId(exchange.header("Last-Event-ID"), query));
                break;
            case PUBLISH:
                publish(exchange, cors, a.topic());
                break;
            case STATS:
                exchange.respond(cors.answer(200).header("Cache-Control", "no-store")
                        .json(broker.stats().toJson()).build());
                break;
            case PREFLIGHT:
                Answer.Builder preflight = cors.answer(a.status());
                a.headers().forEach(preflight::header);
                exchange.respond(preflight.build());
                break;
            default:
                Answer.Builder reject = cors.answer(a.status());
                a.headers().forEach(reject::header);
                exchange.respond(error(reject, a.reason(), hasBody(exchange)));
        }
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
                exchange.respond(failed(cors, "subscribe", what, failure, hasBody(exchange)));
            }
        });
    }

    private void publish(Exchange exchange, Cors cors, TopicId topic) {
        long length = contentLength(exchange);
        if (length > maxBody) {
            exchange.respond(error(cors.answer(413), Publishing.bodyTooLarge(maxBody), true));
            return;
        }
        String idempotencyKey = exchange.header("Idempotency-Key");
        if (idempotencyKey != null && !Broker.isValidIdempotencyKey(idempotencyKey)) {
            exchange.respond(error(cors.answer(400), Broker.IDEMPOTENCY_KEY_RULE, hasBody(exchange)));
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

    /** The CORS headers of one request's answers (SPEC 5, 7): on every answer, errors included. */
    static final class Cors {
        private final String allowOrigin;

        Cors(String allowOrigin) {
            this.allowOrigin = allowOrigin;
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
            return b;
        }
    }
}
