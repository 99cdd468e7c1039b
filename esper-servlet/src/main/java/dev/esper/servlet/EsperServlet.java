package dev.esper.servlet;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.http.HttpApi;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;

/**
 * esper's HTTP API (SPEC 2, 3, 5) as one asynchronous, non-blocking Servlet 6 servlet. Map it at
 * {@code /*} (or {@code /some/prefix/*}); it serves, relative to that mapping:
 * <ul>
 *   <li>{@code GET /subscribe/{topic}}: an open {@code text/event-stream} (resume with
 *       {@code Last-Event-ID} or {@code ?lastEventId=});</li>
 *   <li>{@code POST /publish/{topic}}: a {@code text/event-stream} body, answered with JSON
 *       ({@code published}, {@code ids}, {@code subscribers});</li>
 *   <li>{@code GET /stats}: the broker's counters as JSON;</li>
 *   <li>{@code OPTIONS} on those routes: a CORS preflight, answered before any token check.</li>
 * </ul>
 * Anything else is {@code 404}; a wrong method {@code 405} with {@code Allow}. Checks run in SPEC order:
 * route, method, topic id ({@code 400}), token ({@code 401}/{@code 403}), body ({@code 413}/{@code 400}),
 * limits ({@code 503}). Every error is a short JSON body {@code {"error":"..."}} with CORS headers, never an
 * HTML page or a stack trace. Tokens are never logged, nor are request query strings.
 *
 * <p>No request holds a container thread while it waits, with one exception: over a broker with a cross-node
 * transport (esper-redis), the first subscriber of a topic on this node waits on its container thread, for a
 * bounded time, until the node follows the topic. (The standalone server's Jetty handler waits for that
 * without a thread, with {@code Broker.subscribeAsync}.)
 *
 * <h2>Two ways to configure</h2>
 * <ul>
 *   <li><b>Programmatic</b>: {@link #EsperServlet(Broker, EsperServletConfig)}; the caller owns the broker
 *       and closes it after the container stops.</li>
 *   <li><b>Declarative</b> ({@code web.xml}): {@link #EsperServlet()} reads these init parameters in
 *       {@link #init()} (each, when not set, falls back to the environment variable {@code ESPER_} + its
 *       name in upper snake case, e.g. {@code ESPER_SUBSCRIBER_SECRET}), builds its own broker and closes it
 *       in {@link #destroy()}:
 *       <table>
 *         <caption>init parameters</caption>
 *         <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *         <tr><td>{@code subscriberSecret}</td><td>unset: open</td><td>HMAC secret for {@code /subscribe}
 *             tokens (at least 32 bytes)</td></tr>
 *         <tr><td>{@code publisherSecret}</td><td>unset: open</td><td>HMAC secret for {@code /publish} and
 *             {@code /stats} tokens (at least 32 bytes)</td></tr>
 *         <tr><td>{@code noAuth}</td><td>{@code false}</td><td>{@code true} opens both sides whatever is
 *             set</td></tr>
 *         <tr><td>{@code clockSkew}</td><td>0</td><td>seconds of leeway for {@code exp}/{@code nbf}</td></tr>
 *         <tr><td>{@code maxBody}</td><td>65536</td><td>largest publish body, bytes</td></tr>
 *         <tr><td>{@code corsOrigins}</td><td>{@code *}</td><td>allowed origins, comma-separated</td></tr>
 *         <tr><td>{@code historySize}</td><td>100</td><td>events retained per topic (0: none)</td></tr>
 *         <tr><td>{@code historyTtl}</td><td>300</td><td>seconds a retained event is kept (0: no
 *             limit)</td></tr>
 *         <tr><td>{@code heartbeat}</td><td>15</td><td>idle seconds before a heartbeat comment (0:
 *             off)</td></tr>
 *         <tr><td>{@code subscriberBuffer}</td><td>1048576</td><td>unsent live bytes before a slow
 *             subscriber is dropped</td></tr>
 *         <tr><td>{@code maxTopics}</td><td>100000</td><td>topics held at once</td></tr>
 *         <tr><td>{@code maxSubscribers}</td><td>100000</td><td>open subscriber streams</td></tr>
 *       </table>
 *       A bad value makes {@link #init()} fail with an {@link UnavailableException} naming the parameter
 *       (never a secret's value).</li>
 * </ul>
 *
 * <p>Thread-safe; one instance serves all requests. Needs {@code <async-supported>true</async-supported>}
 * (set by {@code setAsyncSupported(true)} when registered programmatically).
 */
public final class EsperServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(EsperServlet.class.getName());

    /** Init parameter: events retained per topic. */
    public static final String PARAM_HISTORY_SIZE = "historySize";
    /** Init parameter: seconds a retained event is kept. */
    public static final String PARAM_HISTORY_TTL = "historyTtl";
    /** Init parameter: idle seconds before a heartbeat comment; 0 turns heartbeats off. */
    public static final String PARAM_HEARTBEAT = "heartbeat";
    /** Init parameter: unsent live bytes before a slow subscriber is dropped. */
    public static final String PARAM_SUBSCRIBER_BUFFER = "subscriberBuffer";
    /** Init parameter: topics held at once. */
    public static final String PARAM_MAX_TOPICS = "maxTopics";
    /** Init parameter: open subscriber streams. */
    public static final String PARAM_MAX_SUBSCRIBERS = "maxSubscribers";

    /** Set in a constructor or in init(); read by request threads (init happens-before service). */
    private transient volatile Broker broker;
    private transient volatile EsperServletConfig config;
    /** Whether this servlet built the broker (declarative use) and so closes it in destroy(). */
    private transient volatile boolean ownsBroker;
    /** The API over the broker; set in init(), read by request threads. */
    private transient volatile HttpApi api;
    /** The timer of publish body timeouts; started in init(), stopped in destroy(). */
    private transient volatile ScheduledExecutorService timer;

    /**
     * Declarative use ({@code web.xml}): builds its own broker and configuration from init parameters in
     * {@link #init()} (see the class description for the names), and closes that broker in
     * {@link #destroy()}.
     */
    public EsperServlet() {
        this.broker = null;
        this.config = null;
    }

    /**
     * Programmatic use: serves the given broker with the given settings. The caller owns the broker and
     * closes it (after the container has stopped); {@link #destroy()} leaves it open.
     *
     * @param broker the broker to serve; not null
     * @param config the settings; not null
     */
    public EsperServlet(Broker broker, EsperServletConfig config) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Builds the broker and settings from init parameters when constructed with {@link #EsperServlet()},
     * and logs which sides are open.
     *
     * @throws UnavailableException if an init parameter has a bad value (the message names it)
     */
    @Override
    public void init() throws ServletException {
        if (broker == null) {
            UnaryOperator<String> params = lookup(getServletConfig()::getInitParameter, System::getenv);
            try {
                EsperServletConfig c = EsperServletConfig.fromInitParameters(params);
                Broker b = brokerFromInitParameters(params);
                this.config = c;
                this.ownsBroker = true;
                this.broker = b;
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new UnavailableException("esper servlet '" + getServletName() + "': " + e.getMessage());
            }
        }
        AccessPolicy policy = config.accessPolicy();
        this.timer = timer(getServletName());
        this.api = HttpApi.create(broker, policy, config.maxBodyBytes(), config.corsOrigins());
        LOG.log(Level.INFO, "esper servlet '" + getServletName() + "' ready: subscribe "
                + (policy.isProtected(Side.SUBSCRIBER) ? "requires a token" : "is OPEN (no token)")
                + ", publish and stats " + (policy.isProtected(Side.PUBLISHER) ? "require a token" : "are OPEN (no token)")
                + ", max body " + config.maxBodyBytes() + " bytes, CORS origins " + config.corsOrigins());
    }

    /** Closes the broker if this servlet built it (declarative use); a caller's broker stays open. */
    @Override
    public void destroy() {
        api = null;
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
        }
        Broker b = broker;
        if (ownsBroker && b != null) {
            b.close();
        }
    }

    /** One daemon thread for the body timeouts of this servlet's publishes. */
    private static ScheduledExecutorService timer(String servletName) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "esper-servlet-timer-" + servletName);
            t.setDaemon(true);
            return t;
        });
    }

    /** The broker this servlet serves (null before {@link #init()} in declarative use). */
    public Broker broker() {
        return broker;
    }

    /** The settings in effect (null before {@link #init()} in declarative use). */
    public EsperServletConfig config() {
        return config;
    }

    /**
     * Serves every request (all methods) through {@link HttpApi}; see the class description.
     */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) {
        HttpApi a = api;
        ServletExchange exchange = new ServletExchange(req, resp, timer);
        if (a == null) {
            exchange.respond(HttpApi.failure(503, "esper servlet is not initialised"));
            return;
        }
        a.handle(exchange);
    }

    /** Looks a parameter up as an init parameter, else as {@code ESPER_<UPPER_SNAKE_NAME>} in the environment. */
    static UnaryOperator<String> lookup(UnaryOperator<String> initParams, UnaryOperator<String> env) {
        return name -> {
            String v = initParams.apply(name);
            return v != null ? v : env.apply(envName(name));
        };
    }

    /** {@code maxSubscribers} → {@code ESPER_MAX_SUBSCRIBERS}. */
    static String envName(String param) {
        StringBuilder sb = new StringBuilder("ESPER_");
        for (int i = 0; i < param.length(); i++) {
            char ch = param.charAt(i);
            if (Character.isUpperCase(ch)) {
                sb.append('_');
            }
            sb.append(Character.toUpperCase(ch));
        }
        return sb.toString().toUpperCase(Locale.ROOT);
    }

    /**
     * Builds a broker from init parameters ({@code PARAM_*} of this class); missing ones take the defaults.
     *
     * @throws IllegalArgumentException naming the parameter when a value is bad
     */
    static Broker brokerFromInitParameters(UnaryOperator<String> params) {
        Broker.Builder b = Broker.builder();
        Long v;
        if ((v = number(params, PARAM_HISTORY_SIZE, 0, Integer.MAX_VALUE)) != null) {
            b.historySize(v.intValue());
        }
        if ((v = number(params, PARAM_HISTORY_TTL, 0, Long.MAX_VALUE / 1000)) != null) {
            b.historyTtl(Duration.ofSeconds(v));
        }
        if ((v = number(params, PARAM_HEARTBEAT, 0, Long.MAX_VALUE / 1000)) != null) {
            b.heartbeat(Duration.ofSeconds(v));
        }
        if ((v = number(params, PARAM_SUBSCRIBER_BUFFER, 1, Long.MAX_VALUE)) != null) {
            b.subscriberBuffer(v);
        }
        if ((v = number(params, PARAM_MAX_TOPICS, 1, Integer.MAX_VALUE)) != null) {
            b.maxTopics(v.intValue());
        }
        if ((v = number(params, PARAM_MAX_SUBSCRIBERS, 1, Integer.MAX_VALUE)) != null) {
            b.maxSubscribers(v.intValue());
        }
        return b.build();
    }

    private static Long number(UnaryOperator<String> params, String name, long min, long max) {
        String raw = params.apply(name);
        if (raw == null || raw.isBlank()) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max
                    + ", was '" + raw + "'", e);
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max
                    + ", was " + n);
        }
        return n;
    }
}
