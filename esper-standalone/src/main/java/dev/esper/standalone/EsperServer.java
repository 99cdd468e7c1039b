package dev.esper.standalone;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.redis.RedisTransport;
import dev.esper.servlet.EsperServletConfig;
import dev.esper.jwt.JwtVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Jetty;
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
 *   <li>A small thread pool sized by {@link EsperSettings#threads()}: streams hold no thread.</li>
 *   <li>A 30 s idle timeout for ordinary requests and idle keep-alive connections; subscribe streams get
 *       twice the heartbeat interval plus 5 s, or none when heartbeats are off (see
 *       {@code StreamIdleTimeout}).</li>
 *   <li>At most {@code max-subscribers} + 10% (at least 64 more) connections; past that the server stops
 *       accepting until one closes.</li>
 *   <li>Request headers up to 8 KiB, arriving within 20 s of their first byte (else the connection is closed);
 *       an accept queue of 1024; Jetty's own errors as one line of {@code text/plain}.</li>
 * </ul>
 *
 * <p>Start with {@link #start(EsperSettings)}; {@link #stop(Duration)} (or {@link #close()}) stops accepting,
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
    private static final long JETTY_STOP_TIMEOUT_MILLIS = 2_000;
    private static final Logger LOG = LoggerFactory.getLogger("esper");

    private final EsperSettings settings;
    private final Broker broker;
    private final Server server;
    private final ServerConnector connector;
    private final HeadDeadline heads;
    private final URI uri;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private EsperServer(EsperSettings settings, Broker broker, Server server, ServerConnector connector,
            HeadDeadline heads) {
        this.heads = heads;
        this.settings = settings;
        this.broker = broker;
        this.server = server;
        this.connector = connector;
        this.uri = URI.create("http://" + hostForUri(settings.bind()) + ":" + connector.getLocalPort() + "/");
    }

    /**
     * Starts a server and logs the banner (version, address, which sides are protected and which open).
     *
     * @param settings what to run
     * @return the running server
     * @throws UncheckedIOException if the address cannot be bound (for example the port is in use); the
     *     message says which address and why
     */
    public static EsperServer start(EsperSettings settings) {
        Broker broker = buildBroker(settings);
        Server server = null;
        try {
            int maxPool = Math.max(8, 8 * settings.threads());
            QueuedThreadPool pool = new QueuedThreadPool(maxPool, Math.min(4, maxPool), 60_000);
            pool.setName("esper-http");
            server = new Server(pool);

            HttpConfiguration http = new HttpConfiguration();
            http.setOutputAggregationSize(0);
            http.setRequestHeaderSize(REQUEST_HEADER_BYTES);
            http.setResponseHeaderSize(REQUEST_HEADER_BYTES);
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);

            ServerConnector connector = new ServerConnector(server, 1, settings.threads(),
                    new HttpConnectionFactory(http));
            connector.setName("esper");
            connector.setHost(settings.bind());
            connector.setPort(settings.port());
            connector.setIdleTimeout(CONNECTOR_IDLE_TIMEOUT_MILLIS);
            connector.setAcceptQueueSize(ACCEPT_QUEUE);
            server.addConnector(connector);
            server.addBean(new NetworkConnectionLimit(maxConnections(settings.maxSubscribers()), connector));

            EsperHandler esper = new EsperHandler(broker, servletConfig(settings));

            long streamIdle = StreamIdleTimeout.forHeartbeat(settings.heartbeat().toMillis(),
                    CONNECTOR_IDLE_TIMEOUT_MILLIS);
            server.setHandler(new GracefulHandler(new StreamIdleTimeout(esper, streamIdle)));
            server.setErrorHandler(new TextErrorHandler());
            server.setStopTimeout(JETTY_STOP_TIMEOUT_MILLIS);
            server.setStopAtShutdown(false);
            server.start();
            HeadDeadline heads = new HeadDeadline(connector, server.getScheduler(), HEAD_DEADLINE_MILLIS);
            heads.start();

            EsperServer running = new EsperServer(settings, broker, server, connector, heads);
            running.logBanner();
            return running;
        } catch (Exception e) {
            stopQuietly(server);
            broker.close(Duration.ZERO);
            throw startFailure(settings, e);
        }
    }

    /** The broker; with {@code --redis} its transport joins the other nodes through Redis. */
    private static Broker buildBroker(EsperSettings settings) {
        Broker.Builder b = Broker.builder()
                .historySize(settings.historySize())
                .historyTtl(settings.historyTtl())
                .heartbeat(settings.heartbeat())
                .subscriberBuffer(settings.subscriberBuffer())
                .maxTopics(settings.maxTopics())
                .maxSubscribers(settings.maxSubscribers())
                .maxRetainedBytes(settings.maxRetainedBytes())
                .deliveryThreads(settings.threads());
        if (settings.redis().isEmpty()) {
            return b.build();
        }
        b.transport(RedisTransport.builder(settings.redis().get())
                .config(dev.esper.config.EsperConfig.builder()
                        .historySize(settings.historySize()).historyTtl(settings.historyTtl()).build())
                .build());
        try {
            return b.build();
        } catch (IllegalStateException e) {
            throw new UncheckedIOException(e.getMessage(), new IOException(e));
        }
    }

    /** The base URI, e.g. {@code http://127.0.0.1:3000/}. */
    public URI uri() {
        return uri;
    }

    /** The port listened on (the one chosen, if the settings asked for port 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** The settings this server runs with. */
    public EsperSettings settings() {
        return settings;
    }

    /**
     * Stops: closes the listening socket, lets every open stream send what it has (for up to
     * {@code grace}) and end cleanly, then stops Jetty. Idempotent; a second caller waits for the first.
     *
     * @param grace how long streams may take to drain
     */
    public void stop(Duration grace) {
        if (!stopping.compareAndSet(false, true)) {
            awaitStoppedUninterruptibly();
            return;
        }
        try {
            LOG.info("stopping: no new connections; ending {} open stream(s)", broker.stats().clients());
            connector.shutdown();
            heads.stop();
            broker.close(grace);
            server.stop();
            LOG.info("stopped");
        } catch (Exception e) {
            LOG.warn("error while stopping: {}", e.toString());
        } finally {
            stopped.countDown();
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

    private void logBanner() {
        LOG.info("esper {} listening on {} (Jetty {}, {} I/O thread(s))", Version.get(),
                uri.toString().replaceAll("/$", ""), Jetty.VERSION, settings.threads());
        if (settings.noAuth()) {
            LOG.warn("--no-auth: AUTHENTICATION IS OFF. Anyone who can reach {} can subscribe, publish and read "
                    + "stats; {} and {} are ignored", uri, EsperSettings.SUBSCRIBER_SECRET_ENV,
                    EsperSettings.PUBLISHER_SECRET_ENV);
            return;
        }
        logSide("subscribe (/subscribe)", settings.subscriberSecret().isPresent(),
                EsperSettings.SUBSCRIBER_SECRET_ENV);
        logSide("publish (/publish, /stats)", settings.publisherSecret().isPresent(),
                EsperSettings.PUBLISHER_SECRET_ENV);
    }

    private static void logSide(String side, boolean isProtected, String env) {
        if (isProtected) {
            LOG.info("{}: protected, needs a JWT signed with {}", side, env);
        } else {
            LOG.info("{}: OPEN to anyone ({} is not set)", side, env);
        }
    }

    static int maxConnections(int maxSubscribers) {
        long headroom = Math.max(64, maxSubscribers / 10);
        return (int) Math.min(Integer.MAX_VALUE, maxSubscribers + headroom);
    }

    private static EsperServletConfig servletConfig(EsperSettings settings) {
        AccessPolicy.Builder policy = AccessPolicy.builder().clockSkew(settings.clockSkew());
        settings.subscriberSecret().ifPresentOrElse(
                s -> policy.protect(Side.SUBSCRIBER, JwtVerifier.hmac(s)), () -> policy.open(Side.SUBSCRIBER));
        settings.publisherSecret().ifPresentOrElse(
                s -> policy.protect(Side.PUBLISHER, JwtVerifier.hmac(s)), () -> policy.open(Side.PUBLISHER));
        return EsperServletConfig.builder()
                .accessPolicy(policy.build())
                .maxBodyBytes(settings.maxBody())
                .corsOrigins(settings.corsOrigins())
                .build();
    }

    private static UncheckedIOException startFailure(EsperSettings settings, Exception e) {
        String address = hostForUri(settings.bind()) + ":" + settings.port();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return new UncheckedIOException("cannot listen on " + address + ": " + reason(t)
                        + " (is another server using the port? choose another with --port)", (BindException) t);
            }
            if (t instanceof UnknownHostException) {
                return new UncheckedIOException("cannot listen on " + address + ": unknown host '"
                        + settings.bind() + "'", (UnknownHostException) t);
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
