package dev.esper.standalone;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Side;
import dev.esper.auth.TokenVerifier;
import dev.esper.broker.Broker;
import dev.esper.broker.TransportProvider;
import dev.esper.config.EsperConfig;
import dev.esper.config.Setting;
import dev.esper.jwt.JwtVerifier;
import dev.esper.http.HttpApi;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2CServerConnectionFactory;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Jetty;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running esper: a {@link Broker} served on embedded Jetty 12 by a core {@code Handler} (no servlet layer;
 * it answers exactly as {@code EsperServlet} does, see {@code EsperHandler}), configured for
 * long-lived SSE streams.
 *
 * <p>What it sets up, and why:
 * <ul>
 *   <li>No output aggregation buffer ({@code outputAggregationSize = 0}): otherwise every open stream
 *       keeps a 32 KiB buffer.</li>
 *   <li>A small thread pool sized by {@link EsperConfig#threads()}: streams hold no thread.</li>
 *   <li>A 30 s idle timeout for ordinary requests and idle keep-alive connections; subscribe streams get
 *       twice the heartbeat interval plus 5 s, or none when heartbeats are off (see
 *       {@code EsperHandler.streamIdleTimeout}).</li>
 *   <li>At most {@code max-subscribers} + 10% (at least 64 more) connections, and fewer than the process may
 *       open files (then fewer subscribers too, see {@code ConnectionCap}); at the cap the server stops
 *       accepting and closes the connections idle longest without a request in progress, so that it accepts
 *       again at once (see {@code IdleEviction}).</li>
 *   <li>A connection must send the first byte of a request within 5 s of connecting (over TLS: shake hands and
 *       begin a request within 20 s), and a request head must arrive within 20 s of its first byte (up to
 *       8 KiB), else the connection is closed; an accept queue of 1024; a failure to accept logged as one line
 *       at most every 10 s (see {@code EsperConnector}); Jetty's own errors as one line of
 *       {@code text/plain}.</li>
 *   <li>With {@link EsperConfig#tlsCert()}, HTTPS only, HTTP/2 and HTTP/1.1 by ALPN; with
 *       {@link EsperConfig#h2c()}, cleartext HTTP/2 beside HTTP/1.1 (Jetty's own HTTP/2 and ALPN modules).</li>
 *   <li>{@code GET /metrics} from a Prometheus registry ({@code PrometheusMetrics}); on stop, readiness turns
 *       {@code 503} first, for {@link EsperConfig#shutdownDelay()} before the listener closes.</li>
 * </ul>
 *
 * <p>Start with {@link #start(EsperConfig)}; {@link #stop(Duration)} (or {@link #close()}) stops accepting,
 * ends every stream cleanly and stops Jetty. Thread-safe.
 */
public final class EsperServer implements AutoCloseable {
    /** Grace given to open streams to send what they have when the server stops. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(3);

    static final long CONNECTOR_IDLE_TIMEOUT_MILLIS = 30_000;
    static final int REQUEST_HEADER_BYTES = 8 * 1024;
    static final int ACCEPT_QUEUE = 1024;
    /** How long a request line and headers may take to arrive (see {@code HeadDeadline}). */
    static final long HEAD_DEADLINE_MILLIS = 20_000;
    /** How long a new connection may take to send the first byte of its first request (see {@code HeadDeadline}). */
    static final long FIRST_BYTE_DEADLINE_MILLIS = 5_000;
    private static final long JETTY_STOP_TIMEOUT_MILLIS = 2_000;
    /** HTTP/2 streams one connection may have open at once: a browser's tabs on one origin share a connection. */
    static final int MAX_CONCURRENT_STREAMS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger("esper");
    /**
     * Jetty's URI rules, less those about a path's encoding: esper decodes its paths itself and serves no files,
     * so an ambiguous or malformed escape in a topic ({@code %25}, {@code %2F}, {@code %00}) reaches the API and
     * gets its {@code 400} saying what a topic id is, rather than Jetty's bare one.
     */
    static final UriCompliance URI_COMPLIANCE = UriCompliance.DEFAULT.with("esper",
            UriCompliance.Violation.AMBIGUOUS_PATH_SEGMENT, UriCompliance.Violation.AMBIGUOUS_EMPTY_SEGMENT,
            UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_PARAMETER,
            UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING, UriCompliance.Violation.UTF16_ENCODINGS,
            UriCompliance.Violation.BAD_UTF8_ENCODING, UriCompliance.Violation.TRUNCATED_UTF8_ENCODING,
            UriCompliance.Violation.BAD_PERCENT_ENCODING, UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS,
            UriCompliance.Violation.ILLEGAL_PATH_CHARACTERS);

    private final EsperConfig config;
    private final AccessPolicy policy;
    private final Broker broker;
    private final Server server;
    private final ServerConnector connector;
    private final HeadDeadline heads;
    private final PrometheusMetrics metrics;
    private final URI uri;
    /** Logs nothing on start and stop (the warm-up's server). */
    private final boolean quiet;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private EsperServer(EsperConfig config, AccessPolicy policy, Broker broker, Server server,
            ServerConnector connector, HeadDeadline heads, PrometheusMetrics metrics, boolean quiet) {
        this.quiet = quiet;
        this.heads = heads;
        this.metrics = metrics;
        this.config = config;
        this.policy = policy;
        this.broker = broker;
        this.server = server;
        this.connector = connector;
        this.uri = URI.create((config.tlsCert().isPresent() ? "https://" : "http://") + hostForUri(config.bind())
                + ":" + connector.getLocalPort() + "/");
    }

    /**
     * Starts a server on {@link EsperConfig#port()} and logs the banner (version, address, which sides are
     * protected and which open). With {@link EsperConfig#redis()} the broker joins the other nodes through it.
     *
     * @param config what to run; not null
     * @return the running server
     * @throws UncheckedIOException if the address cannot be bound (for example the port is in use), Redis
     *     cannot be reached, a side's public keys cannot be loaded, or a TLS file of {@link EsperConfig#tlsCert()}
     *     or {@link EsperConfig#tlsKey()} is not what it should be; the message says which and why
     */
    public static EsperServer start(EsperConfig config) {
        return start(config, config.port(), false);
    }

    /**
     * Starts a server like {@link #start(EsperConfig)}, but on a free port the system picks
     * ({@link EsperConfig#port()} is not used; {@link #port()} tells the one chosen). For tests.
     *
     * @param config what to run; not null
     * @return the running server
     * @throws UncheckedIOException as {@link #start(EsperConfig)}
     */
    public static EsperServer startOnAnyFreePort(EsperConfig config) {
        return start(config, 0, false);
    }

    /** Starts a server on a free port that logs nothing when it starts or stops: the warm-up's ({@code WarmUp}). */
    static EsperServer startQuietly(EsperConfig config) {
        return start(config, 0, true);
    }

    private static EsperServer start(EsperConfig config, int port, boolean quiet) {
        AccessPolicy policy = accessPolicy(config);
        SslContextFactory.Server tls = tls(config);
        ConnectionCap cap = ConnectionCap.of(config.maxSubscribers(), ConnectionCap.processFileLimit());
        Broker broker = buildBroker(config, cap.subscribers());
        Server server = null;
        PrometheusMetrics metrics = null;
        try {
            int maxPool = Math.max(8, 8 * config.threads());
            QueuedThreadPool pool = new QueuedThreadPool(maxPool, Math.min(4, maxPool), 60_000);
            pool.setName("esper-http");
            server = new Server(pool);

            HttpConfiguration http = new HttpConfiguration();
            http.setOutputAggregationSize(0);
            http.setRequestHeaderSize(REQUEST_HEADER_BYTES);
            http.setResponseHeaderSize(REQUEST_HEADER_BYTES);
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
            http.setUriCompliance(URI_COMPLIANCE);

            long streamIdle = EsperHandler.streamIdleTimeout(config.heartbeat().toMillis(),
                    CONNECTOR_IDLE_TIMEOUT_MILLIS);
            EsperConnector connector = new EsperConnector(server, config.threads(),
                    connectionFactories(http, tls, config.h2c(), streamIdle));
            connector.setName("esper");
            connector.setHost(config.bind());
            connector.setPort(port);
            connector.setIdleTimeout(CONNECTOR_IDLE_TIMEOUT_MILLIS);
            connector.setAcceptQueueSize(ACCEPT_QUEUE);
            server.addConnector(connector);
            IdleEviction limit = new IdleEviction(cap.connections(), connector);
            connector.onAcceptFailure(limit::makeRoom);
            server.addBean(limit);

            metrics = new PrometheusMetrics(broker, connector);
            HttpApi api = HttpApi.create(broker, config, policy).withMetrics(metrics);
            server.setHandler(new GracefulHandler(new EsperHandler(api, streamIdle)));
            server.setErrorHandler(new TextErrorHandler(broker::recordRejected));
            server.setStopTimeout(JETTY_STOP_TIMEOUT_MILLIS);
            server.setStopAtShutdown(false);
            server.start();
            HeadDeadline heads = new HeadDeadline(connector, server.getScheduler(), HEAD_DEADLINE_MILLIS,
                    FIRST_BYTE_DEADLINE_MILLIS);
            heads.start();

            EsperServer running = new EsperServer(config, policy, broker, server, connector, heads, metrics, quiet);
            if (!quiet) {
                running.logBanner(cap);
            }
            return running;
        } catch (Exception e) {
            stopQuietly(server);
            if (metrics != null) {
                metrics.close();
            }
            broker.close(Duration.ZERO);
            throw startFailure(config, port, e);
        }
    }

    /**
     * Who may do what: a side's public keys are fetched now, and a failure stops the start (SPEC 9.2).
     *
     * @throws UncheckedIOException naming the setting, the source and why
     */
    private static AccessPolicy accessPolicy(EsperConfig config) {
        try {
            return JwtVerifier.accessPolicy(config);
        } catch (IllegalStateException e) {
            throw new UncheckedIOException(e.getMessage() + "; refusing to start", new IOException(e));
        }
    }

    /**
     * What the connector speaks: HTTP/1.1; with TLS, HTTP/2 and HTTP/1.1 negotiated by ALPN (HTTP/1.1 for a
     * client that asks for neither); with {@code h2c}, also cleartext HTTP/2 (prior knowledge, or an
     * {@code Upgrade: h2c} from HTTP/1.1). HTTP/2 takes up to {@value #MAX_CONCURRENT_STREAMS} streams per
     * connection, and its streams time out as stream connections do ({@code streamIdle}, or the connector's
     * timeout when there is none, idle streams then being kept, see {@code JettyExchange}).
     */
    private static ConnectionFactory[] connectionFactories(HttpConfiguration http, SslContextFactory.Server tls,
            boolean h2c, long streamIdle) {
        HttpConnectionFactory http1 = new HttpConnectionFactory(http);
        if (tls == null && !h2c) {
            return new ConnectionFactory[] {http1};
        }
        HTTP2ServerConnectionFactory http2 = tls == null ? new HTTP2CServerConnectionFactory(http)
                : new HTTP2ServerConnectionFactory(http);
        http2.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
        http2.setStreamIdleTimeout(streamIdle > 0 ? streamIdle : CONNECTOR_IDLE_TIMEOUT_MILLIS);
        if (tls == null) {
            return new ConnectionFactory[] {http1, http2};
        }
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(http1.getProtocol());
        return new ConnectionFactory[] {new SslConnectionFactory(tls, alpn.getProtocol()), alpn, http2, http1};
    }

    /**
     * The TLS of {@code --tls-cert} and {@code --tls-key}, or null without them; HTTP/2's preferred ciphers
     * first.
     *
     * @throws UncheckedIOException naming the flag, the file and what is wrong with it
     */
    private static SslContextFactory.Server tls(EsperConfig config) {
        if (config.tlsCert().isEmpty() || config.tlsKey().isEmpty()) {
            return null;
        }
        KeyStore keys;
        try {
            keys = PemKeyStore.load(Setting.TLS_CERT.flag(), config.tlsCert().get(), Setting.TLS_KEY.flag(),
                    config.tlsKey().get());
        } catch (IllegalArgumentException e) {
            throw new UncheckedIOException(e.getMessage(), new IOException(e));
        }
        SslContextFactory.Server tls = new SslContextFactory.Server();
        tls.setKeyStore(keys);
        tls.setKeyStorePassword(PemKeyStore.PASSWORD);
        tls.setKeyManagerPassword(PemKeyStore.PASSWORD);
        tls.setCertAlias(PemKeyStore.ALIAS);
        tls.setCipherComparator(HTTP2Cipher.COMPARATOR);
        return tls;
    }

    /**
     * The broker, taking at most {@code subscribers} streams (see {@link ConnectionCap#subscribers()}); with
     * {@code --redis} its transport joins the other nodes through Redis.
     */
    private static Broker buildBroker(EsperConfig config, int subscribers) {
        Broker.Builder b = Broker.builder().config(config).maxSubscribers(subscribers);
        try {
            TransportProvider.forConfig(config, EsperServer.class.getClassLoader()).ifPresent(b::transport);
            return b.build();
        } catch (IllegalStateException e) {
            throw new UncheckedIOException(e.getMessage(), new IOException(e));
        }
    }

    /** The base URI, e.g. {@code http://127.0.0.1:3000/}. */
    public URI uri() {
        return uri;
    }

    /** The port listened on (the one chosen, if the config asked for port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The configuration this server runs with. */
    public EsperConfig config() {
        return config;
    }

    /** Who may subscribe, publish and read stats: the verifiers {@link #config()} asked for. */
    public AccessPolicy accessPolicy() {
        return policy;
    }

    /**
     * Stops: readiness turns {@code 503} ({@link Broker#beginShutdown}) and, after the configured
     * {@link EsperConfig#shutdownDelay()} of serving as usual, the listening socket closes, every open stream
     * sends what it has (for up to {@code grace}) and ends cleanly, then Jetty stops. Idempotent; a second caller
     * waits for the first.
     *
     * @param grace how long streams may take to drain
     */
    public void stop(Duration grace) {
        if (!stopping.compareAndSet(false, true)) {
            awaitStoppedUninterruptibly();
            return;
        }
        try {
            broker.beginShutdown();
            awaitShutdownDelay();
            if (!quiet) {
                LOG.info("stopping: no new connections; ending {} open stream(s)", broker.stats().clients());
            }
            connector.shutdown();
            heads.stop();
            broker.close(grace);
            server.stop();
            metrics.close();
            if (!quiet) {
                LOG.info("stopped");
            }
        } catch (Exception e) {
            LOG.warn("error while stopping: {}", e.toString());
        } finally {
            stopped.countDown();
        }
    }

    /**
     * Serves on, not ready, for the configured shutdown delay, so that load balancers stop sending traffic before
     * the listener closes; an interrupt cuts it short (the stop goes on, and the interrupt is kept).
     */
    private void awaitShutdownDelay() {
        Duration delay = config.shutdownDelay();
        if (delay.isZero()) {
            return;
        }
        LOG.info("stopping: /health/ready answers 503; serving as usual for {} s more (--shutdown-delay), then "
                + "closing the listener", delay.toSeconds());
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #stop(Duration)} with {@link #DEFAULT_GRACE}. */
    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    /**
     * Blocks until the server has stopped.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    private void awaitStoppedUninterruptibly() {
        boolean interrupted = false;
        while (true) {
            try {
                stopped.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The start-up banner: memory, how each side is keyed, the connection cap, and last the line that says where the
     * server listens (so whoever waits for that line has the whole banner).
     */
    private void logBanner(ConnectionCap cap) {
        long budget = config.memoryBudget();
        long maxHeap = Runtime.getRuntime().maxMemory();
        LOG.info("memory budget {} MiB{}", budget / (1024 * 1024),
                budget == Setting.defaultMemoryBudget() ? " (half the max heap)" : "");
        if (budget > maxHeap) {
            LOG.warn("{} is more than the max heap ({} MiB): the broker may run out of memory before it reaches "
                    + "the budget", Setting.MEMORY_BUDGET.flag(), maxHeap / (1024 * 1024));
        }
        logAuth();
        logConnectionCap(cap);
        String protocols = config.tlsCert().isPresent() ? "HTTP/2 and HTTP/1.1 over TLS"
                : config.h2c() ? "HTTP/1.1 and cleartext HTTP/2" : "HTTP/1.1";
        LOG.info("esper {} listening on {} ({}; Jetty {}, {} I/O thread(s))", Version.get(),
                uri.toString().replaceAll("/$", ""), protocols, Jetty.VERSION, config.threads());
    }

    private void logAuth() {
        if (config.noAuth()) {
            LOG.warn("--no-auth: AUTHENTICATION IS OFF. Anyone who can reach {} can subscribe, publish and read "
                    + "stats; the secrets and public keys set are ignored", uri);
            return;
        }
        logSide("subscribe (/subscribe)", Side.SUBSCRIBER, Setting.SUBSCRIBER_SECRET, Setting.SUBSCRIBER_JWKS);
        logSide("publish (/publish, /stats)", Side.PUBLISHER, Setting.PUBLISHER_SECRET, Setting.PUBLISHER_JWKS);
        if (policy.isProtected(Side.SUBSCRIBER)) {
            LOG.info("subscribe tokens are read from the Authorization header, then the '{}' cookie{}",
                    config.tokenCookie(), config.noQueryToken() ? " (never from the URL: --no-query-token)"
                            : ", then ?token=");
        } else if (config.noQueryToken()) {
            LOG.info("--no-query-token: ?token= is refused on every protected side");
        }
    }

    private void logSide(String name, Side side, Setting secret, Setting jwks) {
        Optional<TokenVerifier> verifier = policy.verifier(side);
        if (verifier.isEmpty()) {
            LOG.info("{}: OPEN to anyone (neither {} nor {} is set)", name, secret.environmentVariable(),
                    jwks.environmentVariable());
            return;
        }
        boolean publicKeys = (side == Side.SUBSCRIBER ? config.subscriberJwks() : config.publisherJwks()).isPresent();
        if (publicKeys) {
            LOG.info("{}: protected, needs a JWT signed by a key of the {}", name, verifier.get());
            String source = side == Side.SUBSCRIBER ? config.subscriberJwks().get() : config.publisherJwks().get();
            if (source.regionMatches(true, 0, "http://", 0, 7) && !isLoopback(source)) {
                LOG.warn("{} is fetched over plain http: anyone on the way can replace the keys; use https",
                        jwks.flag());
            }
        } else {
            LOG.info("{}: protected, needs a JWT signed with {}{}", name, secret.environmentVariable(),
                    verifier.get().toString().replaceFirst("^[^,]*", ""));
        }
    }

    private static boolean isLoopback(String url) {
        try {
            String host = URI.create(url).getHost();
            return host != null && (host.equals("localhost") || InetAddress.getByName(host).isLoopbackAddress());
        } catch (IllegalArgumentException | UnknownHostException e) {
            return false;
        }
    }

    private static void logConnectionCap(ConnectionCap cap) {
        cap.warning().ifPresent(LOG::warn);
        if (cap.fileLimit() == ConnectionCap.UNKNOWN) {
            LOG.info("the open-files limit is unknown on this platform: connections capped at {} by "
                    + "--max-subscribers alone", cap.connections());
        }
    }

    /** {@code max-subscribers} + 10%, at least 64 more: the cap before the open-files limit lowers it. */
    static int maxConnections(int maxSubscribers) {
        long headroom = Math.max(64, maxSubscribers / 10);
        return (int) Math.min(Integer.MAX_VALUE, maxSubscribers + headroom);
    }

    private static UncheckedIOException startFailure(EsperConfig config, int port, Exception e) {
        String address = hostForUri(config.bind()) + ":" + port;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return new UncheckedIOException("cannot listen on " + address + ": " + reason(t)
                        + " (is another server using the port? choose another with --port)", (BindException) t);
            }
            if (t instanceof UnknownHostException) {
                return new UncheckedIOException("cannot listen on " + address + ": unknown host '"
                        + config.bind() + "'", (UnknownHostException) t);
            }
        }
        return new UncheckedIOException("cannot start on " + address + ": " + e,
                e instanceof IOException ? (IOException) e : new IOException(e));
    }

    private static String reason(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m.toLowerCase(Locale.ROOT);
    }

    private static void stopQuietly(Server server) {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (Exception ignored) {
            // Already failing; the start failure is what the caller needs to see.
        }
    }

    private static String hostForUri(String host) {
        if (host.indexOf(':') >= 0 && !host.startsWith("[")) {
            return "[" + host + "]";
        }
        return host;
    }
}
