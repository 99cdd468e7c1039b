package dev.esper.standalone;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A process started as a user would (the real fat jar via {@code java -jar}, or {@code curl}), whose
 * combined output is collected as it arrives. Test code only.
 */
final class EsperProcess implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final StringBuffer output = new StringBuffer();
    /** Set by the pump thread once the output has ended. */
    private volatile boolean pumped;

    private EsperProcess(Process process) {
        this.process = process;
        Thread pump = new Thread(() -> pump(process.getInputStream()), "output of " + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /** The fat jar built by {@code package}; failsafe passes its path. */
    static Path jar() {
        String path = System.getProperty("esper.jar");
        if (path == null) {
            throw new IllegalStateException("system property esper.jar is not set: run with 'mvn verify'");
        }
        Path jar = Path.of(path);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no jar at " + jar + ": run 'mvn package' first");
        }
        return jar;
    }

    /** {@code java -jar esper.jar args…}, with no ESPER_* variables but those given. */
    static EsperProcess esper(Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx128m");
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return start(command, env);
    }

    /** Any command (curl, bash), with no ESPER_* variables. */
    static EsperProcess command(String... command) {
        return start(List.of(command), Map.of());
    }

    private static EsperProcess start(List<String> command, Map<String, String> env) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("ESPER_"));
        builder.environment().putAll(env);
        try {
            return new EsperProcess(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** Everything printed so far, stdout and stderr together. */
    String output() {
        return output.toString();
    }

    /** Waits until the output contains {@code text}; returns the output. */
    String awaitOutput(String text) {
        try {
            await("output containing '" + text + "'").atMost(TIMEOUT)
                    .failFast("the process exited", () -> !process.isAlive() && pumped && !output().contains(text))
                    .until(() -> output().contains(text));
        } catch (RuntimeException e) {
            throw new AssertionError(e.getMessage() + " without printing '" + text + "'; its output:\n" + output(), e);
        }
        return output();
    }

    /** Waits for the process to exit and returns its exit code. */
    int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("process still running after " + timeout.toMillis() + " ms; output:\n"
                        + output());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        // Let the pump take the last bytes.
        await().atMost(Duration.ofSeconds(5)).until(() -> pumped);
        return process.exitValue();
    }

    /** Sends a signal by name ({@code TERM}, {@code INT}). */
    void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + name + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    boolean isAlive() {
        return process.isAlive();
    }

    private void pump(InputStream in) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            output.append("\n[output read failed: ").append(e).append(']');
        } finally {
            pumped = true;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
