package dev.esper.standalone;

import dev.esper.broker.Broker;
import dev.esper.broker.Json;
import dev.esper.http.BoundedBody;
import dev.esper.http.Publishing;
import dev.esper.topic.TopicId;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads one publish body as it arrives (Jetty's {@code read()} / {@code demand()}), enforcing the size limit
 * while it reads, then parses and publishes it and answers (SPEC 2.2): the core-API twin of the servlet's
 * {@code PublishHandler}, with the same answers.
 *
 * <p>The body ({@link BoundedBody}) is never held beyond {@code maxBody + 1} bytes: a {@code Content-Length}
 * over the limit is answered before any byte is read (by {@link EsperHandler}), and a body without one is read
 * until it passes the limit and then abandoned with {@code 413} and {@code Connection: close}. A body not
 * complete within {@link #BODY_TIMEOUT_MILLIS} of the first wait for it is answered {@code 408} and the
 * connection closed.
 *
 * <p>Threads: Jetty runs {@link #run()} one call at a time (demand is asked for only when a read found
 * nothing); {@link #body} is touched only there. {@link #state} keeps the timeout away from
 * the reader: the timer answers {@code 408} only while the reader is {@code WAITING} for demand (never while it
 * is inside {@code read()}, which must not overlap the exchange's completion), and never once the body is
 * complete, so a publish that was made is never answered {@code 408}. A timeout that fires while the reader is
 * busy leaves {@link #expired} for the reader, which answers the {@code 408} itself the next time it would wait.
 */
final class PublishBody implements Runnable {
    /** How long a client may take to send its body. */
    static final long BODY_TIMEOUT_MILLIS = 30_000;

    private final Broker broker;
    private final TopicId topic;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final int maxBody;
    private static final int READING = 0;
    private static final int WAITING = 1;
    private static final int DONE = 2;

    private final AtomicBoolean answered = new AtomicBoolean();
    /** READING (the reader runs), WAITING (for demand), DONE (body complete, or answered). */
    private final AtomicInteger state = new AtomicInteger(READING);
    /** The body timeout fired. */
    private volatile boolean expired;
    /** The body timeout, once started (by the reader); cancelled when the body is complete or answered. */
    private volatile Scheduler.Task timeout;

    /** Reader only. */
    private final BoundedBody body;

    PublishBody(Broker broker, TopicId topic, Request request, Response response, Callback callback, int maxBody,
            long contentLength) {
        this.broker = broker;
        this.topic = topic;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.maxBody = maxBody;
        this.body = new BoundedBody(maxBody, contentLength);
    }

    void start() {
        read();
    }

    /** Jetty's demand callback: the body has more to read. */
    @Override
    public void run() {
        if (state.compareAndSet(WAITING, READING)) {
            read();
        }
    }

    /**
     * Reads what has arrived; asks to be called again when more does. The body timeout starts the first time
     * the body is not all there: most bodies arrive with their headers and never need one.
     */
    private void read() {
        for (;;) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                if (timeout == null) {
                    timeout = request.getComponents().getScheduler().schedule(this::expire, BODY_TIMEOUT_MILLIS,
                            TimeUnit.MILLISECONDS);
                }
                state.set(WAITING);
                if (expired && state.compareAndSet(WAITING, DONE)) {
                    timedOut();
                    return;
                }
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                // The client went away or sent a broken body (e.g. a bad chunk); nothing was published.
                state.set(DONE);
                answer(400, Json.error(Publishing.bodyUnreadable(chunk.getFailure())), true);
                return;
            }
            boolean fits = body.append(chunk.getByteBuffer());
            boolean last = chunk.isLast();
            chunk.release();
            if (!fits) {
                state.set(DONE);
                answer(413, Json.error(Publishing.bodyTooLarge(maxBody)), true);
                return;
            }
            if (last) {
                state.set(DONE);
                cancelTimeout();
                publish();
                return;
            }
        }
    }

    /** The timer: answers now if the reader is waiting, else leaves it to the reader. */
    private void expire() {
        expired = true;
        if (state.compareAndSet(WAITING, DONE)) {
            timedOut();
        }
    }

    private void timedOut() {
        answer(408, Json.error(Publishing.bodyTimedOut(BODY_TIMEOUT_MILLIS)), true);
    }

    private void cancelTimeout() {
        Scheduler.Task t = timeout;
        if (t != null) {
            t.cancel();
        }
    }

    private void publish() {
        body.publish(broker, topic).thenAccept(r -> answer(r.status(), r.body(), false));
    }

    /** Writes the one answer; later calls do nothing. */
    private void answer(int status, String json, boolean close) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        cancelTimeout();
        if (close) {
            response.getHeaders().put(EsperHandler.CLOSE);
        }
        if (status != 200) {
            response.getHeaders().put(EsperHandler.NO_STORE);
        }
        EsperHandler.answer(response, callback, status, json);
    }
}
