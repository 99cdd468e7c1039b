package dev.esper.http;

import dev.esper.topic.TopicId;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One publish request after admission: reads its body as it arrives, within the limit, then publishes it and
 * answers (SPEC 2.2), exactly once.
 *
 * <p>The body ({@link BoundedBody}) is never held beyond {@code maxBody + 1} bytes: a {@code Content-Length}
 * over the limit is answered before any byte is read (by {@link HttpApi}), and a body without one is read until
 * it passes the limit and then abandoned with {@code 413} and {@code Connection: close}. A body not complete
 * within {@link HttpApi#BODY_TIMEOUT_MILLIS} of the first wait for it is answered {@code 408} and the
 * connection closed; most bodies arrive with their head and never start the timer.
 *
 * <p>Threads: the front end calls {@link #run()} (its demand callback) one call at a time, and {@link #body} is
 * touched only by the reader. {@link #state} keeps the timer away from the reader: the timer answers
 * {@code 408} only while the reader is {@code WAITING} for demand (never while it is inside {@code read()},
 * which must not overlap the exchange's completion), and never once the body is complete, so a publish that
 * was made is never answered {@code 408}. A timeout that fires while the reader is busy leaves
 * {@link #expired} for the reader, which answers the {@code 408} itself the next time it would wait.
 */
final class PublishExchange implements Runnable {
    private static final int READING = 0;
    private static final int WAITING = 1;
    private static final int DONE = 2;

    private final HttpApi api;
    private final Exchange exchange;
    private final HttpApi.Cors cors;
    private final TopicId topic;
    /** The request's {@code Idempotency-Key}, or null. */
    private final String idempotencyKey;
    private final AtomicBoolean answered = new AtomicBoolean();
    /** READING (the reader runs), WAITING (for demand), DONE (body complete, or answered). */
    private final AtomicInteger state = new AtomicInteger(READING);
    /** The body timeout fired. */
    private volatile boolean expired;
    /** Cancels the body timeout, once started (by the reader). */
    private volatile Runnable cancelTimeout;

    /** Reader only. */
    private final BoundedBody body;
    /** Reader only; set by start(). */
    private Exchange.RequestBody source;

    PublishExchange(HttpApi api, Exchange exchange, HttpApi.Cors cors, TopicId topic, long contentLength,
            String idempotencyKey) {
        this.idempotencyKey = idempotencyKey;
        this.api = api;
        this.exchange = exchange;
        this.cors = cors;
        this.topic = topic;
        this.body = new BoundedBody(api.maxBody(), contentLength);
    }

    void start() {
        source = exchange.readBody();
        read();
    }

    /** The front end's demand callback: the body has more to read. */
    @Override
    public void run() {
        if (state.compareAndSet(WAITING, READING)) {
            read();
        }
    }

    /** Reads what has arrived; asks to be called again when more does. */
    private void read() {
        for (;;) {
            int n;
            try {
                n = source.read(body);
            } catch (IOException | RuntimeException e) {
                // The client went away or sent a broken body (e.g. a bad chunk); nothing was published.
                state.set(DONE);
                answer(HttpApi.error(cors.answer(400), Publishing.bodyUnreadable(e), true));
                return;
            }
            if (body.tooLarge()) {
                state.set(DONE);
                answer(HttpApi.error(cors.answer(413), Publishing.bodyTooLarge(api.maxBody()), true));
                return;
            }
            if (n < 0) {
                state.set(DONE);
                cancelTimeout();
                body.publish(api.broker(), cors, topic, idempotencyKey).thenAccept(this::answer);
                return;
            }
            if (n == 0) {
                if (cancelTimeout == null) {
                    cancelTimeout = exchange.schedule(this::expire, HttpApi.BODY_TIMEOUT_MILLIS);
                }
                state.set(WAITING);
                if (expired && state.compareAndSet(WAITING, DONE)) {
                    timedOut();
                    return;
                }
                source.demand(this);
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
        answer(HttpApi.error(cors.answer(408), Publishing.bodyTimedOut(HttpApi.BODY_TIMEOUT_MILLIS), true));
    }

    private void cancelTimeout() {
        Runnable c = cancelTimeout;
        if (c != null) {
            c.run();
        }
    }

    /** Sends the one answer; later calls do nothing. */
    private void answer(Answer answer) {
        if (!answered.compareAndSet(false, true)) {
            return;
        }
        cancelTimeout();
        api.respond(exchange, answer);
    }
}
