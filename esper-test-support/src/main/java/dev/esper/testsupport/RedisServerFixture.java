package dev.esper.testsupport;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} for tests: started on a free loopback port with its own temporary directory,
 * stopped (and the directory removed) by {@link #close()}. {@link #kill()} and {@link #start()} simulate an
 * outage: the port and directory stay, and with {@code appendOnly} the data survives the restart.
 *
 * <p>Needs {@code redis-server} on the {@code PATH} (Debian package {@code redis-server}; {@code .ci/run}
 * installs it). Not thread-safe.
 */
public final class RedisServerFixture implements AutoCloseable {
    private final int port;
    private final Path dir;
    private final boolean appendOnly;
    private Process process;

    private RedisServerFixture(boolean appendOnly) {
        this.appendOnly = appendOnly;
        this.port = Ports.freePort();
        try {
            this.dir = Files.createTempDirectory("esper-redis-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a Redis; with {@code appendOnly} (fsync always) its data survives {@link #kill()} and {@link #start()}. */
    public static RedisServerFixture start(boolean appendOnly) {
        RedisServerFixture r = new RedisServerFixture(appendOnly);
        r.start();
        return r;
    }

    /** {@code redis://127.0.0.1:<port>}. */
    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** The port. */
    public int port() {
        return port;
    }

    /** (Re)starts the server on the same port and directory and waits until it answers {@code PING}. */
    public void start() {
        List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind",
                "127.0.0.1", "--dir", dir.toString(), "--save", "", "--daemonize", "no", "--protected-mode", "no"));
        if (appendOnly) {
            cmd.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
        } else {
            cmd.addAll(List.of("--appendonly", "no"));
        }
        try {
            process = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-server (Debian package redis-server)", e);
        }
        await("redis-server on port " + port).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                .until(() -> "+PONG".equals(command("PING")));
    }

    /** Kills the server at once (SIGKILL), as a crash would. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /**
     * Sends one inline command and returns the first line of the answer, or null if the server cannot be
     * reached.
     */
    public String command(String inline) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder sb = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover temporary directory is harmless.
        }
    }
}
