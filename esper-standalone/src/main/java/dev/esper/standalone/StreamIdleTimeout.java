package dev.esper.standalone;

import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Gives subscribe streams their own idle timeout, and restores the connection's when the stream ends.
 *
 * <p>The connector's idle timeout (30 s) suits ordinary requests and idle keep-alive connections, but an
 * SSE stream may legitimately carry nothing for longer: it is kept alive by heartbeats, so a stream's
 * timeout is twice the heartbeat interval plus 5 s (at least the connector's), which a live client never
 * reaches and a dead or stuck one does. With heartbeats off there is nothing to wait for, so streams get
 * no idle timeout at all; a dead peer is then found when a write fails.
 *
 * <p>Thread-safe; holds no per-request state.
 */
final class StreamIdleTimeout extends Handler.Wrapper {
    private static final String SUBSCRIBE_PREFIX = "/subscribe/";

    private final long streamIdleTimeoutMillis;

    StreamIdleTimeout(Handler handler, long streamIdleTimeoutMillis) {
        super(handler);
        this.streamIdleTimeoutMillis = streamIdleTimeoutMillis;
    }

    /** The idle timeout of a subscribe stream for a heartbeat interval; 0 = none. */
    static long forHeartbeat(long heartbeatMillis, long connectorIdleTimeoutMillis) {
        if (heartbeatMillis <= 0) {
            return 0;
        }
        long twice = heartbeatMillis > (Long.MAX_VALUE - 5_000) / 2 ? Long.MAX_VALUE : 2 * heartbeatMillis + 5_000;
        return Math.max(connectorIdleTimeoutMillis, twice);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (HttpMethod.GET.is(request.getMethod()) && Request.getPathInContext(request).startsWith(SUBSCRIBE_PREFIX)) {
            EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            long previous = endPoint.getIdleTimeout();
            endPoint.setIdleTimeout(streamIdleTimeoutMillis);
            Request.addCompletionListener(request, failure -> endPoint.setIdleTimeout(previous));
        }
        return super.handle(request, response, callback);
    }
}
