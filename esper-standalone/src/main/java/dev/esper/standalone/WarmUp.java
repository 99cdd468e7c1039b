package dev.esper.standalone;

import dev.esper.auth.Secret;
import dev.esper.config.EsperConfig;
import dev.esper.jwt.JwtMinter;
import dev.esper.topic.TopicId;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The standalone server's warm-up ({@code --warm-up}): before the real server opens its port, a throwaway server
 * with the same settings runs on a free loopback port and this class drives its hot paths the way clients will
 * (streams connect and subscribe, events are published and fanned out to them, streams leave with unread data,
 * keep-alive publishers post back to back), then stops it and collects its garbage.
 *
 * <p>Why: a new JVM runs esper's code interpreted, then compiles it while it serves, and the compiler threads
 * take CPU from the clients. Measured with {@code bench/compare.sh}, a cold server spent a third more CPU per
 * delivery at 20 events/s and twice the time to connect 10,000 streams than the same server a minute later;
 * the compiled code is the JVM's, so it serves the real server too. The work is a fixed amount (about 8,000
 * connections, 160,000 deliveries and 40,000 publishes), cut short at {@code budget}; it adds a few seconds
 * to the start on a small machine, and nothing of it stays: the throwaway broker is closed, its topics gone,
 * and {@code System.gc()} returns the heap it grew.
 *
 * <p>The throwaway server has the real one's settings but listens on {@code 127.0.0.1}, joins no Redis, speaks
 * no TLS, and, when a side of the real one is protected, is protected by random secrets it mints tokens with (so
 * the token check is warmed too; the key type of a JWKS is not). A failure of the warm-up is logged in one line
 * and the start goes on: it is an optimisation, never a condition.
 *
 * <p>Not thread-safe; run once, from {@code main}, before the server starts.
 */
final class WarmUp {
    /**
     * Streams per round at most; each subscribes, gets every event of the round, and leaves without reading.
     * Fewer when the server admits fewer ({@link #streamsFor}).
     */
    static final int STREAMS = 1_000;
    /** Cycles at most, however busy the JIT still is. */
    static final int MAX_CYCLES = 8;
    /** A cycle in which the JIT compiled for at most this share of its time counts as steady. */
    static final int STEADY_PERCENT = 5;
    /** Events per round, each delivered to the round's {@link #STREAMS}. */
    static final int EVENTS = 20;
    /** Publishes over keep-alive connections in a cycle, over {@link #TOPICS} topics. */
    static final int PUBLISHES = 5_000;
    static final int PUBLISHERS = 4;
    static final int TOPICS = 64;
    /** How long a read of the warm-up's clients waits at most. */
    static final int READ_TIMEOUT_MILLIS = 5_000;
    private static final byte[] BODY = ("data: " + "x".repeat(100) + "\n").getBytes(StandardCharsets.US_ASCII);

    private final EsperServer server;
    private final long deadline;
    private final String subscribeAuth;
    private final String publishAuth;
    private final int streams;
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicLong publishes = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private int cycles;

    private WarmUp(EsperServer server, long deadline, String subscribeAuth, String publishAuth, int streams) {
        this.streams = streams;
        this.server = server;
        this.deadline = deadline;
        this.subscribeAuth = subscribeAuth;
        this.publishAuth = publishAuth;
    }

    /** What a warm-up did. */
    record Report(Duration took, int cycles, long connections, long deliveries, long publishes, boolean complete) {
        @Override
        public String toString() {
            return String.format("warmed up in %.1f s%s: %d cycle(s), %,d connections, %,d deliveries, %,d publishes",
                    took.toMillis() / 1000.0, complete ? "" : " (cut short by --warm-up)", cycles, connections,
                    deliveries, publishes);
        }
    }

    /**
     * Warms up the JVM for a server of {@code config}, for at most {@link EsperConfig#warmUp()}.
     *
     * @return what was done
     * @throws IOException if the throwaway server could not be driven (it is stopped whatever happens)
     */
    static Report run(EsperConfig config) throws IOException {
        return run(config, config.warmUp());
    }

    /** {@link #run(EsperConfig)} for at most {@code budget}. */
    static Report run(EsperConfig config, Duration budget) throws IOException {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        boolean subscribeProtected = !config.noAuth()
                && (config.subscriberSecret().isPresent() || config.subscriberJwks().isPresent());
        boolean publishProtected = !config.noAuth()
                && (config.publisherSecret().isPresent() || config.publisherJwks().isPresent());
        String subscriberSecret = subscribeProtected ? randomSecret() : null;
        String publisherSecret = publishProtected ? randomSecret() : null;
        EsperConfig.Builder warm = EsperConfig.builder()
                .bind("127.0.0.1")
                .threads(config.threads())
                .historySize(config.historySize())
                .historyTtl(config.historyTtl())
                .heartbeat(config.heartbeat())
                .maxBody(config.maxBody())
                .subscriberBuffer(config.subscriberBuffer())
                .maxTopics(config.maxTopics())
                .maxSubscribers(config.maxSubscribers())
                .maxStreamTopics(config.maxStreamTopics())
                .maxRetainedBytes(config.maxRetainedBytes())
                .memoryBudget(config.memoryBudget())
                .corsOrigins(config.corsOrigins())
                .clockSkew(config.clockSkew())
                .tokenCookie(config.tokenCookie())
                .noQueryToken(config.noQueryToken())
                .warmUp(Duration.ZERO);
        if (subscribeProtected) {
            warm.subscriberSecret(subscriberSecret);
        }
        if (publishProtected) {
            warm.publisherSecret(publisherSecret);
        }
        EsperServer server = EsperServer.startQuietly(warm.build());
        try {
            String subscribeAuth = subscribeProtected ? bearer("subscriber", subscriberSecret) : "";
            String publishAuth = publishProtected ? bearer("publisher", publisherSecret) : "";
            WarmUp warmUp = new WarmUp(server, deadline, subscribeAuth, publishAuth,
                    streamsFor(config.maxSubscribers(), ConnectionCap.processFileLimit()));
            boolean complete;
            try {
                complete = warmUp.drive();
            } catch (SocketTimeoutException e) {
                if (!warmUp.late()) {
                    throw e;
                }
                complete = false; // the budget ran out while the server was still answering
            }
            return new Report(Duration.ofNanos(System.nanoTime() - start), warmUp.cycles, warmUp.connections.get(),
                    warmUp.deliveries.get(), warmUp.publishes.get(), complete);
        } finally {
            server.stop(Duration.ZERO);
            System.gc();
        }
    }

    /**
     * Streams per round for a server of {@code maxSubscribers} in a process that may open {@code fileLimit}
     * files: {@link #STREAMS}, or fewer so that the warm-up stays well inside the server's caps, counting that
     * each stream is two open files here (the server's socket and the client's).
     */
    static int streamsFor(int maxSubscribers, long fileLimit) {
        int subscribers = ConnectionCap.of(maxSubscribers, fileLimit).subscribers();
        return Math.max(0, Math.min(STREAMS, subscribers / 4));
    }

    /** An {@code Authorization} header line with a token for every topic, signed with {@code secret}. */
    private static String bearer(String name, String secret) {
        return "Authorization: Bearer " + JwtMinter.hmac(Secret.of(name, secret)).mintAllTopics(Duration.ofMinutes(5))
                + "\r\n";
    }

    /** 32 random bytes as 43 characters of base64url: a secret nobody else holds. */
    private static String randomSecret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * Runs cycles of load (a fan-out round: {@link #STREAMS} streams, {@link #EVENTS} events each, back to back or
     * paced; then {@link #PUBLISHES} publishes back to back) until the JIT is steady: until a whole cycle made the
     * compilers work less than {@value #STEADY_PERCENT}% of its time, twice in a row. A fixed amount of load is not
     * enough: the JIT raises its thresholds while its queue is long, so code that ran often in a short warm-up may
     * still be waiting for its final compilation when the first clients come.
     *
     * @return whether the JIT was steady before the deadline
     */
    private boolean drive() throws IOException {
        CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        boolean measurable = compiler != null && compiler.isCompilationTimeMonitoringSupported();
        int steady = 0;
        try (Client publisher = connect()) {
            for (int cycle = 0; !late(); cycle++) {
                long compiling = measurable ? compiler.getTotalCompilationTime() : 0;
                long began = System.nanoTime();
                fanOutRound("warmupfan" + cycle, publisher, cycle % 2 == 1);
                publishBackToBack();
                cycles++;
                if (late()) {
                    return false;
                }
                long tookMillis = (System.nanoTime() - began) / 1_000_000;
                long compiledMillis = measurable ? compiler.getTotalCompilationTime() - compiling : 0;
                steady = compiledMillis * 100 <= STEADY_PERCENT * tookMillis ? steady + 1 : 0;
                if (steady == 2 || cycle + 1 >= MAX_CYCLES) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @return false if interrupted (the interrupt kept) */
    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** How long a read may wait: up to {@value #READ_TIMEOUT_MILLIS} ms, never much past the deadline. */
    private int readTimeoutMillis() {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        return (int) Math.max(100, Math.min(READ_TIMEOUT_MILLIS, left + 100));
    }

    private boolean late() {
        return System.nanoTime() - deadline > 0;
    }

    /**
     * The round's streams, on one topic, get {@link #EVENTS} events, then leave without reading them. The
     * requests carry what browsers and load generators send (half with an {@code Origin}); the events come back to
     * back, or {@code paced} a millisecond apart, as a low rate publishes them (each then its own write).
     */
    private void fanOutRound(String topic, Client publisher, boolean paced) throws IOException {
        List<Client> open = new ArrayList<>(streams);
        try {
            String request = "GET /subscribe/" + topic + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Accept: text/event-stream\r\nCache-Control: no-cache\r\nUser-Agent: esper-warm-up\r\n"
                    + subscribeAuth;
            byte[] plain = (request + "\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] cors = (request + "Origin: http://localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < streams && !late(); i++) {
                Client stream = connect();
                open.add(stream);
                stream.out.write(i % 2 == 0 ? plain : cors);
            }
            for (Client stream : open) {
                if (late()) {
                    return;
                }
                expectStatus(stream.in, 200, "GET /subscribe/" + topic);
            }
            for (int i = 0; i < EVENTS && !late(); i++) {
                publish(publisher, topic, i);
                deliveries.addAndGet(open.size());
                if (paced) {
                    pause(1);
                }
            }
        } finally {
            for (Client stream : open) {
                stream.close();
            }
        }
    }

    /** {@link #PUBLISHERS} keep-alive connections post {@link #PUBLISHES} events in all, back to back. */
    private void publishBackToBack() throws IOException {
        List<Thread> threads = new ArrayList<>();
        IOException[] failure = new IOException[1];
        for (int p = 0; p < PUBLISHERS; p++) {
            int first = p;
            Thread thread = new Thread(() -> {
                try (Client socket = connect()) {
                    for (int i = first; i < PUBLISHES && !late(); i += PUBLISHERS) {
                        publish(socket, "warmuppub" + (i % TOPICS), i);
                    }
                } catch (IOException e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
            }, "esper-warm-up-" + p);
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        synchronized (failure) {
            if (failure[0] != null) {
                throw failure[0];
            }
        }
    }

    private Client connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoLinger(true, 0);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
            socket.setSoTimeout(readTimeoutMillis());
            connections.incrementAndGet();
            return new Client(socket, new BufferedInputStream(socket.getInputStream(), 1024), socket.getOutputStream());
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A client connection: its socket and its two sides, the input buffered. It closes with a reset (linger 0),
     * as a browser tab that goes away may: a warm-up opens thousands of connections, and an orderly close would
     * leave each client port in {@code TIME_WAIT} for a minute, so that a few starts in a row (tests, benchmarks)
     * would run the machine out of ephemeral ports.
     */
    private record Client(Socket socket, InputStream in, OutputStream out) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * One publish on a keep-alive connection, its response read whole; the {@code n}th is {@code text/plain} or
     * {@code text/event-stream} in turn.
     */
    private void publish(Client client, String topic, int n) throws IOException {
        String head = "POST /publish/" + TopicId.of(topic) + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: " + (n % 2 == 0 ? "text/plain" : "text/event-stream") + "\r\nContent-Length: "
                + BODY.length + "\r\n" + publishAuth + "\r\n";
        byte[] bytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[bytes.length + BODY.length];
        System.arraycopy(bytes, 0, request, 0, bytes.length);
        System.arraycopy(BODY, 0, request, bytes.length, BODY.length);
        client.out.write(request);
        int length = expectStatus(client.in, 200, "POST /publish/" + topic);
        client.in.skipNBytes(length);
        publishes.incrementAndGet();
    }

    /**
     * Reads a response head and checks its status.
     *
     * @return its {@code Content-Length}, or 0
     * @throws IOException if the status is another, or the head does not come
     */
    private static int expectStatus(InputStream in, int status, String what) throws IOException {
        StringBuilder head = new StringBuilder(256);
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException(what + ": connection closed before the response head");
            }
            head.append((char) b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : b == '\r' ? 1 : 0;
        }
        String text = head.toString();
        if (!text.startsWith("HTTP/1.1 " + status + " ")) {
            throw new IOException(what + ": " + text.lines().findFirst().orElse(""));
        }
        int length = 0;
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(line.substring(colon + 1).trim());
            }
        }
        return length;
    }
}
