package dev.esper.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.esper.testsupport.Ports;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * esper's servlet in Tomcat 11 set up as docs/servlet.md says (the examples' {@code TomcatEmbeddedApp}, with the
 * JVM settings of {@code bin/esper}), in a process of its own, holds ten thousand open streams, and every one of
 * them receives an event published after they opened (issue 20: Tomcat's default connection cap held 8,192), each
 * keeping little more than its connection (the streams take their connections over from Tomcat's processors).
 * The streams are opened from this JVM, so that each process needs one file descriptor per stream; where the
 * open-files limit allows fewer than 10,000 the test opens as many as it allows and says so.
 */
@Tag("heavy")
class TomcatStreamsIT {
    private static final int WANTED = 10_000;
    /** Descriptors each process keeps for itself (class path, logs, selectors) besides the streams. */
    private static final int OWN_FILES = 300;
    private static final int IN_FLIGHT = 64;
    private static final String TOPIC = "tomcatstreams01";
    private static final Pattern LIVE_HEAP = Pattern.compile("(?m)^Total\\s+(\\d+)\\s+(\\d+)\\s*$");

    private Process tomcat;
    private Path output;
    private final List<SocketChannel> streams = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (SocketChannel s : streams) {
            s.close();
        }
        if (tomcat != null) {
            tomcat.destroy();
            if (!tomcat.waitFor(30, TimeUnit.SECONDS)) {
                tomcat.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (output != null) {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void tenThousandStreamsOpenAndEveryOneReceivesAnEvent() throws Exception {
        long files = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount();
        int n = (int) Math.min(WANTED, files - OWN_FILES);
        System.out.printf("tomcat streams: open-files limit %d per process, so %d streams%n", files, n);
        assertThat(n).as("streams the open-files limit allows").isGreaterThan(1_000);

        int port = startTomcat();
        long rssBefore = rssKib();
        long start = System.nanoTime();
        try (Selector selector = Selector.open()) {
            Streams s = new Streams(selector, n);
            s.openAll(port, Duration.ofSeconds(120));
            double connectSeconds = (System.nanoTime() - start) / 1e9;
            long rssOpen = rssKib();
            long liveHeap = liveHeapBytes();

            HttpResponse<String> published = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/events/publish/" + TOPIC))
                            .POST(HttpRequest.BodyPublishers.ofString("data: to all\n"))
                            .timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
            assertThat(published.body()).contains("\"subscribers\":" + n);

            int received = s.awaitAll("data: to all\n\n", Duration.ofSeconds(60));
            System.out.printf("tomcat streams: %d opened in %.1f s, %d received the event; server RSS %d KiB more"
                    + " (%.1f KiB per stream), live heap %.1f KiB per stream%n", n, connectSeconds, received,
                    rssOpen - rssBefore, (rssOpen - rssBefore) / (double) n, liveHeap / 1024.0 / n);
            assertThat(received).as("streams that received the event").isEqualTo(n);
            // Each stream took its connection over from Tomcat's HTTP processor (TomcatHandOver): about 6.5 KiB of
            // live heap per stream, where an asynchronous request keeps about 75 KiB with the same settings.
            assertThat(liveHeap / n).as("bytes of live heap per open stream").isLessThan(16 * 1024);
        }
    }

    /** Starts TomcatEmbeddedApp on a free port and waits for its banner; returns the port. */
    private int startTomcat() throws IOException, InterruptedException {
        for (int attempt = 1;; attempt++) {
            int port = Ports.freePort();
            output = Files.createTempFile("esper-tomcat", ".log");
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:+UseSerialGC", "-Xms32m", "-Xmn16m", "-Xmx1g", "-Xss512k",
                    "-cp", classPath(), "dev.esper.examples.embedded.TomcatEmbeddedApp",
                    Integer.toString(port), "127.0.0.1"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().keySet().removeIf(k -> k.startsWith("ESPER_"));
            tomcat = builder.start();
            String banner = "esper on Tomcat: http://localhost:" + port + "/";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String log = Files.readString(output, StandardCharsets.UTF_8);
                if (log.contains(banner)) {
                    return port;
                }
                if (!tomcat.isAlive()) {
                    if (attempt < 5 && log.contains("Address already in use")) {
                        break;
                    }
                    throw new AssertionError("Tomcat exited with " + tomcat.exitValue() + ":\n" + log);
                }
                Thread.sleep(100);
            }
            if (tomcat.isAlive()) {
                throw new AssertionError("no banner from Tomcat within 60 s:\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            Files.deleteIfExists(output);
        }
    }

    /** The test class path (Failsafe passes it; its java.class.path may be a manifest-only jar). */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path");
    }

    private long rssKib() throws IOException {
        Matcher m = Pattern.compile("(?m)^VmRSS:\\s+(\\d+)")
                .matcher(Files.readString(Path.of("/proc", Long.toString(tomcat.pid()), "status")));
        assertThat(m.find()).as("VmRSS of the Tomcat process").isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Live objects in the server's heap, after the full collection that the class histogram forces. */
    private long liveHeapBytes() throws IOException, InterruptedException {
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(tomcat.pid()), "GC.class_histogram").redirectErrorStream(true).start();
        String histogram = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(jcmd.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Matcher m = LIVE_HEAP.matcher(histogram);
        assertThat(m.find()).as("a Total line in: %s", histogram).isTrue();
        return Long.parseLong(m.group(2));
    }

    /**
     * Raw subscribers on one selector: at most {@value #IN_FLIGHT} waiting for their response head at once, each
     * keeping what it received as text (a head, {@code :ok}, an event and a few heartbeats).
     */
    private final class Streams {
        private final Selector selector;
        private final int n;
        private final ByteBuffer buffer = ByteBuffer.allocateDirect(8192);
        private final byte[] request = ("GET /events/subscribe/" + TOPIC + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        private int heads;

        Streams(Selector selector, int n) {
            this.selector = selector;
            this.n = n;
        }

        void openAll(int port, Duration timeout) throws IOException {
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (heads < n) {
                assertThat(System.nanoTime()).as("all %d streams open within %s; %d are", n, timeout, heads)
                        .isLessThan(deadline);
                while (streams.size() < n && streams.size() - heads < IN_FLIGHT) {
                    SocketChannel c = SocketChannel.open(address);
                    streams.add(c);
                    ByteBuffer r = ByteBuffer.wrap(request);
                    while (r.hasRemaining()) {
                        c.write(r);
                    }
                    c.configureBlocking(false);
                    c.register(selector, SelectionKey.OP_READ, new StringBuilder());
                }
                readFor(100);
            }
        }

        /** Reads until every stream has received {@code expected}; returns how many have. */
        int awaitAll(String expected, Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            int count = 0;
            while (System.nanoTime() < deadline) {
                readFor(100);
                count = 0;
                for (SelectionKey k : selector.keys()) {
                    if (((StringBuilder) k.attachment()).indexOf(expected) >= 0) {
                        count++;
                    }
                }
                if (count == n) {
                    break;
                }
            }
            return count;
        }

        private void readFor(long millis) throws IOException {
            selector.select(millis);
            for (SelectionKey k : selector.selectedKeys()) {
                StringBuilder text = (StringBuilder) k.attachment();
                buffer.clear();
                int read = ((SocketChannel) k.channel()).read(buffer);
                if (read < 0) {
                    throw new AssertionError("a stream was closed by the server; it had received: " + text);
                }
                boolean hadHead = text.indexOf("\r\n\r\n") >= 0;
                buffer.flip();
                text.append(StandardCharsets.US_ASCII.decode(buffer));
                if (!hadHead && text.indexOf("\r\n\r\n") >= 0) {
                    assertThat(text.toString()).as("a stream's head").startsWith("HTTP/1.1 200 ");
                    heads++;
                }
            }
            selector.selectedKeys().clear();
        }
    }
}
