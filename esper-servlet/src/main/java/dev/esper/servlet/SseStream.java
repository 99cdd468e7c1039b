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
import java.util.concurrent.locks.ReentrantLock;

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
 * While the stream is idle, {@link ConnectionWatch} notices EOF or a reset ({@link #clientLeft()}); where it
 * cannot, the request's input has a {@link ReadListener}, for what that is worth.
 *
 * <p>Threads: broker signals arrive one at a time on broker threads (or nested in {@code request}); container
 * callbacks on container threads. The demand protocol hands the output to one thread at a time: only the
 * thread in {@link #onNext} after a {@code request}, or in {@link #onWritePossible} after {@code isReady()}
 * returned false, touches it.
 *
 * <h2>Ending against the output</h2>
 * The ending can come from another thread than the one writing: a write error on a broker thread, the
 * {@link ConnectionWatch} on a container I/O thread, the container's error callback. Once {@code complete()}
 * is called a container may recycle the request, the response and its output buffer, and hand them to the
 * next connection (Tomcat does, at once: its processors and their request/response pairs are pooled). A write,
 * flush or {@code isReady()} still running on another thread then acts on an unrelated exchange (seen as
 * Tomcat closing the next connection before its response head, under load). So {@link #outputLock} makes
 * each use of the output and the ending mutually exclusive: every use checks {@link #ended} under the lock,
 * and {@link #end()} sets it and calls {@code complete()} under the same lock, so {@code complete()} never
 * overlaps a write and no write follows it. {@code complete()} stays inside the lock so that a container error
 * callback that arrives meanwhile waits for it, and cannot let the container complete (and recycle) first.
 * Nothing is called on the broker while the lock is held. The container's {@code onComplete} does not take the
 * lock: Tomcat calls it holding its async state machine's monitor, which a write under the lock may need.
 */
final class SseStream implements Flow.Subscriber<Chunk>, AsyncListener {
    private static final System.Logger LOG = System.getLogger(SseStream.class.getName());

    private final AsyncContext ctx;
    private final ServletOutputStream out;
    private final ServletInputStream in;
    private final TopicId topic;
    /** Set once in onSubscribe, before the write listener is installed. */
    private volatile Flow.Subscription subscription;
    /** Written bytes not yet flushed; touched only under {@link #outputLock}. */
    private boolean unflushed;
    /**
     * Held for every use of {@link #out} and for the ending (see "Ending against the output"). Never held while
     * calling the broker, nor while waiting for anything but another holder's non-blocking output call.
     */
    private final ReentrantLock outputLock = new ReentrantLock();
    /**
     * The stream ended (any cause). Set under {@link #outputLock} by {@link #end()}, whose first caller completes
     * the response; set without it only by the container's {@code onComplete}, once the response is done.
     */
    private volatile boolean ended;

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
        boolean more;
        try {
            more = write(chunk);
        } catch (IOException | RuntimeException e) {
            clientGone("write failed: " + e);
            return;
        }
        if (more) {
            subscription.request(1);
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

    /** Writes a chunk, then {@link #proceed()}s; returns whether to ask for the next chunk. */
    private boolean write(Chunk chunk) throws IOException {
        outputLock.lock();
        try {
            if (ended) {
                return false;
            }
            chunk.writeTo(out);
            unflushed = true;
            return proceed();
        } finally {
            outputLock.unlock();
        }
    }

    /**
     * Flushes what was written, stopping whenever the output is not ready (the container then calls
     * {@link Writer#onWritePossible()}). Caller holds {@link #outputLock}.
     *
     * @return true when everything is flushed and the output is ready: the caller asks for the next chunk,
     *     after releasing the lock
     */
    private boolean proceed() throws IOException {
        for (;;) {
            if (ended || !out.isReady()) {
                return false;
            }
            if (!unflushed) {
                return true;
            }
            unflushed = false;
            out.flush();
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

    /**
     * The response is complete. Called by Tomcat under its async state machine's monitor, so this must not
     * wait for {@link #outputLock} (a write under the lock may need that monitor to report its own error).
     */
    @Override
    public void onComplete(AsyncEvent event) {
        ended = true;
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

    /**
     * Ends the response once: marks the stream ended and completes the async context, both under
     * {@link #outputLock}, so that no write overlaps or follows {@code complete()} (see the class description).
     */
    private void end() {
        outputLock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            try {
                ctx.complete();
            } catch (IllegalStateException ignored) {
                // The container already completed the request.
            }
        } finally {
            outputLock.unlock();
        }
    }

    /** Container write callbacks. */
    private final class Writer implements WriteListener {
        @Override
        public void onWritePossible() throws IOException {
            boolean more;
            outputLock.lock();
            try {
                more = proceed();
            } finally {
                outputLock.unlock();
            }
            if (more) {
                subscription.request(1);
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
