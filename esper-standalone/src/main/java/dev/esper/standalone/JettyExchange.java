package dev.esper.standalone;

import dev.esper.http.Answer;
import dev.esper.http.Exchange;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * One request on Jetty 12's core API, carried for {@link dev.esper.http.HttpApi}: the standalone server's
 * {@link Exchange}. It writes answers with {@link Response#write}, reads bodies with {@link Request#read()} and
 * {@link Request#demand}, and opens streams as a {@link JettyStream}, watched by an {@link EndPointWatch} on
 * HTTP/1.x and by the request's failure listener on HTTP/2 (a stream reset).
 *
 * <p>Threads: see {@link Exchange}.
 */
final class JettyExchange implements Exchange {
    private static final System.Logger LOG = System.getLogger(JettyExchange.class.getName());
    /**
     * The header fields answers use, encoded once: the API's headers are nearly all constants (content types,
     * cache control, CORS for the configured origins, {@code Allow}). Bounded: past {@link #MAX_FIELDS} a field
     * is encoded per answer instead.
     */
    private static final Map<Answer.Header, HttpField> FIELDS = new ConcurrentHashMap<>();
    private static final int MAX_FIELDS = 256;
    /**
     * Asks Jetty to frame a stream in chunks even though its connection closes after it: a stream that ends
     * cleanly then ends with the final chunk, and a client can tell that from a connection that broke.
     */
    private static final HttpField CHUNKED = new PreEncodedHttpField(HttpHeader.TRANSFER_ENCODING, "chunked");

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final long streamIdleTimeoutMillis;

    /**
     * @param streamIdleTimeoutMillis the idle timeout of a stream's connection (0: none), which heartbeats keep
     *     from expiring while the client is there
     */
    JettyExchange(Request request, Response response, Callback callback, long streamIdleTimeoutMillis) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.streamIdleTimeoutMillis = streamIdleTimeoutMillis;
    }

    @Override
    public String method() {
        return request.getMethod();
    }

    /** The raw path after the context's (a context path is plain, so it is the same encoded). */
    @Override
    public String rawPath() {
        String path = request.getHttpURI().getPath();
        String context = Request.getContextPath(request);
        if (context == null || context.isEmpty() || context.equals("/")) {
            return path;
        }
        return path.startsWith(context) ? path.substring(context.length()) : Request.getPathInContext(request);
    }

    @Override
    public String rawQuery() {
        return request.getHttpURI().getQuery();
    }

    @Override
    public String header(String name) {
        return request.getHeaders().get(name);
    }

    @Override
    public List<String> headers(String name) {
        return request.getHeaders().getValuesList(name);
    }

    @Override
    public void respond(Answer answer) {
        head(answer);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) answer.bodyLength());
        response.write(true, answer.body(), callback);
    }

    private void head(Answer answer) {
        response.setStatus(answer.status());
        HttpFields.Mutable out = response.getHeaders();
        for (Answer.Header h : answer.headers()) {
            out.put(field(h));
        }
    }

    private static HttpField field(Answer.Header h) {
        HttpField f = FIELDS.get(h);
        if (f == null) {
            // With its HttpHeader, so that Jetty acts on it (Connection: close, Content-Type).
            f = new PreEncodedHttpField(HttpHeader.CACHE.get(h.name()), h.name(), h.value());
            if (FIELDS.size() < MAX_FIELDS) {
                FIELDS.putIfAbsent(h, f);
            }
        }
        return f;
    }

    @Override
    public RequestBody readBody() {
        return new Body();
    }

    @Override
    public EventSink openStream(Answer head, Runnable clientLeft) {
        head(head);
        int version = request.getConnectionMetaData().getHttpVersion().getVersion();
        EndPoint direct = null;
        if (version < 20) {
            // The stream is this connection's last exchange (Connection: close), so its idle timeout is the
            // stream's from now on.
            EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            endPoint.setIdleTimeout(streamIdleTimeoutMillis);
            if (version == 11) {
                response.getHeaders().put(CHUNKED);
            }
            if (!EndPointWatch.watch(endPoint, clientLeft)) {
                LOG.log(Level.DEBUG, "cannot watch a stream's connection: Jetty is reading it");
            }
            direct = endPoint;
        } else {
            // HTTP/2: one stream of a shared connection (Connection: close is not sent, HPACK drops it). A client
            // that leaves resets the stream or closes the connection, and Jetty fails the request at once, even
            // while nothing is written. The stream's idle timeout is the connector's stream idle timeout (the
            // stream timeout above, see EsperServer); without heartbeats an idle stream never times out, as an
            // HTTP/1.1 stream has none then (a write pending for as long still fails).
            request.addFailureListener(failure -> clientLeft.run());
            if (streamIdleTimeoutMillis == 0) {
                request.addIdleTimeoutListener(timeout -> false);
            }
        }
        return new JettyStream(response, callback, direct, version == 11);
    }

    @Override
    public Runnable schedule(Runnable task, long delayMillis) {
        Scheduler.Task t = request.getComponents().getScheduler().schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        return t::cancel;
    }

    /** The request's body, read chunk by chunk. One reader at a time. */
    private final class Body implements RequestBody {
        private boolean ended;

        @Override
        public int read(BodyBuffer into) throws IOException {
            if (ended) {
                return -1;
            }
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                return 0;
            }
            if (Content.Chunk.isFailure(chunk)) {
                throw new IOException(chunk.getFailure());
            }
            int n = chunk.remaining();
            into.append(chunk.getByteBuffer());
            ended = chunk.isLast();
            chunk.release();
            return n == 0 && ended ? -1 : n;
        }

        @Override
        public void demand(Runnable ready) {
            request.demand(ready);
        }
    }
}
