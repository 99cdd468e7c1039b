package dev.esper.servlet;

import dev.esper.broker.Broker;
import dev.esper.http.BoundedBody;
import dev.esper.http.Publishing;
import dev.esper.topic.TopicId;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads one publish body without blocking ({@link ReadListener}), enforcing the size limit while it
 * reads, then parses and publishes it and answers (SPEC 2.2).
 *
 * <p>The body ({@link BoundedBody}) is never held beyond {@code maxBody + 1} bytes: a {@code Content-Length}
 * over the limit is answered before any byte is read (by the servlet), and a body without one is read until it
 * passes the limit and then abandoned with {@code 413} and {@code Connection: close}.
 *
 * <p>Threads: the container calls the read callbacks one at a time; {@link #body} is only touched there. The
 * response is written exactly once, by whichever of the read callbacks, the publish completion or a timeout
 * first claims {@link #answered}.
 */
final class PublishHandler implements ReadListener, AsyncListener {
    private static final System.Logger LOG = System.getLogger(PublishHandler.class.getName());
    /** How long a client may take to send its body. */
    static final long BODY_TIMEOUT_MILLIS = 30_000;

    private final AsyncContext ctx;
    private final ServletInputStream in;
    private final HttpServletResponse resp;
    private final Broker broker;
    private final TopicId topic;
    private final int maxBody;
    private final AtomicBoolean answered = new AtomicBoolean();

    /** Container read-callback thread only. */
    private final BoundedBody body;

    PublishHandler(AsyncContext ctx, ServletInputStream in, HttpServletResponse resp, Broker broker, TopicId topic,
            int maxBody, long contentLength) {
        this.ctx = ctx;
        this.in = in;
        this.resp = resp;
        this.broker = broker;
        this.topic = topic;
        this.maxBody = maxBody;
        this.body = new BoundedBody(maxBody, contentLength);
    }

    @Override
    public void onDataAvailable() throws IOException {
        while (!answered.get() && in.isReady()) {
            if (body.readFrom(in) < 0) {
                return;
            }
            if (body.tooLarge()) {
                answer(413, Http.errorJson(Publishing.bodyTooLarge(maxBody)), true);
                return;
            }
        }
    }

    @Override
    public void onAllDataRead() {
        if (answered.get()) {
            return;
        }
        body.publish(broker, topic).thenAccept(r -> answer(r.status(), r.body(), false));
    }

    @Override
    public void onError(Throwable t) {
        // The client went away or sent a broken body (e.g. a bad chunk); nothing was published.
        answer(400, Http.errorJson(Publishing.bodyUnreadable(t)), true);
    }

    /** Writes the one response and completes; later calls do nothing. */
    private void answer(int status, String json, boolean close) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        try {
            resp.setStatus(status);
            if (close) {
                resp.setHeader("Connection", "close");
            }
            if (status != 200) {
                resp.setHeader("Cache-Control", "no-store");
            }
            Http.body(resp, Http.JSON, json);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "could not answer a publish to " + topic + ": " + e);
        } finally {
            try {
                ctx.complete();
            } catch (IllegalStateException ignored) {
                // Already completed by the container after an error.
            }
        }
    }

    // AsyncListener: a client that never finishes its body.

    @Override
    public void onTimeout(AsyncEvent event) {
        answer(408, Http.errorJson(Publishing.bodyTimedOut(BODY_TIMEOUT_MILLIS)), true);
    }

    @Override
    public void onError(AsyncEvent event) {
        answered.set(true);
        try {
            ctx.complete();
        } catch (IllegalStateException ignored) {
            // Already completed.
        }
    }

    @Override
    public void onComplete(AsyncEvent event) {
        answered.set(true);
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted.
    }
}
