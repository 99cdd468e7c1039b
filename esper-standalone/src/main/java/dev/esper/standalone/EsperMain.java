package dev.esper.standalone;

import dev.esper.config.EsperConfig;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar esper.jar [options]}: parses the command line (SPEC 6), starts the server and runs
 * until {@code SIGTERM} or {@code SIGINT}.
 *
 * <h2>Exit codes</h2>
 * <ul>
 *   <li>{@code 0}: {@code --help}, {@code --version}, or stopped by {@code SIGTERM}/{@code SIGINT} after
 *       the streams were ended cleanly.</li>
 *   <li>{@code 1}: the server could not start (for example the port is in use).</li>
 *   <li>{@code 2}: a bad flag, a bad value (in a flag or its variable) or a secret that is too short.</li>
 * </ul>
 *
 * <h2>Signals</h2>
 * The JVM runs shutdown hooks on {@code SIGTERM}/{@code SIGINT} and then exits with {@code 128 + signal}
 * (143, 130). The hook installed here stops the server (stop accepting, {@code Broker.close(grace)} so
 * queued events flush and streams end with their final chunk, then stop Jetty) and ends the JVM with
 * {@code Runtime.halt(0)}: a signal is the normal way to stop a server, so it is a success. This uses no
 * internal API ({@code sun.misc.Signal}); the cost is that shutdown hooks of other libraries still running
 * at that moment are cut short, and this process registers none.
 */
public final class EsperMain {
    /** Exit code when the server cannot start. */
    static final int EXIT_START_FAILED = 1;
    /** How long past {@code --warm-up} the start waits for a warm-up to end. */
    static final long WARM_UP_GRACE_SECONDS = 10;

    private EsperMain() {
    }

    /**
     * Runs the server; returns only by exiting the JVM.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        configureLogging();
        Charset charset = Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, charset), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, charset), true);
        Cli.Parsed parsed = Cli.parse(args, System.getenv(), out, err);
        if (parsed.config() == null) {
            out.flush();
            err.flush();
            System.exit(parsed.exitCode());
            return;
        }
        EsperServer server = start(parsed.config(), err);
        if (server == null) {
            System.exit(EXIT_START_FAILED);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAndHalt(server), "esper-shutdown"));
        try {
            server.awaitStopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts the server, or prints why it cannot start.
     *
     * @return the server, or null after printing one line to {@code err}
     */
    static EsperServer start(EsperConfig config, PrintWriter err) {
        warmUp(config);
        try {
            return EsperServer.start(config);
        } catch (UncheckedIOException e) {
            err.println("esper: " + e.getMessage());
            err.flush();
            return null;
        }
    }

    /**
     * Runs the warm-up ({@code --warm-up}, see {@code WarmUp}) and logs what it did in one line; a failure is logged
     * and the start goes on. It runs on a thread of its own, waited for at most {@link EsperConfig#warmUp()} plus
     * {@value #WARM_UP_GRACE_SECONDS} s: a warm-up that does not end by then is logged with where it stands, left
     * behind (a daemon thread) and the server starts without it, so no warm-up can keep the server from starting.
     */
    static void warmUp(EsperConfig config) {
        if (config.warmUp().isZero()) {
            return;
        }
        long waitMillis = config.warmUp().toMillis() + TimeUnit.SECONDS.toMillis(WARM_UP_GRACE_SECONDS);
        awaitWarmUp(() -> WarmUp.run(config), waitMillis, config.warmUp().toSeconds());
    }

    /**
     * Runs {@code work} on a daemon thread named {@code esper-warm-up} and waits for it at most {@code waitMillis}:
     * logs its report (INFO), its failure or that it did not end in time with where it stands (WARN), and
     * returns the line logged.
     */
    static String awaitWarmUp(Callable<WarmUp.Report> work, long waitMillis, long budgetSeconds) {
        CompletableFuture<WarmUp.Report> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                done.complete(work.call());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        }, "esper-warm-up");
        thread.setDaemon(true);
        thread.start();
        String line;
        try {
            line = done.get(waitMillis, TimeUnit.MILLISECONDS) + " (--warm-up=" + budgetSeconds
                    + " caps it; 0 skips it)";
            log().info(line);
        } catch (ExecutionException e) {
            line = "warm-up failed, starting without it: " + e.getCause();
            log().warn(line);
        } catch (TimeoutException e) {
            line = "warm-up did not end within " + waitMillis / 1000.0 + " s, starting without it; it stands at "
                    + Arrays.stream(thread.getStackTrace()).limit(12).map(String::valueOf)
                            .collect(Collectors.joining(" < "));
            log().warn(line);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            line = "interrupted while waiting for the warm-up";
        }
        return line;
    }

    /** esper's logger, got only after {@link #configureLogging} has run (slf4j-simple reads its settings once). */
    private static Logger log() {
        return LoggerFactory.getLogger("esper");
    }

    private static void stopAndHalt(EsperServer server) {
        int status = 0;
        try {
            server.stop(EsperServer.DEFAULT_GRACE);
        } catch (RuntimeException e) {
            status = EXIT_START_FAILED;
        } finally {
            System.out.flush();
            System.err.flush();
        }
        Runtime.getRuntime().halt(status);
    }

    /** slf4j-simple (and java.util.logging) defaults for a server log (each overridable with {@code -D}); Jetty's chatter at WARN. */
    private static void configureLogging() {
        setIfAbsent("org.slf4j.simpleLogger.defaultLogLevel", "info");
        setIfAbsent("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
        setIfAbsent("org.slf4j.simpleLogger.showDateTime", "true");
        setIfAbsent("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
        setIfAbsent("org.slf4j.simpleLogger.showThreadName", "false");
        // Libraries that log through java.util.logging get the same one-line shape.
        setIfAbsent("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL%1$tz %4$s %3$s - %5$s%6$s%n");
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
