package dev.esper.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.auth.AccessPolicy;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One running front end with esper's HTTP API mounted as a user would: context {@code /app}, mapping
 * {@code /*}; and a client for it. Closes the streams it opened, the front end, then the broker. Not
 * thread-safe, except the HTTP requests ({@link #get}, {@link #send}, {@link #publish}).
 */
public final class ApiFixture implements AutoCloseable {
    /** The context path the API is mounted at unless a test says otherwise. */
    public static final String CONTEXT = "/app";
    private static final Pattern CLIENTS = Pattern.compile("\"clients\":(\\d+)");

    private final FrontEnd frontEnd;
    private final Broker broker;
    private final int port;
    private final String prefix;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<RawHttp> streams = new ArrayList<>();

    private ApiFixture(FrontEnd frontEnd, Broker broker, int port, String prefix) {
        this.frontEnd = frontEnd;
        this.broker = broker;
        this.port = port;
        this.prefix = prefix;
    }

    /**
     * Starts {@code frontEnd} with the API over {@code broker} at {@code /app/*}, under the front end's access
     * policy for {@code config}.
     */
    public static ApiFixture start(FrontEnd frontEnd, Broker broker, EsperConfig config) throws Exception {
        return start(frontEnd, broker, config, CONTEXT, "/*");
    }

    /** Starts {@code frontEnd} with the API at {@code contextPath} + {@code pattern} (a prefix mapping). */
    public static ApiFixture start(FrontEnd frontEnd, Broker broker, EsperConfig config, String contextPath,
            String pattern) throws Exception {
        AccessPolicy policy = frontEnd.accessPolicy(config);
        int port = frontEnd.start(contextPath, pattern, broker, config, policy);
        String prefix = contextPath + (pattern.equals("/*") ? "" : pattern.substring(0, pattern.length() - 2));
        return new ApiFixture(frontEnd, broker, port, prefix);
    }

    /** Wraps a front end the caller started with the API over {@code broker} at {@code /app/*}. */
    public static ApiFixture attach(FrontEnd frontEnd, Broker broker, int port) {
        return new ApiFixture(frontEnd, broker, port, CONTEXT);
    }

    /** An open (no token) API over a broker built from {@code broker}. */
    public static ApiFixture open(FrontEnd frontEnd, Broker.Builder broker) throws Exception {
        return start(frontEnd, broker.build(), EsperConfig.builder().build());
    }

    /** The broker served; closed by {@link #close()}. */
    public Broker broker() {
        return broker;
    }

    /** The port the front end listens on. */
    public int port() {
        return port;
    }

    /** The path the API's routes are under, e.g. {@code /app} or {@code /events}. */
    public String prefix() {
        return prefix;
    }

    /** {@code http://127.0.0.1:<port><prefix><path>}. */
    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + prefix + path);
    }

    /** A GET with header name/value pairs, answered within 10 s. */
    public HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request with an optional (null: none) UTF-8 body and header name/value pairs. */
    public HttpResponse<String> send(String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A POST of {@code body} to {@code /publish/<topic>}. */
    public HttpResponse<String> publish(String topic, String body, String... headers)
            throws IOException, InterruptedException {
        return send("POST", "/publish/" + topic, body, headers);
    }

    /** Opens a stream with a raw socket and waits for the status line, headers and the opening comment. */
    public RawHttp subscribe(String target, String... headerLines) throws IOException {
        RawHttp s = RawHttp.connect(port);
        streams.add(s);
        s.send("GET", prefix + target, List.of(headerLines), null).readHead();
        assertThat(s.status()).as("subscribe status").isEqualTo(200);
        s.awaitBody(":ok\n\n", Duration.ofSeconds(5));
        return s;
    }

    /** Raw request on a new socket; the caller reads the response. */
    public RawHttp raw(String method, String target, List<String> headerLines, byte[] body) throws IOException {
        RawHttp s = RawHttp.connect(port);
        streams.add(s);
        return s.send(method, prefix + target, headerLines, body);
    }

    /** The broker's open streams, as {@code /stats} counts them (straight from the broker). */
    public int clients() {
        return broker.stats().clients();
    }

    /** {@code clients} as read over HTTP from {@code /stats}. */
    public static int clientsIn(String statsJson) {
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
            frontEnd.close();
        } finally {
            if (broker != null) {
                broker.close(Duration.ZERO);
            }
        }
    }
}
