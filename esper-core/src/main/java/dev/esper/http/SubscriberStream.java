package dev.esper.http;

import dev.esper.broker.Chunk;
import java.lang.System.Logger.Level;
import java.util.concurrent.Flow;

/**
 * One subscriber's open event stream: the bridge between the broker's {@link Flow.Subscriber} signals and a
 * front end's {@link Exchange.EventSink}, the same for every front end.
 *
 * <h2>Writes</h2>
 * Demand is the write token: the stream asks the broker for one chunk ({@code request(1)}) when it opens and
 * again only when the previous write has completed, so at most one write is in flight and none ever blocks.
 * A front end completes a write at once when its socket takes it (the next {@code request(1)} then runs inside
 * the broker's delivery loop, which continues with it) and later, from its I/O thread, when the client is slow.
 * No thread waits while the stream is idle, and the stream holds no buffer of its own.
 *
 * <h2>Endings</h2>
 * Each ends the stream once ({@link #finish}):
 * <ul>
 *   <li>broker closing ({@link #onComplete()}): the response ends normally, after the write in flight;</li>
 *   <li>subscriber too slow ({@link #onError(Throwable)}): the broker has already removed it; the response is
 *       aborted at once (its write may never complete) and the client reconnects with {@code Last-Event-ID};</li>
 *   <li>client gone (a failed write, or the front end's connection watch): the subscription is cancelled,
 *       which removes the subscriber from the broker, and the response is aborted.</li>
 * </ul>
 *
 * <p>Threads: broker signals arrive one at a time on broker threads (or nested in {@code request}); write
 * completions and {@link #clientLeft()} on the front end's threads; {@link #open()} on whichever thread
 * completed the subscribe. {@link #sink}, {@link #writing}, {@link #ending}, {@link #finished} and
 * {@link #abortReason} are guarded by {@code this}; nothing is called on the broker or the front end while
 * holding it.
 */
final class SubscriberStream implements Flow.Subscriber<Chunk>, Exchange.WriteCallback {
    private static final System.Logger LOG = System.getLogger(SubscriberStream.class.getName());

    /** The stream's topic, or topics joined with commas, for the log. */
    private final String topic;
    /** Needed only to open the stream; dropped then, so an open stream holds no more than it uses. */
    private Exchange exchange;
    private Answer head;
    /** Set once in onSubscribe, before open(). */
    private volatile Flow.Subscription subscription;
    /** The front end's output, once open. Guarded by this. */
    private Exchange.EventSink sink;
    /** A write is in flight. Guarded by this. */
    private boolean writing;
    /** The stream is ending: no more writes. Guarded by this. */
    private boolean ending;
    /** The stream ended (normally when {@link #abortReason} is null). Guarded by this. */
    private boolean finished;
    /** Why the stream was aborted, or null. Guarded by this. */
    private String abortReason;

    SubscriberStream(Exchange exchange, String topic, Answer head) {
        this.exchange = exchange;
        this.topic = topic;
        this.head = head;
    }

    /** Opens the response (the subscription is registered) and starts the flow: first the opening comment. */
    void open() {
        Exchange.EventSink s;
        Exchange ex = exchange;
        Answer h = head;
        exchange = null;
        head = null;
        try {
            s = ex.openStream(h, this::clientLeft);
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "could not open a stream on " + topic + ": " + e);
            subscription.cancel();
            return;
        }
        boolean ended;
        String reason;
        synchronized (this) {
            sink = s;
            ended = finished;
            reason = abortReason;
        }
        if (ended) {
            end(s, reason);
            return;
        }
        subscription.request(1);
    }

    // ---- broker side -------------------------------------------------------------------------------

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
    }

    @Override
    public void onNext(Chunk chunk) {
        Exchange.EventSink s;
        synchronized (this) {
            if (ending) {
                return;
            }
            writing = true;
            s = sink;
        }
        s.write(chunk, this);
    }

    /** The broker dropped this subscriber (too slow); it is already removed. */
    @Override
    public void onError(Throwable t) {
        LOG.log(Level.DEBUG, () -> "subscriber of " + topic + " ended by the broker: " + t.getMessage());
        finish("subscriber dropped: " + t.getMessage());
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

    // ---- front end side ----------------------------------------------------------------------------

    @Override
    public void written() {
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

    /**
     * A write failed: the client is gone, unless the stream had already ended (an abort fails the write in flight,
     * which is no news).
     */
    @Override
    public void failed(Throwable failure) {
        synchronized (this) {
            if (finished) {
                return;
            }
        }
        clientGone("write failed: " + (failure.getMessage() == null ? "no reason given" : failure.getMessage()));
    }

    /** The front end noticed the client leaving (EOF, a reset, data on the stream). */
    void clientLeft() {
        clientGone("connection closed by the client");
    }

    private void clientGone(String why) {
        LOG.log(Level.DEBUG, () -> "subscriber of " + topic + " gone (" + why + ")");
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
        finish(why);
    }

    /** Ends the stream once: normally ({@code reason} null) or aborted. Before {@link #open()}, open ends it. */
    private void finish(String reason) {
        Exchange.EventSink s;
        synchronized (this) {
            ending = true;
            if (finished) {
                return;
            }
            finished = true;
            abortReason = reason;
            s = sink;
        }
        if (s != null) {
            end(s, reason);
        }
    }

    private static void end(Exchange.EventSink s, String reason) {
        if (reason == null) {
            s.close();
        } else {
            s.abort(reason);
        }
    }
}
