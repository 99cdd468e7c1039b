package dev.esper.http;

import java.util.Objects;

/**
 * Writes the body of {@code GET /metrics}: the API serves that route only when it has one
 * ({@link HttpApi#withMetrics}). esper-core names no metrics format; the standalone server supplies a
 * renderer over a Prometheus registry, and an embedder may supply its own.
 *
 * <p>Called on a front end's request thread, once per scrape; must be thread-safe. An exception it throws is
 * answered {@code 500} (and logged without details reaching the client).
 */
@FunctionalInterface
public interface MetricsRenderer {
    /**
     * Renders the metrics for one scrape.
     *
     * @param accept the request's {@code Accept} header, or null: the renderer picks the format it asks for
     *     (e.g. OpenMetrics for {@code application/openmetrics-text}), else its default
     * @return the body and its media type
     */
    Rendered render(String accept);

    /**
     * A rendered scrape.
     *
     * @param contentType the media type, e.g. {@code text/plain; version=0.0.4; charset=utf-8}; not null
     * @param body the text; not null
     */
    record Rendered(String contentType, String body) {
        /** Checks that neither part is null. */
        public Rendered {
            Objects.requireNonNull(contentType, "contentType");
            Objects.requireNonNull(body, "body");
        }
    }
}
