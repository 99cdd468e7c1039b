package dev.esper.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.HttpClientTransport;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.StringRequestContent;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.client.transport.HttpClientTransportOverHTTP2;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A load tool for what {@code bench/ssebench} cannot do: TLS and HTTP/2. It opens {@code --subs} subscribers
 * of one topic with Jetty's client, over HTTP/1.1 (a connection each) or HTTP/2 (streams multiplexed on at most
 * {@code --connections} connections), in cleartext ({@code http://}, h2c prior knowledge for HTTP/2) or TLS
 * ({@code https://}, ALPN; certificates are not checked). With {@code --pid} it reads the server's RSS and CPU
 * from {@code /proc}, and its heap after a full GC with {@code jcmd}.
 *
 * <ul>
 *   <li>{@code idle}: server RSS and heap per subscriber, measured before connecting and once all are open
 *       (start the server fresh: allocators rarely give memory back).</li>
 *   <li>{@code fanout}: publishes {@code --messages} events of {@code --size} bytes with {@code --publishers}
 *       in flight (at {@code --rate} events per second, or as fast as possible), waits until every subscriber
 *       has every event, and prints deliveries per second and the server's CPU microseconds per delivery
 *       (utime + stime of {@code --pid} over the run). As fast as possible, events that wait for a slow
 *       client leave together in one write, so CPU per delivery depends on the client's speed; at a rate the
 *       server keeps up with, each event is a write of its own.</li>
 * </ul>
 *
 * <pre>
 * java -cp "$(cat cp.txt)" dev.esper.bench.SseLoad idle --url=https://127.0.0.1:3443 --protocol=h2 \
 *     --subs=10000 --connections=10 --pid=$PID
 * </pre>
 *
 * The last line of the output is {@code RESULT key=value ...}. Test code quality, not a product: single run,
 * no warm-up beyond what the caller does.
 */
public final class SseLoad {
    /** A heap line of {@code jcmd GC.heap_info}: "def new generation total 14784K, used 1234K". */
    private static final Pattern USED = Pattern.compile("used (\\d+)K");
    private final Map<String, String> options;
    private final URI url;
    private final boolean h2;
    private final int subs;
    private final long pid;
    private final String topic;
    private final HttpClient client;
    private final List<AtomicLong> received = new ArrayList<>();

    private SseLoad(Map<String, String> options) throws Exception {
        this.options = options;
        this.url = URI.create(option("url", "http://127.0.0.1:3000"));
        this.h2 = option("protocol", "h1").equals("h2");
        this.subs = Integer.parseInt(option("subs", "1000"));
        this.pid = Long.parseLong(option("pid", "0"));
        this.topic = "load" + Long.toHexString(System.nanoTime());
        int connections = Integer.parseInt(option("connections", h2 ? "10" : Integer.toString(subs + 64)));
        HttpClientTransport transport;
        if (h2) {
            HTTP2Client http2 = new HTTP2Client();
            http2.setInitialSessionRecvWindow(64 * 1024 * 1024);
            http2.setInitialStreamRecvWindow(1024 * 1024);
            transport = new HttpClientTransportOverHTTP2(http2);
        } else {
            transport = new HttpClientTransportOverHTTP(2);
        }
        client = new HttpClient(transport);
        SslContextFactory.Client tls = new SslContextFactory.Client(true);
        tls.setEndpointIdentificationAlgorithm(null);
        client.setSslContextFactory(tls);
        client.setMaxConnectionsPerDestination(connections);
        client.setMaxRequestsQueuedPerDestination(subs + 100_000);
        client.setIdleTimeout(0);
        client.start();
    }

    private String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    /**
     * Runs a mode.
     *
     * @param args {@code idle|fanout --name=value ...}
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            int eq = a.indexOf('=');
            options.put(a.substring(2, eq < 0 ? a.length() : eq), eq < 0 ? "true" : a.substring(eq + 1));
        }
        SseLoad load = new SseLoad(options);
        try {
            if (args.length > 0 && args[0].equals("fanout")) {
                load.fanout();
            } else {
                load.idle();
            }
        } finally {
            load.client.stop();
        }
    }

    private void idle() throws Exception {
        long heapBefore = heapAfterGc();
        long rssBefore = rss();
        long start = System.nanoTime();
        subscribe();
        double connectSeconds = (System.nanoTime() - start) / 1e9;
        Thread.sleep(Long.parseLong(option("settle", "2")) * 1000);
        long rssAfter = rss();
        long heapAfter = heapAfterGc();
        System.out.printf(Locale.ROOT, "RESULT mode=idle protocol=%s scheme=%s subs=%d connect_s=%.2f "
                        + "rss_before_b=%d rss_after_b=%d rss_per_sub_b=%d heap_before_b=%d heap_after_b=%d "
                        + "heap_per_sub_b=%d%n", h2 ? "h2" : "h1", url.getScheme(), subs, connectSeconds, rssBefore,
                rssAfter, (rssAfter - rssBefore) / subs, heapBefore, heapAfter, (heapAfter - heapBefore) / subs);
    }

    private void fanout() throws Exception {
        int messages = Integer.parseInt(option("messages", "2000"));
        int size = Integer.parseInt(option("size", "100"));
        int publishers = Integer.parseInt(option("publishers", "4"));
        double rate = Double.parseDouble(option("rate", "0"));
        subscribe();
        Thread.sleep(1000);
        String payload = "x".repeat(size);
        long cpuBefore = cpuTicks();
        long start = System.nanoTime();
        Semaphore inFlight = new Semaphore(publishers);
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < messages; i++) {
            if (rate > 0) {
                long due = start + (long) (i * 1e9 / rate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            inFlight.acquire();
            client.newRequest(url.resolve("/publish/" + topic)).method(HttpMethod.POST)
                    .body(new StringRequestContent("data: " + i + " " + payload))
                    .send(result -> {
                        if (result.isFailed() || result.getResponse().getStatus() != 200) {
                            failed.incrementAndGet();
                        }
                        inFlight.release();
                    });
        }
        long expected = (long) messages * subs;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (delivered() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpu = cpuTicks() - cpuBefore;
        long delivered = delivered();
        double cpuMicros = cpu * 10_000.0;
        System.out.printf(Locale.ROOT, "RESULT mode=fanout protocol=%s scheme=%s subs=%d messages=%d size=%d "
                        + "publishers=%d rate=%.0f delivered=%d expected=%d publish_failed=%d seconds=%.2f "
                        + "deliveries_per_s=%.0f srv_cpu_s=%.2f srv_cpu_us_per_delivery=%.2f%n", h2 ? "h2" : "h1",
                url.getScheme(), subs, messages, size, publishers, rate, delivered, expected, failed.get(), seconds,
                delivered / seconds, cpu / 100.0, delivered == 0 ? 0 : cpuMicros / delivered);
    }

    /** Opens the subscribers and waits for each one's opening comment. */
    private void subscribe() throws InterruptedException {
        CountDownLatch open = new CountDownLatch(subs);
        AtomicInteger failures = new AtomicInteger();
        Semaphore connecting = new Semaphore(256);
        for (int i = 0; i < subs; i++) {
            AtomicLong events = new AtomicLong();
            received.add(events);
            connecting.acquire();
            client.newRequest(url.resolve("/subscribe/" + topic)).idleTimeout(0, TimeUnit.SECONDS)
                    .send(new Response.Listener() {
                        private boolean opened;
                        /** The last bytes seen, to find "data:" across buffers. */
                        private int window;

                        @Override
                        public void onContent(Response response, ByteBuffer content) {
                            if (!opened) {
                                opened = true;
                                connecting.release();
                                open.countDown();
                            }
                            while (content.hasRemaining()) {
                                window = window << 8 | (content.get() & 0xff);
                                // The last four bytes read "ata:": one "data:" line, one event (payloads are 'x's).
                                if (window == ('a' << 24 | 't' << 16 | 'a' << 8 | ':')) {
                                    events.incrementAndGet();
                                }
                            }
                        }

                        @Override
                        public void onFailure(Response response, Throwable failure) {
                            if (!opened) {
                                failures.incrementAndGet();
                                connecting.release();
                                open.countDown();
                            }
                        }
                    });
        }
        if (!open.await(120, TimeUnit.SECONDS) || failures.get() > 0) {
            throw new IllegalStateException("subscribers not open: " + open.getCount() + " pending, "
                    + failures.get() + " failed");
        }
    }

    private long delivered() {
        long n = 0;
        for (AtomicLong r : received) {
            n += r.get();
        }
        return n;
    }

    /** The server's resident set, bytes; 0 without {@code --pid}. */
    private long rss() throws IOException {
        if (pid == 0) {
            return 0;
        }
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    /** The server's utime + stime, clock ticks; 0 without {@code --pid}. */
    private long cpuTicks() throws IOException {
        if (pid == 0) {
            return 0;
        }
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The server's heap in use after a full GC ({@code jcmd GC.run}, then {@code GC.heap_info}), bytes. */
    private long heapAfterGc() throws Exception {
        if (pid == 0) {
            return 0;
        }
        jcmd("GC.run");
        long used = 0;
        for (String line : jcmd("GC.heap_info").split("\n")) {
            Matcher m = USED.matcher(line);
            if (!line.contains("Metaspace") && !line.contains("class space") && m.find()) {
                used += Long.parseLong(m.group(1)) * 1024;
            }
        }
        return used;
    }

    private String jcmd(String command) throws Exception {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
