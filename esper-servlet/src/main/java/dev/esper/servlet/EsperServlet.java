package dev.esper.servlet;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.broker.TransportProvider;
import dev.esper.config.EsperConfig;
import dev.esper.config.Setting;
import dev.esper.http.HttpApi;
import dev.esper.http.MetricsRenderer;
import dev.esper.jwt.JwtVerifier;
import jakarta.servlet.ServletException;
import jakarta.servlet.UnavailableException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.System.Logger.Level;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * esper's HTTP API ({@link HttpApi}) as one asynchronous, non-blocking Servlet 6 servlet. Map it at
 * {@code /*} (or {@code /some/prefix/*}); it serves, relative to that mapping:
 * <ul>
 *   <li>{@code GET /subscribe/{topic}}: an open {@code text/event-stream} (resume with
 *       {@code Last-Event-ID} or {@code ?lastEventId=});</li>
 *   <li>{@code GET /subscribe?topic=a&topic=b}: one stream of several topics, each event's id
 *       {@code <topic>:<cursor>} (SPEC 8);</li>
 *   <li>{@code POST /publish/{topic}}: a {@code text/event-stream} body, answered with JSON
 *       ({@code published}, {@code ids}, {@code subscribers});</li>
 *   <li>{@code GET /stats}: the broker's counters as JSON;</li>
 *   <li>{@code GET /health/live} and {@code GET /health/ready}: probes, without a token (readiness is
 *       {@link Broker#health()}: {@code 503} while a cross-node transport is down or a shutdown is under way);</li>
 *   <li>{@code GET /metrics}, protected like {@code /stats}, when given a renderer ({@link #metrics});</li>
 *   <li>{@code OPTIONS} on those routes: a CORS preflight, answered before any token check.</li>
 * </ul>
 * Anything else is {@code 404}; a wrong method {@code 405} with {@code Allow}. Checks run in SPEC order:
 * route, method, topic id ({@code 400}), token ({@code 401}/{@code 403}), body ({@code 413}/{@code 400}),
 * limits ({@code 503}). Every error is a short JSON body {@code {"error":"..."}} with CORS headers, never an
 * HTML page or a stack trace. Tokens are never logged, nor are request query strings.
 *
 * <p>Every request is served asynchronously ({@link ServletExchange}): no request holds a container thread
 * while it waits for a body, a publish, a cross-node transport or a slow client.
 *
 * <h2>Two ways to configure</h2>
 * <ul>
 *   <li><b>Programmatic</b>: {@link #EsperServlet(Broker, EsperConfig)}, whose secrets and clock skew give
 *       the access policy, or {@link #EsperServlet(Broker, EsperConfig, AccessPolicy)} with a policy of your
 *       own; the caller owns the broker and closes it after the container stops.</li>
 *   <li><b>Declarative</b> ({@code web.xml}): {@link #EsperServlet()} reads, in {@link #init()}, every
 *       {@link Setting} that means something in a servlet (all but {@code bind} and {@code port}) from the
 *       init parameter {@link Setting#initParameter()} ({@code historySize}, {@code maxRetainedBytes},
 *       {@code subscriberSecret}, ...), else from its environment variable
 *       {@link Setting#environmentVariable()} ({@code ESPER_HISTORY_SIZE}, ...); defaults and rules are
 *       {@link EsperConfig}'s. {@code threads} sizes the broker's delivery threads; with {@code redis} the
 *       broker joins other nodes through a {@link TransportProvider} on the class path (add esper-redis). It
 *       builds its own broker and closes it in {@link #destroy()}. A bad value makes {@link #init()} fail
 *       with an {@link UnavailableException} naming the parameter or variable (never a secret's value).</li>
 * </ul>
 *
 * <p>Thread-safe; one instance serves all requests. Needs {@code <async-supported>true</async-supported>}
 * (set by {@code setAsyncSupported(true)} when registered programmatically).
 */
public final class EsperServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger(EsperServlet.class.getName());

    /** Set in a constructor or in init(); read by request threads (init happens-before service). */
    private transient volatile Broker broker;
    private transient volatile EsperConfig config;
    private transient volatile AccessPolicy policy;
    /** Whether this servlet built the broker (declarative use) and so closes it in destroy(). */
    private transient volatile boolean ownsBroker;
    /** Renders GET /metrics, or null; set before init(). */
    private transient volatile MetricsRenderer metrics;
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
        this.policy = null;
    }

    /**
     * Programmatic use: serves the given broker with the given settings, its access policy made from their
     * secrets or public keys, {@code noAuth}, claim checks and clock skew
     * ({@link JwtVerifier#accessPolicy(EsperConfig)}; a JWK Set URL is fetched now). The caller owns the broker
     * and closes it (after the container has stopped); {@link #destroy()} leaves it open.
     *
     * @param broker the broker to serve; not null
     * @param config the settings (body limit, CORS origins, token rules); not null
     * @throws IllegalStateException if a side's public keys cannot be loaded (the message says why)
     */
    public EsperServlet(Broker broker, EsperConfig config) {
        this(broker, config, JwtVerifier.accessPolicy(Objects.requireNonNull(config, "config")));
    }

    /**
     * Programmatic use with an access policy of your own (for example another {@code TokenVerifier}); the
     * configuration's secrets are then not used.
     *
     * @param broker the broker to serve; not null
     * @param config the settings (body limit, CORS origins); not null
     * @param policy who may subscribe, publish and read stats; not null
     */
    public EsperServlet(Broker broker, EsperConfig config, AccessPolicy policy) {
        this.broker = Objects.requireNonNull(broker, "broker");
        this.config = Objects.requireNonNull(config, "config");
        this.policy = Objects.requireNonNull(policy, "policy");
    }

    /**
     * Also serves {@code GET /metrics} (protected like {@code /stats}) with {@code renderer}, for example over the
     * Prometheus registry the app already has, bound to the broker with esper-micrometer's {@code EsperMetrics}.
     * Call it before the container initialises the servlet.
     *
     * @param renderer renders each scrape; not null
     * @return this servlet
     */
    public EsperServlet metrics(MetricsRenderer renderer) {
        this.metrics = Objects.requireNonNull(renderer, "renderer");
        return this;
    }

    /**
     * Builds the broker and settings from init parameters when constructed with {@link #EsperServlet()},
     * and logs which sides are open.
     *
     * @throws UnavailableException if an init parameter or variable has a bad value (the message names it),
     *     a side is given both a secret and public keys, its public keys cannot be loaded, or the broker cannot
     *     start (for example no transport for {@code redis}, or Redis cannot be reached)
     */
    @Override
    public void init() throws ServletException {
        if (broker == null) {
            try {
                EsperConfig c = configFrom(getServletConfig()::getInitParameter, System::getenv);
                AccessPolicy p = JwtVerifier.accessPolicy(c);
                Broker.Builder b = Broker.builder().config(c);
                TransportProvider.forConfig(c, EsperServlet.class.getClassLoader()).ifPresent(b::transport);
                Broker built = b.build();
                this.config = c;
                this.policy = p;
                this.ownsBroker = true;
                this.broker = built;
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new UnavailableException("esper servlet '" + getServletName() + "': " + e.getMessage());
            }
        }
        AccessPolicy p = policy;
        this.timer = timer(getServletName());
        HttpApi created = HttpApi.create(broker, config, p);
        MetricsRenderer m = metrics;
        this.api = m == null ? created : created.withMetrics(m);
        LOG.log(Level.INFO, "esper servlet '" + getServletName() + "' ready: subscribe "
                + p.verifier(Side.SUBSCRIBER).map(v -> "requires a token (" + v + ")").orElse("is OPEN (no token)")
                + ", publish and stats "
                + p.verifier(Side.PUBLISHER).map(v -> "require a token (" + v + ")").orElse("are OPEN (no token)")
                + ", max body " + config.maxBody() + " bytes, CORS origins " + config.corsOrigins()
                + (config.noQueryToken() ? ", no tokens in URLs" : ""));
    }

    /** Closes the broker if this servlet built it (declarative use); a caller's broker stays open. */
    @Override
    public void destroy() {
        api = null;
        ScheduledExecutorService t = timer;
        if (t != null) {
            t.shutdownNow();
            try {
                t.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Broker b = broker;
        if (ownsBroker && b != null) {
            b.close();
        }
    }

    /**
     * One daemon thread for the body timeouts of this servlet's publishes, made when the first timeout is set
     * (on a request thread), with esper's class loader as its context loader rather than the web application's.
     */
    private static ScheduledExecutorService timer(String servletName) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "esper-servlet-timer-" + servletName);
            t.setDaemon(true);
            t.setContextClassLoader(EsperServlet.class.getClassLoader());
            return t;
        });
    }

    /** The broker this servlet serves (null before {@link #init()} in declarative use). */
    public Broker broker() {
        return broker;
    }

    /** The settings in effect (null before {@link #init()} in declarative use). */
    public EsperConfig config() {
        return config;
    }

    /** Who may subscribe, publish and read stats (null before {@link #init()} in declarative use). */
    public AccessPolicy accessPolicy() {
        return policy;
    }

    /**
     * Serves every request (all methods) through {@link HttpApi}; see the class description.
     */
    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) {
        HttpApi a = api;
        ServletExchange exchange = new ServletExchange(req, resp, timer);
        try {
            if (a == null) {
                exchange.respond(HttpApi.failure(503, "esper servlet is not initialised"));
                return;
            }
            a.handle(exchange);
        } finally {
            exchange.dispatchEnded();
        }
    }

    /**
     * Reads every setting a servlet uses ({@link Setting#inServlet()}) from its init parameter, else from its
     * environment variable; an empty or unset one keeps its default.
     *
     * @throws IllegalArgumentException naming the parameter or variable when a value is bad
     */
    static EsperConfig configFrom(UnaryOperator<String> initParams, UnaryOperator<String> env) {
        EsperConfig.Builder b = EsperConfig.builder();
        for (Setting s : Setting.values()) {
            if (!s.inServlet()) {
                continue;
            }
            String raw = initParams.apply(s.initParameter());
            if (raw != null && !raw.isBlank()) {
                b.set(s.key(), s.isSecret() ? raw : raw.strip(), "init parameter " + s.initParameter());
            } else {
                s.variableSetIn(env).ifPresent(v -> b.set(s.key(), env.apply(v), "environment variable " + v));
            }
        }
        return b.build();
    }
}
