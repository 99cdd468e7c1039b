package dev.esper.servlet;

import dev.esper.broker.Chunk;
import dev.esper.http.Exchange;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An open event stream's output on a Servlet 6 container: the servlet's {@link Exchange.EventSink}, written
 * without blocking through the container's {@link WriteListener}.
 *
 * <h2>Writes</h2>
 * A chunk is written when the output {@link ServletOutputStream#isReady() is ready} and then flushed (so the
 * head and the opening comment leave at once); whenever {@code isReady()} answers false, the write waits for
 * the container's {@link #onWritePossible()}, and its callback runs only once everything is flushed and the
 * output is ready again. The API writes the next chunk only after that callback.
 *
 * <h2>Ending against the output</h2>
 * The ending can come from another thread than the one writing: the API ending the stream (a slow subscriber,
 * the broker closing), the {@link DisconnectWatch} on a container I/O thread, the container's error callback.
 * Once {@code complete()} is called a container may recycle the request, the response and its output buffer,
 * and hand them to the next connection (Tomcat does, at once). A write, flush or {@code isReady()} still
 * running on another thread would then act on an unrelated exchange. So {@link #lock} makes each use of the
 * output and the ending mutually exclusive: every use checks {@link #ended} under the lock, and {@link #end()}
 * sets it and calls {@code complete()} under the same lock, so {@code complete()} never overlaps a write and no
 * write follows it. A container that completed the request itself ({@link #containerEnded}) is told without
 * the lock: Tomcat calls that holding its async state machine's monitor, which a write under the lock may need.
 * A stream that took its connection over on Tomcat ({@link TomcatHandOver}) ends by closing the connection
 * instead of {@code complete()}, under the same lock, and gets its output only once Tomcat hands the connection
 * over ({@link #attach}); writes wait for it.
 *
 * <p>Threads: {@link #write} on broker threads, {@link #onWritePossible()} on container threads; the fields
 * below the lock are guarded by it. Callbacks to the API are made after releasing it.
 */
final class ServletStream implements Exchange.EventSink, WriteListener {
    private static final System.Logger LOG = System.getLogger(ServletStream.class.getName());

    /** Ends the response, once, under the lock: completes the async context or closes a handed-over connection. */
    private final Runnable finish;
    private final Runnable clientLeft;
    /** Held for every use of {@link #out} and for the ending; never while calling back. */
    private final ReentrantLock lock = new ReentrantLock();
    /** The output; null until a handed-over connection arrives ({@link TomcatHandOver}). Guarded by the lock. */
    private ServletOutputStream out;
    /** The chunk to write when the output is ready. Guarded by the lock. */
    private Chunk pending;
    /** The callback of the write in progress. Guarded by the lock. */
    private Exchange.WriteCallback done;
    /** Written bytes not yet flushed. Guarded by the lock. */
    private boolean unflushed;
    /** The stream ended (any cause). Set under the lock by end(); without it only by containerEnded. */
    private volatile boolean ended;

    /** A stream on an asynchronous request, ended by completing its context. */
    ServletStream(AsyncContext ctx, ServletOutputStream out, Runnable clientLeft) {
        this(() -> {
            try {
                ctx.complete();
            } catch (IllegalStateException ignored) {
                // The container already completed the request.
            }
        }, out, clientLeft);
    }

    /**
     * A stream ended by {@code finish}, writing to {@code out}, or, when that is null, to the output that
     * {@link #attach} gives it later (writes wait until then).
     */
    ServletStream(Runnable finish, ServletOutputStream out, Runnable clientLeft) {
        this.finish = finish;
        this.out = out;
        this.clientLeft = clientLeft;
    }

    /**
     * Gives a stream made without an output its output, and becomes its write listener: a write waiting for it
     * proceeds when the container calls {@link #onWritePossible()}.
     *
     * @return false if the stream ended meanwhile (the caller closes what it holds)
     */
    boolean attach(ServletOutputStream output) {
        lock.lock();
        try {
            if (ended) {
                return false;
            }
            out = output;
            output.setWriteListener(this);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void write(Chunk chunk, Exchange.WriteCallback callback) {
        Exchange.WriteCallback complete = null;
        Exception failure = null;
        lock.lock();
        try {
            if (ended) {
                return;
            }
            pending = chunk;
            done = callback;
            complete = proceed();
        } catch (IOException | RuntimeException e) {
            done = null;
            failure = e;
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            callback.failed(failure);
        } else if (complete != null) {
            complete.written();
        }
    }

    /**
     * Writes and flushes what is pending, stopping whenever the output is not ready (the container then calls
     * {@link #onWritePossible()}). Caller holds the lock.
     *
     * @return the write's callback once everything is flushed and the output is ready, else null
     */
    private Exchange.WriteCallback proceed() throws IOException {
        for (;;) {
            if (ended || out == null || !out.isReady()) {
                return null;
            }
            if (pending != null) {
                pending.writeTo(out);
                pending = null;
                unflushed = true;
            } else if (unflushed) {
                unflushed = false;
                out.flush();
            } else {
                Exchange.WriteCallback c = done;
                done = null;
                return c;
            }
        }
    }

    @Override
    public void onWritePossible() {
        Exchange.WriteCallback complete;
        Exchange.WriteCallback failedOne = null;
        IOException failure = null;
        lock.lock();
        try {
            complete = proceed();
        } catch (IOException e) {
            complete = null;
            failure = e;
            failedOne = done;
            done = null;
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            fail(failedOne, failure);
        } else if (complete != null) {
            complete.written();
        }
    }

    @Override
    public void onError(Throwable t) {
        Exchange.WriteCallback c;
        lock.lock();
        try {
            c = done;
            done = null;
        } finally {
            lock.unlock();
        }
        fail(c, t);
    }

    private void fail(Exchange.WriteCallback c, Throwable t) {
        if (c != null) {
            c.failed(t);
        } else {
            clientLeft.run();
        }
    }

    @Override
    public void close() {
        end();
    }

    @Override
    public void abort(String reason) {
        LOG.log(Level.DEBUG, () -> "stream aborted: " + reason);
        end();
    }

    /**
     * The container ended the request (error, timeout, completion). {@code completed}: it is already complete,
     * and this runs under Tomcat's monitor, so nothing here takes the lock.
     */
    void containerEnded(String why, boolean completed) {
        LOG.log(Level.DEBUG, () -> "stream ended by the container: " + why);
        if (completed) {
            ended = true;
        }
        clientLeft.run();
    }

    /**
     * Ends the response once: marks the stream ended and completes the async context (or closes the handed-over
     * connection), both under the lock, so that no write overlaps or follows it.
     */
    private void end() {
        if (ended) {
            return;
        }
        lock.lock();
        try {
            if (ended) {
                return;
            }
            ended = true;
            finish.run();
        } finally {
            lock.unlock();
        }
    }
}
