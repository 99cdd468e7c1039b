package dev.esper.testsupport;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on loopback serving a JWK Set at {@code /jwks.json}, as an identity provider does: the JDK's
 * {@code com.sun.net.httpserver}, no mock. A test changes what it serves (keys, any text, an error status, a delay),
 * holds its answers until it says so ({@link #hold}, {@link #awaitHeld}, {@link #release}), counts the requests, and
 * stops it to play a provider that is down. Thread-safe.
 */
public final class JwksServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    /** What a request gets; replaced by the test. */
    private volatile String body;
    private volatile int status = 200;
    private volatile long delayMillis;
    /** While set, each request waits for it before it is answered. */
    private volatile CountDownLatch gate;
    /** One permit per request that reached the gate. */
    private final Semaphore held = new Semaphore(0);

    private JwksServer(HttpServer server, String body) {
        this.server = server;
        this.body = body;
    }

    /** Starts serving a JWK Set of these keys on a free port of 127.0.0.1. */
    public static JwksServer start(SigningKey... keys) {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            JwksServer s = new JwksServer(http, SigningKey.jwkSet(keys));
            http.createContext("/jwks.json", exchange -> {
                s.requests.incrementAndGet();
                try {
                    CountDownLatch g = s.gate;
                    if (g != null) {
                        s.held.release();
                        g.await(60, TimeUnit.SECONDS);
                    }
                    if (s.delayMillis > 0) {
                        Thread.sleep(s.delayMillis);
                    }
                    byte[] bytes = s.body.getBytes(StandardCharsets.UTF_8);
                    exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
                    exchange.sendResponseHeaders(s.status, bytes.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (IOException e) {
                    // the client left (a timeout): nothing to answer
                } finally {
                    exchange.close();
                }
            });
            http.setExecutor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "jwks-server");
                t.setDaemon(true);
                return t;
            }));
            http.start();
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>/jwks.json}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    /** Serves a JWK Set of these keys from now on, with status 200. */
    public JwksServer serve(SigningKey... keys) {
        return serveText(SigningKey.jwkSet(keys));
    }

    /** Serves this exact text from now on, with status 200. */
    public JwksServer serveText(String text) {
        this.body = text;
        this.status = 200;
        return this;
    }

    /** Answers every request with {@code status} (and the same body) from now on. */
    public JwksServer failWith(int status) {
        this.status = status;
        return this;
    }

    /** Waits this long before each answer from now on. */
    public JwksServer delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    /**
     * From now on, holds each request unanswered until {@link #release()}: a provider that answers slowly, for as
     * long as the test needs, without timing.
     */
    public JwksServer hold() {
        this.gate = new CountDownLatch(1);
        return this;
    }

    /**
     * Waits until a request is being held by {@link #hold()} (each call takes one such request).
     *
     * @throws AssertionError if none is within {@code timeout}
     */
    public void awaitHeld(Duration timeout) throws InterruptedException {
        if (!held.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("no JWK Set request arrived within " + timeout);
        }
    }

    /** Answers the requests held, and answers at once from now on. */
    public JwksServer release() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
        return this;
    }

    /** The requests served so far. */
    public int requests() {
        return requests.get();
    }

    /** Stops listening: the provider is down (connections are refused). */
    @Override
    public void close() {
        release();
        server.stop(0);
    }
}
