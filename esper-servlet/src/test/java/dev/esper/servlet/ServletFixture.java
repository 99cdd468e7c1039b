package dev.esper.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import jakarta.servlet.http.HttpServlet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One running container with {@link EsperServlet} mounted as a user would: context {@code /app}, servlet
 * at {@code /*}. Closes the container, then the broker.
 */
final class ServletFixture implements AutoCloseable {
    static final String CONTEXT = "/app";
    private static final Pattern CLIENTS = Pattern.compile("\"clients\":(\\d+)");

    final Container container;
    final Broker broker;
    final int port;
    final String prefix;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<RawHttp> streams = new ArrayList<>();

    private ServletFixture(Container container, Broker broker, int port, String prefix) {
        this.container = container;
        this.broker = broker;
        this.port = port;
        this.prefix = prefix;
    }

    /** Mounts a programmatic servlet over {@code broker} at {@code /app/*}. */
    static ServletFixture start(Container container, Broker broker, EsperConfig config) throws Exception {
        return start(container, broker, config, CONTEXT, "/*");
    }

    /** Mounts a programmatic servlet at {@code contextPath} + {@code pattern}. */
    static ServletFixture start(Container container, Broker broker, EsperConfig config, String contextPath,
            String pattern) throws Exception {
        Map<String, HttpServlet> mounts = new LinkedHashMap<>();
        mounts.put(pattern, new EsperServlet(broker, config));
        int port = container.start(contextPath, mounts, Map.of());
        String prefix = contextPath + (pattern.equals("/*") ? "" : pattern.substring(0, pattern.length() - 2));
        return new ServletFixture(container, broker, port, prefix);
    }

    /** Wraps a container the caller started with a servlet at {@code /app/*}. */
    static ServletFixture attach(Container container, Broker broker, int port) {
        return new ServletFixture(container, broker, port, CONTEXT);
    }

    /** An open (no token) servlet over a broker built from {@code broker}. */
    static ServletFixture open(Container container, Broker.Builder broker) throws Exception {
        return start(container, broker.build(), EsperConfig.builder().build());
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + prefix + path);
    }

    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> publish(String topic, String body, String... headers) throws IOException, InterruptedException {
        return send("POST", "/publish/" + topic, body, headers);
    }

    /** Opens a stream with a raw socket and waits for the status line, headers and the opening comment. */
    RawHttp subscribe(String target, String... headerLines) throws IOException {
        RawHttp s = RawHttp.connect(port);
        streams.add(s);
        s.send("GET", prefix + target, List.of(headerLines), null).readHead();
        assertThat(s.status()).as("subscribe status").isEqualTo(200);
        s.awaitBody(":ok\n\n", Duration.ofSeconds(5));
        return s;
    }

    /** Raw request on a new socket; the caller reads the response. */
    RawHttp raw(String method, String target, List<String> headerLines, byte[] body) throws IOException {
        RawHttp s = RawHttp.connect(port);
        streams.add(s);
        return s.send(method, prefix + target, headerLines, body);
    }

    /** The broker's open streams, as {@code /stats} counts them (straight from the broker). */
    int clients() {
        return broker.stats().clients();
    }

    /** {@code clients} as read over HTTP from {@code /stats}. */
    static int clientsIn(String statsJson) {
        Matcher m = CLIENTS.matcher(statsJson);
        if (!m.find()) {
            throw new AssertionError("no clients in " + statsJson);
        }
        return Integer.parseInt(m.group(1));
    }

    @Override
    public void close() {
        for (RawHttp s : streams) {
            try {
                s.close();
            } catch (IOException ignored) {
                // best effort
            }
        }
        try {
            container.close();
        } finally {
            if (broker != null) {
                broker.close(Duration.ZERO);
            }
        }
    }
}
