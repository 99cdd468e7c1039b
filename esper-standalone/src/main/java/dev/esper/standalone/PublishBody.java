package dev.esper.standalone;

import dev.esper.broker.Broker;
import dev.esper.broker.Json;
import dev.esper.http.Publishing;
import dev.esper.topic.TopicId;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * <p>The body is never held beyond {@code maxBody + 1} bytes: a {@code Content-Length} over the limit is
 * answered before any byte is read (by {@link EsperHandler}), and a body without one is read until it passes
 * the limit and then abandoned with {@code 413} and {@code Connection: close}. A body not complete within
 * {@link #BODY_TIMEOUT_MILLIS} of the first wait for it is answered {@code 408} and the connection closed.
 *
 * <p>Threads: Jetty runs {@link #run()} one call at a time (demand is asked for only when a read found
 * nothing); {@link #buf} and {@link #len} are touched only there. The response is written exactly once, by
 * whichever of the reader, the publish completion or the timeout first claims {@link #answered}.
 */
final class PublishBody implements Runnable {
    /** How long a client may take to send its body. */
    static final long BODY_TIMEOUT_MILLIS = 30_000;
    private static final int INITIAL_BUFFER = 8192;

    private final Broker broker;
    private final TopicId topic;
    private final Request request;
    private final Response response;
    private final Callback callback;
    private final int maxBody;
    private final AtomicBoolean answered = new AtomicBoolean();
    /** The body timeout, once started (by the reader); cancelled by the answer. */
    private volatile Scheduler.Task timeout;

    /** Reader only. */
    private byte[] buf;
    private int len;

    PublishBody(Broker broker, TopicId topic, Request request, Response response, Callback callback, int maxBody,
            long contentLength) {
        this.broker = broker;
        this.topic = topic;
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.maxBody = maxBody;
        int cap = contentLength >= 0 ? (int) Math.min(contentLength + 1, maxBody + 1L) : INITIAL_BUFFER;
        this.buf = new byte[Math.max(1, Math.min(cap, maxBody + 1))];
    }

    void start() {
        run();
    }

    /**
     * Reads what has arrived; asks to be called again when more does. The body timeout starts the first time
     * the body is not all there: most bodies arrive with their headers and never need one.
     */
    @Override
    public void run() {
        for (;;) {
            if (answered.get()) {
                return;
            }
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                if (timeout == null) {
                    timeout = request.getComponents().getScheduler().schedule(this::timedOut, BODY_TIMEOUT_MILLIS,
                            TimeUnit.MILLISECONDS);
                }
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                // The client went away or sent a broken body (e.g. a bad chunk); nothing was published.
                answer(400, Json.error(Publishing.bodyUnreadable(chunk.getFailure())), true);
                return;
            }
            boolean fits = append(chunk.getByteBuffer());
            boolean last = chunk.isLast();
            chunk.release();
            if (!fits) {
                buf = null;
                answer(413, Json.error(Publishing.bodyTooLarge(maxBody)), true);
                return;
            }
            if (last) {
                publish();
                return;
            }
        }
    }

    private void timedOut() {
        answer(408, Json.error(Publishing.bodyTimedOut(BODY_TIMEOUT_MILLIS)), true);
    }

    /** Appends; false once the body passed the limit. */
    private boolean append(ByteBuffer bytes) {
        int n = bytes.remaining();
        if ((long) len + n > maxBody) {
            return false;
        }
        if (len + n > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(Math.max((long) buf.length * 2, len + n), maxBody + 1L));
        }
        bytes.get(buf, len, n);
        len += n;
        return true;
    }

    private void publish() {
        byte[] body = buf;
        buf = null;
        Publishing.publish(broker, topic, body, 0, len).thenAccept(r -> answer(r.status(), r.body(), false));
    }

    /** Writes the one answer; later calls do nothing. */
    private void answer(int status, String json, boolean close) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        Scheduler.Task t = timeout;
        if (t != null) {
            t.cancel();
        }
        if (close) {
            response.getHeaders().put(EsperHandler.CLOSE);
        }
        if (status != 200) {
            response.getHeaders().put(EsperHandler.NO_STORE);
        }
        EsperHandler.answer(response, callback, status, json);
    }
}
