package dev.esper.examples.demo;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Secret;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.jwt.JwtVerifier;
import dev.esper.servlet.EsperServlet;
import dev.esper.topic.TopicId;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Keys;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.crypto.SecretKey;
import org.eclipse.jetty.ee10.servlet.ErrorHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The demo: a page with one live feed of two topics, followed on one stream (SPEC 8), and a form that publishes
 * to either, served by a Jetty app that mounts esper at {@code /esper/*} with both sides protected. The app mints
 * short-lived tokens for the page at {@code /demo/tokens?topic=…&topic=…} (a real app would check who is asking
 * first): one subscribe token whose {@code topics} claim grants every topic asked for, and a publish token per
 * topic. The secrets are random at every start and never leave the process.
 *
 * <pre>
 * mvn -B -q install -Dmaven.test.skip=true &amp;&amp; mvn -B -q -pl examples exec:java@demo
 * open http://127.0.0.1:8080/
 * </pre>
 */
public final class DemoApp implements AutoCloseable {
    /** How long the tokens handed to the page live. */
    static final Duration TOKEN_LIFETIME = Duration.ofHours(1);

    private final Server server;
    private final Broker broker;
    private final ServerConnector connector;

    private DemoApp(Server server, Broker broker, ServerConnector connector) {
        this.server = server;
        this.broker = broker;
        this.connector = connector;
    }

    /**
     * Starts the demo on 127.0.0.1.
     *
     * @param port the port, 0 for any free one
     * @return the running demo
     * @throws Exception if Jetty cannot start
     */
    public static DemoApp start(int port) throws Exception {
        SecretKey subscriberKey = randomKey();
        SecretKey publisherKey = randomKey();
        Broker broker = Broker.builder().build();
        AccessPolicy policy = AccessPolicy.builder()
                .protect(Side.SUBSCRIBER, JwtVerifier.hmac(secret("demo subscriber secret", subscriberKey)))
                .protect(Side.PUBLISHER, JwtVerifier.hmac(secret("demo publisher secret", publisherKey)))
                .build();
        EsperConfig config = EsperConfig.defaults();

        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setOutputAggregationSize(0);
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        server.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder esper = new ServletHolder("esper", new EsperServlet(broker, config, policy));
        esper.setAsyncSupported(true);
        context.addServlet(esper, "/esper/*");
        context.addServlet(new ServletHolder("tokens", new TokenServlet(subscriberKey, publisherKey)), "/demo/tokens");
        context.addServlet(new ServletHolder("page", new PageServlet()), "/");
        ErrorHandler errors = new ErrorHandler();
        errors.setDefaultResponseMimeType("text/plain");
        errors.setShowStacks(false);
        context.setErrorHandler(errors);
        server.setHandler(context);
        server.start();
        return new DemoApp(server, broker, connector);
    }

    /** Where the page is, e.g. {@code http://127.0.0.1:8080/}. */
    public String url() {
        return "http://127.0.0.1:" + connector.getLocalPort() + "/";
    }

    /** Ends the broker's streams, then stops Jetty. */
    @Override
    public void close() {
        broker.close(Duration.ofSeconds(1));
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the demo's Jetty", e);
        }
    }

    /**
     * Runs the demo until the process is stopped.
     *
     * @param args optional port (default 8080, or {@code PORT})
     * @throws Exception if Jetty cannot start
     */
    public static void main(String[] args) throws Exception {
        String env = System.getenv("PORT");
        int port = args.length > 0 ? Integer.parseInt(args[0]) : env != null ? Integer.parseInt(env) : 8080;
        DemoApp demo = start(port);
        Runtime.getRuntime().addShutdownHook(new Thread(demo::close, "demo-shutdown"));
        System.out.println("esper demo: open " + demo.url() + " (Ctrl-C stops it)");
        demo.server.join();
    }

    private static SecretKey randomKey() {
        byte[] bytes = new byte[48];
        new SecureRandom().nextBytes(bytes);
        return Keys.hmacShaKeyFor(Base64.getUrlEncoder().withoutPadding().encode(bytes));
    }

    /** The same bytes as a core {@link Secret}: esper takes the secret string's UTF-8 bytes. */
    private static Secret secret(String name, SecretKey key) {
        return Secret.of(name, new String(key.getEncoded(), StandardCharsets.US_ASCII));
    }

    /** Mints one subscribe token for the topics asked for, and a publish token for each. */
    private static final class TokenServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient SecretKey subscriberKey;
        private final transient SecretKey publisherKey;

        TokenServlet(SecretKey subscriberKey, SecretKey publisherKey) {
            this.subscriberKey = subscriberKey;
            this.publisherKey = publisherKey;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String[] raw = req.getParameterValues("topic");
            resp.setCharacterEncoding("UTF-8");
            resp.setContentType("application/json");
            if (raw == null || raw.length > 8 || !Arrays.stream(raw).allMatch(TopicId::isValid)) {
                resp.setStatus(400);
                resp.getWriter().write("{\"error\":\"topics must be 1 to 8 ids of 8-64 ASCII letters or digits\"}");
                return;
            }
            List<String> topics = Arrays.stream(raw).map(t -> TopicId.of(t).value()).distinct().toList();
            Date exp = Date.from(Instant.now().plus(TOKEN_LIFETIME));
            String subscribe = Jwts.builder().claim("topics", topics).expiration(exp)
                    .signWith(subscriberKey, Jwts.SIG.HS256).compact();
            List<String> names = new ArrayList<>();
            List<String> publish = new ArrayList<>();
            for (String t : topics) {
                String token = Jwts.builder().subject(t).expiration(exp).signWith(publisherKey, Jwts.SIG.HS256)
                        .compact();
                names.add("\"" + t + "\"");
                publish.add("\"" + t + "\":\"" + token + "\"");
            }
            resp.setHeader("Cache-Control", "no-store");
            resp.getWriter().write("{\"topics\":[" + String.join(",", names) + "],\"subscribe\":\"" + subscribe
                    + "\",\"publish\":{" + String.join(",", publish) + "}}");
        }
    }

    /** Serves the page (one file, no build step). */
    private static final class PageServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String path = req.getServletPath() + (req.getPathInfo() == null ? "" : req.getPathInfo());
            if (!"/".equals(path) && !"/index.html".equals(path)) {
                resp.sendError(404);
                return;
            }
            try (InputStream page = DemoApp.class.getResourceAsStream("/demo/index.html")) {
                resp.setContentType("text/html");
                resp.setCharacterEncoding("UTF-8");
                page.transferTo(resp.getOutputStream());
            }
        }
    }
}
