package dev.esper.servlet;

import dev.esper.broker.Chunk;
import dev.esper.topic.TopicId;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One subscriber's open {@code text/event-stream} response: the bridge between the broker's
 * {@link Flow.Subscriber} signals and the container's non-blocking output.
 *
 * <h2>Write state machine</h2>
 * Demand is the write token: the stream asks the broker for one chunk ({@code request(1)}) only when the
 * output {@link ServletOutputStream#isReady() is ready} and everything written so far has been flushed, so
 * at most one chunk is in flight and no write ever blocks. After each write it flushes (so the opening
 * {@code :ok}, and with it the headers, leaves at once); whenever {@code isReady()} answers false it stops,
 * and the container's {@link #onWritePossible()} resumes where it stopped. No thread waits while the stream
 * is idle.
 *
 * <h2>Endings</h2>
 * <ul>
 *   <li>broker closing ({@link #onComplete()}): the response completes normally;</li>
 *   <li>subscriber too slow ({@link #onError(Throwable)}): the broker has already removed it; the response
 *       is completed so the client reconnects (and resumes with {@code Last-Event-ID});</li>
 *   <li>client gone (a write or read error, or the container's {@link AsyncListener} error/complete):
 *       the subscription is cancelled at once, which removes the subscriber from the broker.</li>
 * </ul>
 * The request's input has a {@link ReadListener} so the container watches the connection for EOF or a
 * reset while the stream is idle, not only when the next write fails.
 *
 * <p>Threads: broker signals arrive one at a time on broker threads (or nested in {@code request}); container
 * callbacks on container threads. The demand protocol hands the output to one thread at a time: only the
 * thread in {@link #onNext} after a {@code request}, or in {@link #onWritePossible} after {@code isReady()}
 * returned false, touches it.
 */
final class SseStream implements Flow.Subscriber<Chunk>, AsyncListener {
    private static final System.Logger LOG = System.getLogger(SseStream.class.getName());

    private final AsyncContext ctx;
    private final ServletOutputStream out;
    private final ServletInputStream in;
    private final TopicId topic;
    /** Set once in onSubscribe, before the write listener is installed. */
    private volatile Flow.Subscription subscription;
    /** Written bytes not yet flushed; touched only by the thread holding the write turn. */
    private volatile boolean unflushed;
    /** The stream ended (any cause); the first to set it ends the response. */
    private final AtomicBoolean ended = new AtomicBoolean();

    SseStream(AsyncContext ctx, ServletOutputStream out, ServletInputStream in, TopicId topic) {
        this.ctx = ctx;
        this.out = out;
        this.in = in;
        this.topic = topic;
    }

    /** The listener to install with {@code setWriteListener}, once subscribed. */
    WriteListener writeListener() {
        return new Writer();
    }

    /** The listener to install with {@code setReadListener}: it makes the container watch the connection. */
    ReadListener readListener() {
        return new Watcher();
    }

    // ---- broker side -------------------------------------------------------------------------------

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
    }

    @Override
    public void onNext(Chunk chunk) {
        if (ended.get()) {
            return;
        }
        try {
            chunk.writeTo(out);
            unflushed = true;
            proceed();
        } catch (IOException | RuntimeException e) {
            clientGone("write failed: " + e);
        }
    }

    /** The broker dropped this subscriber (too slow); it is already removed. */
    @Override
    public void onError(Throwable t) {
        LOG.log(Level.DEBUG, () -> "subscriber of " + topic + " ended by the broker: " + t.getMessage());
        end();
    }

    /** The broker is closing: end the response normally. */
    @Override
    public void onComplete() {
        end();
    }

    /**
     * Flushes what was written, then asks for the next chunk, stopping whenever the output is not ready
     * (the container then calls {@link Writer#onWritePossible()}).
     */
    private void proceed() throws IOException {
        for (;;) {
            if (ended.get() || !out.isReady()) {
                return;
            }
            if (unflushed) {
                unflushed = false;
                out.flush();
                continue;
            }
            subscription.request(1);
            return;
        }
    }

    // ---- AsyncListener: the container ends the request ---------------------------------------------

    @Override
    public void onTimeout(AsyncEvent event) {
        clientGone("async timeout");
    }

    @Override
    public void onError(AsyncEvent event) {
        clientGone("async error: " + event.getThrowable());
    }

    @Override
    public void onComplete(AsyncEvent event) {
        ended.set(true);
        cancel();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted.
    }

    /** The connection watch saw the client close or reset the connection. */
    void clientLeft() {
        clientGone("connection closed by the client");
    }

    private void clientGone(String why) {
        LOG.log(Level.DEBUG, () -> "subscriber of " + topic + " gone (" + why + ")");
        cancel();
        end();
    }

    private void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }

    private void end() {
        if (ended.compareAndSet(false, true)) {
            try {
                ctx.complete();
            } catch (IllegalStateException ignored) {
                // The container already completed the request.
            }
        }
    }

    /** Container write callbacks. */
    private final class Writer implements WriteListener {
        @Override
        public void onWritePossible() throws IOException {
            if (!ended.get()) {
                proceed();
            }
        }

        @Override
        public void onError(Throwable t) {
            clientGone("write error: " + t);
        }
    }

    /** Container read callbacks: a GET has no body, so any EOF or error here means the client went away. */
    private final class Watcher implements ReadListener {
        private final byte[] discard = new byte[256];

        @Override
        public void onDataAvailable() throws IOException {
            while (in.isReady()) {
                if (in.read(discard) < 0) {
                    return;
                }
            }
        }

        @Override
        public void onAllDataRead() {
            // The (empty) request body is complete; the connection itself may still be open.
        }

        @Override
        public void onError(Throwable t) {
            clientGone("read error: " + t);
        }
    }
}
