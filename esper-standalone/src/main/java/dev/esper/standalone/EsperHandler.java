package dev.esper.standalone;

import dev.esper.http.HttpApi;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * esper's HTTP API as a Jetty 12 core {@link Handler}: the standalone server's front end. Every request goes to
 * {@link HttpApi} as a {@link JettyExchange}, with no servlet layer in between.
 *
 * <p>Nothing here blocks: bodies are read as they arrive, publishes and subscribes complete asynchronously and
 * streams are written as the client takes them. So the handler is declared {@code NON_BLOCKING}, and Jetty runs
 * it inline on the thread that parsed the request, with no hand-off to a worker thread. That is safe with the
 * streams' disconnect watch because the watch only holds the end point's fill interest and never reads it
 * ({@link EndPointWatch}); a watch that read the end point raced Jetty's connection when run inline (see
 * docs/performance.md).
 *
 * <p>Thread-safe; holds no per-request state.
 */
final class EsperHandler extends Handler.Abstract {
    private final HttpApi api;
    private final long streamIdleTimeoutMillis;

    /**
     * @param api the API to serve
     * @param streamIdleTimeoutMillis the idle timeout of a stream's connection (see {@link #streamIdleTimeout})
     */
    EsperHandler(HttpApi api, long streamIdleTimeoutMillis) {
        super(InvocationType.NON_BLOCKING);
        this.api = api;
        this.streamIdleTimeoutMillis = streamIdleTimeoutMillis;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        api.handle(new JettyExchange(request, response, callback, streamIdleTimeoutMillis));
        return true;
    }

    /**
     * The idle timeout of a stream's connection for a heartbeat interval. The connector's (for ordinary requests
     * and idle keep-alive connections) suits no stream, which may carry nothing for longer: heartbeats keep it
     * alive, so its timeout is twice the interval plus 5 s (at least the connector's), which a live client never
     * reaches and a dead or stuck one does. Without heartbeats there is nothing to wait for: no idle timeout
     * (0), and a dead peer is found when a write fails.
     */
    static long streamIdleTimeout(long heartbeatMillis, long connectorIdleTimeoutMillis) {
        if (heartbeatMillis <= 0) {
            return 0;
        }
        long twice = heartbeatMillis > (Long.MAX_VALUE - 5_000) / 2 ? Long.MAX_VALUE : 2 * heartbeatMillis + 5_000;
        return Math.max(connectorIdleTimeoutMillis, twice);
    }
}
