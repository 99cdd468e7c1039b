package dev.esper.standalone;

import dev.esper.broker.Chunk;
import dev.esper.topic.TopicId;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.Flow;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * One subscriber's open {@code text/event-stream} response on Jetty's core API: the bridge between the
 * broker's {@link Flow.Subscriber} signals and {@link Response#write}.
 *
 * <h2>Writes</h2>
 * Demand is the write token: the stream asks the broker for one chunk ({@code request(1)}) at the start and
 * again only when the previous write has completed, so at most one write is in flight and none ever blocks.
 * Jetty completes a write at once when the socket takes it (the next {@code request(1)} then runs inside the
 * broker's delivery loop, which continues with it) and later, from its selector, when the client was slow.
 * No thread waits while the stream is idle, and the stream holds no buffer of its own.
 *
 * <h2>Endings</h2>
 * <ul>
 *   <li>broker closing ({@link #onComplete()}): the response completes normally, after the write in flight;</li>
 *   <li>subscriber too slow ({@link #onError(Throwable)}): the broker has already removed it; the connection
 *       is closed at once (its write may never complete) and the client reconnects with {@code Last-Event-ID};</li>
 *   <li>client gone (a failed write, or the connection watch seeing EOF or a reset while the stream is idle):
 *       the subscription is cancelled, which removes the subscriber from the broker, and the exchange fails.</li>
 * </ul>
 *
 * <h2>Connection watch</h2>
 * An idle stream neither reads nor writes, so Jetty would notice a client that left only at the next heartbeat.
 * For HTTP/1.x the stream therefore asks the connection's {@link EndPoint} to tell it when the socket is
 * readable ({@code tryFillInterested}): EOF or an error means the client left, and so does data, which a client
 * has no reason to send on a stream. Stream responses say {@code Connection: close}, so the connection is never
 * reused and Jetty does not compete for its bytes. A one-byte buffer is allocated only when the socket turns
 * readable.
 *
 * <p>Threads: broker signals arrive one at a time on broker threads (or nested in {@code request}); write
 * completions and the watch on Jetty threads. {@link #writing} and {@link #ending} are guarded by
 * {@code this}; nothing is called on the broker or on Jetty while holding it.
 */
final class SseResponse implements Flow.Subscriber<Chunk>, Callback {
    private static final System.Logger LOG = System.getLogger(SseResponse.class.getName());

    private final Response response;
    /** The exchange's callback: completed (or failed) exactly once, by {@link #finish}. */
    private final Callback exchange;
    private final TopicId topic;
    /** Set once in onSubscribe, before start(). */
    private volatile Flow.Subscription subscription;
    /** A write is in flight. Guarded by this. */
    private boolean writing;
    /** The stream is ending: no more writes; the exchange completes when no write is in flight. Guarded by this. */
    private boolean ending;
    /** The exchange was completed or failed. Guarded by this. */
    private boolean finished;

    SseResponse(Response response, Callback exchange, TopicId topic) {
        this.response = response;
        this.exchange = exchange;
        this.topic = topic;
    }

    /** Starts the flow of chunks (the first is the opening comment) and, for HTTP/1.x, the connection watch. */
    void start(Request request) {
        subscription.request(1);
        if (request.getConnectionMetaData().getHttpVersion().getVersion() < 20) {
            new Watch(request.getConnectionMetaData().getConnection().getEndPoint()).register();
        }
    }

    // ---- broker side -------------------------------------------------------------------------------

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
    }

    @Override
    public void onNext(Chunk chunk) {
        synchronized (this) {
            if (ending) {
                return;
            }
            writing = true;
        }
        response.write(false, chunk.asByteBuffer(), this);
    }

    /** The broker dropped this subscriber (too slow); it is already removed. */
    @Override
    public void onError(Throwable t) {
        LOG.log(Level.DEBUG, () -> "subscriber of " + topic + " ended by the broker: " + t.getMessage());
        finish(new Request.Handler.AbortException("subscriber dropped: " + t.getMessage()));
    }

    /** The broker is closing: end the response normally, once the write in flight is done. */
    @Override
    public void onComplete() {
        boolean now;
        synchronized (this) {
            ending = true;
            now = !writing;
        }
        if (now) {
            finish(null);
        }
    }

    // ---- write completion --------------------------------------------------------------------------

    @Override
    public void succeeded() {
        boolean end;
        synchronized (this) {
            writing = false;
            end = ending;
        }
        if (end) {
            finish(null);
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void failed(Throwable x) {
        clientGone("write failed: " + x);
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    private void clientGone(String why) {
        LOG.log(Level.DEBUG, () -> "subscriber of " + topic + " gone (" + why + ")");
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        finish(new Request.Handler.AbortException(why));
    }

    /**
     * Completes the exchange once: normally ({@code failure} null) or by failing it with an
     * {@code AbortException}, which closes the connection without an error page (a stream that ends before
     * its head was sent must not turn into a {@code 500}).
     */
    private void finish(Throwable failure) {
        synchronized (this) {
            ending = true;
            if (finished) {
                return;
            }
            finished = true;
        }
        if (failure == null) {
            exchange.succeeded();
        } else {
            exchange.failed(failure);
        }
    }

    /** Fill interest on the stream's end point: EOF or an error means the client left. */
    private final class Watch implements Callback {
        private final EndPoint endPoint;

        Watch(EndPoint endPoint) {
            this.endPoint = endPoint;
        }

        void register() {
            if (!endPoint.tryFillInterested(this)) {
                LOG.log(Level.DEBUG, () -> "cannot watch the connection of a subscriber of " + topic);
            }
        }

        /**
         * Readable: EOF or an error means the client left. A client has nothing to send on an event stream
         * (its response says {@code Connection: close}, so not even a next request), so data ends the stream
         * too, rather than being read and discarded on a selector thread for as long as the client sends.
         */
        @Override
        public void succeeded() {
            try {
                // One byte is enough to tell data from EOF (an empty buffer would read nothing and see neither).
                int n = endPoint.fill(BufferUtil.allocate(1));
                if (n < 0) {
                    clientGone("connection closed by the client");
                } else if (n > 0 || !endPoint.isOpen()) {
                    clientGone("connection closed");
                } else if (!endPoint.tryFillInterested(this)) {
                    LOG.log(Level.DEBUG, () -> "cannot watch the connection of a subscriber of " + topic);
                }
            } catch (IOException | RuntimeException e) {
                clientGone("connection failed: " + e);
            }
        }

        @Override
        public void failed(Throwable x) {
            clientGone("connection failed: " + x);
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }
}
