package dev.esper.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Serves the test pages {@code /e2e/client.html} (one topic), {@code /e2e/multi.html} (several topics on one
 * stream) and {@code /e2e/credentials.html} on their own port of 127.0.0.1, so the page's origin differs from
 * esper's and the browser applies CORS for real.
 */
final class PageServer implements AutoCloseable {
    private final HttpServer server;

    private PageServer(HttpServer server) {
        this.server = server;
    }

    static PageServer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                try (InputStream page = PageServer.class.getResourceAsStream("/e2e" + path)) {
                    if (page == null || path.contains("..")) {
                        exchange.sendResponseHeaders(404, -1);
                        exchange.close();
                        return;
                    }
                    byte[] body = page.readAllBytes();
                    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            });
            server.start();
            return new PageServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The page's origin, e.g. {@code http://127.0.0.1:40123}. */
    String origin() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The client page, told where esper is, which topic to follow and with which token (null for none). */
    String clientPage(String esperBase, String topic, String token) {
        StringBuilder url = new StringBuilder(origin()).append("/client.html?esper=").append(enc(esperBase))
                .append("&topic=").append(enc(topic));
        if (token != null) {
            url.append("&token=").append(enc(token));
        }
        return url.toString();
    }

    /** The page whose EventSource sends esper's cookie ({@code withCredentials}), with no token in its URL. */
    String credentialsPage(String esperBase, String topic) {
        return origin() + "/credentials.html?esper=" + enc(esperBase) + "&topic=" + enc(topic);
    }

    /**
     * The multi-topic page: {@code streams} EventSources, each following all {@code topics} on one stream, told where
     * esper is and with which token (null for none).
     */
    String multiTopicPage(String esperBase, java.util.List<String> topics, String token, int streams) {
        StringBuilder url = new StringBuilder(origin()).append("/multi.html?esper=").append(enc(esperBase))
                .append("&topics=").append(enc(String.join(",", topics))).append("&streams=").append(streams);
        if (token != null) {
            url.append("&token=").append(enc(token));
        }
        return url.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
