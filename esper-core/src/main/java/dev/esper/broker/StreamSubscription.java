package dev.esper.broker;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One subscriber's stream: a cursor into its topic's log and the demand its adapter signalled.
 *
 * <p>Bytes leave only in {@link #drain()}, which any thread may call (publisher fan-out, the adapter's
 * {@code request}, the maintenance timer) and which runs on one thread at a time (the {@code wip}
 * counter serialises it, and a call that arrives while another thread drains makes that thread loop
 * once more). All frames waiting when a drain runs leave in one chunk, up to {@link #MAX_CHUNK} bytes.
 */
final class StreamSubscription implements Flow.Subscription {
    static final int MAX_CHUNK = 64 * 1024;
    private static final byte[] PREAMBLE = ":ok\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final Chunk HEARTBEAT = new Chunk(":\n\n".getBytes(StandardCharsets.US_ASCII), 0);

    private static final int ACTIVE = 0;
    private static final int COMPLETING = 1;
    private static final int FAILED = 2;
    private static final int CANCELLED = 3;

    final Broker broker;
    final Topic topic;
    private final Flow.Subscriber<? super Chunk> downstream;
    /** Topic byte offset when the subscription started: bytes before it are replay and not bounded. */
    final long liveStart;
    /** Which of the topic's subscriber stripes (fan-out tasks) this subscriber belongs to. */
    final int stripe;

    /** Last node handed downstream. Written by the draining thread; read by fan-out for the lag. */
    private volatile Node cursor;
    /** Bytes of the last chunk handed downstream if it was a copy (coalesced), else 0. Written by the draining
     * thread; read by the memory budget. */
    private volatile int lastCopy;
    private final AtomicLong requested = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    /** Only the draining thread touches these; wip's atomics order them between threads. */
    private boolean preambleSent;
    private boolean done;

    private volatile int state = ACTIVE;
    private volatile Throwable error;
    private volatile boolean forceComplete;
    private volatile boolean started;
    private volatile boolean heartbeatDue;
    volatile long lastActivityMillis;

    StreamSubscription(Broker broker, Topic topic, Flow.Subscriber<? super Chunk> downstream, Node cursor,
            long liveStart, long nowMillis) {
        this.broker = broker;
        this.topic = topic;
        this.downstream = downstream;
        this.cursor = cursor;
        this.liveStart = liveStart;
        this.lastActivityMillis = nowMillis;
        this.stripe = topic.subscribers.nextStripe();
    }

    /** Calls {@code onSubscribe}, then lets signals flow. */
    void start() {
        try {
            downstream.onSubscribe(this);
        } catch (Throwable t) {
            cancel();
            return;
        }
        started = true;
        drain();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            fail(new IllegalArgumentException("request(n) needs n > 0, was " + n));
            return;
        }
        long r;
        long next;
        do {
            r = requested.get();
            if (r == Long.MAX_VALUE) {
                break;
            }
            next = r + n < 0 ? Long.MAX_VALUE : r + n;
        } while (!requested.compareAndSet(r, next));
        drain();
    }

    @Override
    public void cancel() {
        if (terminate(CANCELLED, null)) {
            broker.unsubscribe(this);
        }
        drain();
    }

    /**
     * Whether the stream's output is stuck: the last chunk handed to the adapter (its write in flight) has not
     * been written for more than {@code stallMillis}, and no more was asked for. A reader that keeps up asks
     * again within milliseconds of each hand-off; one that does not read never does.
     */
    boolean stalled(long nowMillis, long stallMillis) {
        return requested.get() == 0 && nowMillis - lastActivityMillis > stallMillis;
    }

    /** The last node handed downstream, or null once the stream ended. */
    Node cursor() {
        return cursor;
    }

    /**
     * Bytes of a coalesced chunk (a copy, not the log's shared frames) that the adapter still holds: the last
     * one handed downstream, while no more was asked for (its write is in flight). 0 otherwise.
     */
    long copyInFlight() {
        return requested.get() == 0 && cursor != null ? lastCopy : 0;
    }

    /** Unsent live bytes given the topic's newest node; 0 once the stream ended. */
    long lag(Node tail) {
        Node c = cursor;
        if (c == null) {
            return 0;
        }
        return tail.endOffset - Math.max(c.endOffset, liveStart);
    }

    /** Ends the stream with an error (drop for slowness, or a protocol violation). */
    boolean fail(Throwable t) {
        if (terminate(FAILED, t)) {
            broker.unsubscribe(this);
            drain();
            return true;
        }
        return false;
    }

    /** Ends the stream after what is queued has been sent (or at once when {@code force}). */
    void complete(boolean force) {
        if (force) {
            forceComplete = true;
        }
        terminate(COMPLETING, null);
        drain();
    }

    /** Marks the stream to end after what is queued, without sending anything yet (the caller drains later). */
    void markCompleting() {
        terminate(COMPLETING, null);
    }

    boolean isActive() {
        return state == ACTIVE;
    }

    void heartbeat() {
        heartbeatDue = true;
        drain();
    }

    private synchronized boolean terminate(int newState, Throwable t) {
        int s = state;
        if (s == CANCELLED || s == FAILED || (s == COMPLETING && newState == COMPLETING)) {
            return false;
        }
        if (t != null) {
            error = t;
        }
        state = newState;
        return true;
    }

    void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            if (!started || !emit()) {
                if (done) {
                    return;
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** Emits what demand allows. Returns false once the stream has ended. */
    private boolean emit() {
        for (;;) {
            if (done) {
                return false;
            }
            int s = state;
            if (s == CANCELLED) {
                finish();
                return false;
            }
            if (s == FAILED) {
                finish();
                try {
                    downstream.onError(error);
                } catch (Throwable ignored) {
                    // The adapter's failure must not break delivery to others.
                }
                return false;
            }
            long r = requested.get();
            if (r == 0) {
                if (s == COMPLETING && forceComplete) {
                    completeNow();
                    return false;
                }
                return true;
            }
            Chunk chunk = nextChunk();
            if (chunk == null) {
                if (s == COMPLETING) {
                    completeNow();
                    return false;
                }
                return true;
            }
            if (r != Long.MAX_VALUE) {
                requested.decrementAndGet();
            }
            lastActivityMillis = broker.nowMillis();
            if (chunk.events() > 0) {
                broker.countDelivered(chunk.events());
            }
            try {
                downstream.onNext(chunk);
            } catch (Throwable t) {
                if (terminate(CANCELLED, null)) {
                    broker.unsubscribe(this);
                }
                finish();
                return false;
            }
        }
    }

    private void completeNow() {
        finish();
        broker.unsubscribe(this);
        try {
            downstream.onComplete();
        } catch (Throwable ignored) {
            // Nothing more to deliver to this subscriber.
        }
    }

    private void finish() {
        done = true;
        cursor = null;
    }

    private Chunk nextChunk() {
        byte[] pre = null;
        if (!preambleSent) {
            preambleSent = true;
            pre = PREAMBLE;
        }
        Node c = cursor;
        Node first = c.next;
        if (first == null) {
            if (pre != null) {
                return new Chunk(pre, 0);
            }
            if (heartbeatDue) {
                heartbeatDue = false;
                return HEARTBEAT;
            }
            return null;
        }
        heartbeatDue = false;
        if (pre == null && (first.next == null || first.frame.length + first.next.frame.length > MAX_CHUNK)) {
            cursor = first;
            lastCopy = 0;
            return first.chunk;
        }
        int size = pre == null ? 0 : pre.length;
        int count = 0;
        Node last = c;
        for (Node n = first; n != null; n = n.next) {
            if (count > 0 && size + n.frame.length > MAX_CHUNK) {
                break;
            }
            size += n.frame.length;
            count++;
            last = n;
        }
        byte[] buf = new byte[size];
        int p = 0;
        if (pre != null) {
            System.arraycopy(pre, 0, buf, 0, pre.length);
            p = pre.length;
        }
        for (Node n = first;; n = n.next) {
            System.arraycopy(n.frame, 0, buf, p, n.frame.length);
            p += n.frame.length;
            if (n == last) {
                break;
            }
        }
        cursor = last;
        lastCopy = size;
        return new Chunk(buf, count);
    }
}
