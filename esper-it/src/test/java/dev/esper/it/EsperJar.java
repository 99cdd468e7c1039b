package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.testsupport.Ports;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real fat jar ({@code java -jar esper.jar}) as a separate process on a free loopback port, with its
 * standard error (where the server logs) and standard output captured as they arrive, and readings of the
 * process from outside: {@code /stats}, the live heap after a full GC ({@code jcmd GC.class_histogram}),
 * RSS, threads and open file descriptors ({@code /proc/<pid>}).
 *
 * <p>Why a separate process: the server's memory is then measured alone (no test client objects in the
 * same heap), the tests open up to 5,000 client sockets without sharing the 20,000 file-descriptor limit
 * with the server's own sockets, and the logs are exactly what an operator would see. Test code only;
 * thread-safe.
 */
final class EsperJar implements AutoCloseable {
    static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern STAT = Pattern.compile("\"([a-z_]+)\"\\s*:\\s*(\\d+)");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)\\s*$");
    private static final Pattern PROC_STATUS = Pattern.compile("(?m)^(VmRSS|Threads):\\s+(\\d+)");

    private final Process process;
    private final int port;
    private final StringBuffer stderr = new StringBuffer();
    private final StringBuffer stdout = new StringBuffer();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Set by the pump threads once their stream ended. */
    private volatile boolean stderrDone;
    private volatile boolean stdoutDone;
    private volatile String statsToken;

    private EsperJar(Process process, int port) {
        this.process = process;
        this.port = port;
        pump(process.getErrorStream(), stderr, true);
        pump(process.getInputStream(), stdout, false);
    }

    /** Options for {@link #start}: JVM flags, esper flags and environment variables. */
    static final class Options {
        final List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC"));
        final List<String> args = new ArrayList<>();
        final Map<String, String> env = new LinkedHashMap<>();
        /** The open-files limit ({@code ulimit -n}) to start the server under; 0 for this process's own. */
        int fileLimit;

        Options jvm(String... flags) {
            jvm.addAll(List.of(flags));
            return this;
        }

        /** Replaces the default heap bound ({@code -Xmx256m}). */
        Options maxHeap(String xmx) {
            jvm.removeIf(f -> f.startsWith("-Xmx"));
            jvm.add("-Xmx" + xmx);
            return this;
        }

        Options args(String... flags) {
            args.addAll(List.of(flags));
            return this;
        }

        Options env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Starts the server under {@code ulimit -n files} (through {@code sh}), as an operator's shell might. */
        Options fileLimit(int files) {
            fileLimit = files;
            return this;
        }
    }

    static Options options() {
        return new Options();
    }

    /** The fat jar; failsafe passes its path (esper-standalone's {@code target/esper.jar}). */
    static Path jar() {
        String path = System.getProperty("esper.jar");
        if (path == null) {
            throw new IllegalStateException("system property esper.jar is not set: run with 'mvn verify'");
        }
        Path jar = Path.of(path);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no jar at " + jar + ": build esper-standalone first (mvn package)");
        }
        return jar;
    }

    /** Starts the jar on a free port of 127.0.0.1 and waits for its banner. */
    static EsperJar start(Options options) {
        for (int attempt = 1;; attempt++) {
            try {
                return startOn(Ports.freePort(), options);
            } catch (AssertionError e) {
                // Another process took the port between our check and the server's bind: try another.
                if (attempt >= 5 || !String.valueOf(e.getMessage()).contains("address already in use")) {
                    throw e;
                }
            }
        }
    }

    private static EsperJar startOn(int port, Options options) {
        List<String> command = new ArrayList<>();
        if (options.fileLimit > 0) {
            command.addAll(List.of("sh", "-c", "ulimit -n " + options.fileLimit + " && exec \"$0\" \"$@\""));
        }
        command.add(javaTool("java"));
        command.addAll(options.jvm);
        command.add("-jar");
        command.add(jar().toString());
        command.add("--bind=127.0.0.1");
        command.add("--port=" + port);
        command.addAll(options.args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(k -> k.startsWith("ESPER_"));
        builder.environment().putAll(options.env);
        EsperJar jar;
        try {
            jar = new EsperJar(builder.start(), port);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        try {
            jar.awaitLog("listening on http://127.0.0.1:" + port, START_TIMEOUT);
        } catch (AssertionError e) {
            jar.close();
            throw e;
        }
        return jar;
    }

    private static String javaTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Everything the server wrote to standard error (its log) so far. */
    String log() {
        return stderr.toString();
    }

    /** Everything the server wrote to standard output so far. */
    String stdout() {
        return stdout.toString();
    }

    /** The token {@link #stats()} sends, when the publisher side is protected. */
    void statsToken(String token) {
        this.statsToken = token;
    }

    /** Waits until the log contains {@code text}. */
    void awaitLog(String text, Duration timeout) {
        try {
            await("log line '" + text + "'").atMost(timeout).pollInterval(Duration.ofMillis(50))
                    .failFast("the server exited", () -> !process.isAlive() && stderrDone && !log().contains(text))
                    .until(() -> log().contains(text));
        } catch (RuntimeException e) {
            throw new AssertionError(e.getMessage() + "; server log:\n" + log(), e);
        }
    }

    /** {@code GET /stats} as name → number. */
    Map<String, Long> stats() {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri("/stats")).timeout(Duration.ofSeconds(20));
        String token = statsToken;
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET /stats failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        assertThat(response.statusCode()).as("GET /stats: %s", response.body()).isEqualTo(200);
        Map<String, Long> stats = new LinkedHashMap<>();
        Matcher m = STAT.matcher(response.body());
        while (m.find()) {
            stats.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return stats;
    }

    long stat(String name) {
        Long v = stats().get(name);
        if (v == null) {
            throw new AssertionError("no '" + name + "' in /stats");
        }
        return v;
    }

    /**
     * Bytes of live objects in the server's heap, after the full GC that {@code jcmd GC.class_histogram}
     * forces: what the server really holds, whatever the collector and its sizing. A {@code GC.run} goes
     * first: objects kept by finalizers or pending references survive one full GC, and a single one right
     * after a load was measured to report 8 MB that the next one freed.
     */
    long liveHeapBytes() {
        jcmd("GC.run");
        String histogram = jcmd("GC.class_histogram");
        Matcher m = HISTOGRAM_TOTAL.matcher(histogram);
        if (!m.find()) {
            throw new AssertionError("no Total line in jcmd GC.class_histogram output: "
                    + histogram.substring(Math.max(0, histogram.length() - 500)));
        }
        return Long.parseLong(m.group(2));
    }

    /** Runs {@code jcmd <pid> <command>} and returns its output. */
    String jcmd(String... command) {
        List<String> full = new ArrayList<>(List.of(javaTool("jcmd"), Long.toString(pid())));
        full.addAll(List.of(command));
        try {
            Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError(full + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Resident set size in KiB ({@code /proc/<pid>/status} VmRSS). */
    long rssKib() {
        return procStatus("VmRSS");
    }

    /** Live threads of the server process ({@code /proc/<pid>/status} Threads). */
    long threads() {
        return procStatus("Threads");
    }

    /** Open file descriptors of the server process ({@code /proc/<pid>/fd}). */
    long openFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long procStatus(String field) {
        try {
            Matcher m = PROC_STATUS.matcher(Files.readString(Path.of("/proc", Long.toString(pid()), "status")));
            while (m.find()) {
                if (m.group(1).equals(field)) {
                    return Long.parseLong(m.group(2));
                }
            }
            throw new AssertionError("no " + field + " in /proc/" + pid() + "/status");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends a signal by name ({@code TERM}, {@code INT}). */
    void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + name + " " + pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Waits for the process to exit and its output to be read; returns the exit status. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("server still running after " + timeout.toMillis() + " ms; log:\n" + log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> stderrDone && stdoutDone);
        return process.exitValue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Lines of the log that look like a failure inside the server: stack frames or exception names. */
    List<String> exceptionLines() {
        List<String> bad = new ArrayList<>();
        for (String line : log().split("\\R")) {
            if (line.startsWith("\tat ") || line.contains("Exception") || line.contains(" ERROR ")
                    || line.contains("Error:") || line.contains("SEVERE")) {
                bad.add(line);
            }
        }
        return bad;
    }

    private void pump(InputStream in, StringBuffer into, boolean isStderr) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    into.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                into.append("\n[read failed: ").append(e).append(']');
            } finally {
                if (isStderr) {
                    stderrDone = true;
                } else {
                    stdoutDone = true;
                }
            }
        }, (isStderr ? "stderr of " : "stdout of ") + process.pid());
        t.setDaemon(true);
        t.start();
    }

    /** Kills the process if it still runs. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
