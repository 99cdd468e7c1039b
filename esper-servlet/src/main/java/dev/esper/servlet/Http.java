package dev.esper.servlet;

import dev.esper.broker.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Small HTTP helpers shared by the handlers: CORS headers, short error bodies, and reading one query
 * parameter without letting the container decode a form body.
 *
 * <p>Stateless and thread-safe.
 */
final class Http {
    static final String JSON = "application/json; charset=utf-8";
    static final String PREFLIGHT_HEADERS = "Authorization, Content-Type, Last-Event-ID";

    private Http() {
    }

    /**
     * Adds {@code Access-Control-Allow-Origin} when the request's origin is allowed (SPEC 5, 7): {@code *}
     * when every origin is, else the request's {@code Origin} echoed (with {@code Vary: Origin}).
     */
    static void cors(HttpServletRequest req, HttpServletResponse resp, List<String> origins) {
        if (origins.contains("*")) {
            resp.setHeader("Access-Control-Allow-Origin", "*");
            return;
        }
        resp.addHeader("Vary", "Origin");
        String origin = req.getHeader("Origin");
        if (origin == null) {
            return;
        }
        for (String allowed : origins) {
            if (allowed.equalsIgnoreCase(origin)) {
                resp.setHeader("Access-Control-Allow-Origin", origin);
                return;
            }
        }
    }

    /**
     * Writes a short JSON error body ({@code {"error":"..."}}) with the status; the caller has set CORS and
     * any other headers. Uses {@code setStatus}, never {@code sendError}, so no container error page.
     */
    static void error(HttpServletResponse resp, int status, String reason) throws IOException {
        resp.setStatus(status);
        resp.setHeader("Cache-Control", "no-store");
        body(resp, JSON, errorJson(reason));
    }

    /** Writes a complete body with its length. */
    static void body(HttpServletResponse resp, String contentType, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        resp.setContentType(contentType);
        resp.setContentLength(bytes.length);
        OutputStream out = resp.getOutputStream();
        out.write(bytes);
        out.flush();
    }

    /** {@code {"error":"<reason>"}}, escaped (core's {@link Json#error}). */
    static String errorJson(String reason) {
        return Json.error(reason);
    }

    /**
     * The first value of a query parameter, parsed from {@code getQueryString()} so the container never
     * reads (and form-decodes) a POST body; null if absent. Malformed escapes leave the value undecoded.
     */
    static String queryParam(HttpServletRequest req, String name) {
        String q = req.getQueryString();
        if (q == null || q.isEmpty()) {
            return null;
        }
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (name.equals(key)) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
