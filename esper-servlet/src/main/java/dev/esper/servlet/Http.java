package dev.esper.servlet;

import dev.esper.broker.Json;
import dev.esper.http.Admission;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Small HTTP helpers shared by the handlers: CORS headers and short complete bodies.
 *
 * <p>Stateless and thread-safe.
 */
final class Http {
    static final String JSON = Admission.JSON;

    private Http() {
    }

    /**
     * Adds {@code Access-Control-Allow-Origin} when the request's origin is allowed (SPEC 5, 7; see
     * {@link Admission#allowOrigin}), with {@code Vary: Origin} unless every origin is.
     */
    static void cors(HttpServletRequest req, HttpServletResponse resp, List<String> origins) {
        String allow = Admission.allowOrigin(origins, req.getHeader("Origin"));
        if (!"*".equals(allow)) {
            resp.addHeader("Vary", "Origin");
        }
        if (allow != null) {
            resp.setHeader("Access-Control-Allow-Origin", allow);
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
}
