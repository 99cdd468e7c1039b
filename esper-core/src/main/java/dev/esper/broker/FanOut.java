package dev.esper.broker;

import java.time.InstantSource;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Delivery after a publish: one fan-out task per non-empty subscriber stripe of the topic (see
 * {@link SubscriberSet}), run on the delivery executor. A task drops the stripe's subscribers that are too slow
 * ({@link #tooSlow}) and lets the others drain; a failure of one subscriber ends that subscriber only.
 *
 * <h2>Too slow</h2>
 * A subscriber's backlog is what was published to its topics after the chunk it is writing: bytes the server
 * holds for it, not counting the write in flight nor what the kernel's socket buffer took. A reader that keeps
 * up can be a few events behind for a moment (an event arrives while the previous one is still being written),
 * and a reader starved of CPU for a moment can be many: a backlog over the subscriber-buffer bound alone does
 * not drop it. It is dropped when its backlog is over the bound <em>and</em> its output has made no progress for
 * {@link #STALL_MILLIS} (no write completed): it does not read. A reader that reads, but more slowly than its
 * topic is published, is bounded by the broker's memory budget instead, which drops the furthest behind
 * first.
 *
 * <p>Threads: {@link #schedule} runs on the publishing thread and only queues tasks; the tasks run on the
 * delivery threads (or on the publishing thread when the executor refuses them). A stripe's
 * {@link SubscriberSet#queued} flag, set by {@code schedule} and cleared by the task as it starts, keeps at
 * most one pass per stripe queued. The executor is either the caller's (never shut down here) or this
 * object's own pool, created in the constructor and shut down by {@link #close}. {@code dropped} is a
 * counter for the stats: any thread adds, anyone reads.
 */
final class FanOut {
    private final Executor delivery;
    /** The pool this object created, or null when the caller's executor is used. */
    private final ExecutorService ownedDelivery;
    private final int stripes;
    /** How long a subscriber over the bound may go without a completed write before it is dropped. */
    static final long STALL_MILLIS = 2_000;

    private final long subscriberBuffer;
    private final InstantSource clock;
    private final LongAdder dropped = new LongAdder();

    /**
     * Fan-out on the caller's executor, or on an own pool of {@code threads} threads when it is null.
     *
     * @param executor the caller's executor, or null
     * @param threads the own pool's size, and the number of subscriber stripes per topic either way
     * @param subscriberBuffer the backlog past which a subscriber whose output makes no progress is dropped
     * @param clock the time for progress
     */
    FanOut(Executor executor, int threads, long subscriberBuffer, InstantSource clock) {
        this.stripes = threads;
        this.subscriberBuffer = subscriberBuffer;
        this.clock = clock;
        if (executor != null) {
            this.delivery = executor;
            this.ownedDelivery = null;
        } else {
            this.ownedDelivery = Executors.newFixedThreadPool(threads, new DaemonThreads("esper-delivery"));
            this.delivery = ownedDelivery;
        }
    }

    /** Subscriber stripes per topic: fan-out tasks per topic publish, so a big topic fans out on every thread. */
    int stripes() {
        return stripes;
    }

    /** Queues one fan-out pass per non-empty stripe of the topic's subscribers, unless one is queued already. */
    void schedule(Topic t) {
        SubscriberSet subs = t.subscribers;
        for (int i = 0; i < subs.stripeCount(); i++) {
            if (subs.stripe(i).isEmpty() || !subs.queued(i).compareAndSet(false, true)) {
                continue;
            }
            int stripe = i;
            try {
                delivery.execute(() -> fanout(t, stripe));
            } catch (RejectedExecutionException e) {
                fanout(t, stripe);
            }
        }
    }

    /** Drops the stripe's subscribers that are too slow, and lets the others drain. */
    private void fanout(Topic t, int stripe) {
        t.subscribers.queued(stripe).set(false);
        long now = clock.millis();
        for (Member m : t.subscribers.stripe(stripe)) {
            StreamSubscription s = m.stream;
            try {
                if (!dropIfTooSlow(s, now)) {
                    s.drain();
                }
            } catch (RuntimeException e) {
                s.fail(e);
            }
        }
    }

    /**
     * Drops every subscriber of the topic that is too slow (the maintenance pass: outputs that stalled). A stream
     * of several topics is looked at once, through its first topic.
     */
    void dropTooSlow(Topic t, long nowMillis) {
        for (Member m : t.subscribers) {
            if (m.index == 0) {
                dropIfTooSlow(m.stream, nowMillis);
            }
        }
    }

    /** Whether a subscriber is too slow: see the class description. Its backlog is over all its topics. */
    boolean tooSlow(StreamSubscription s, long nowMillis) {
        return s.stalled(nowMillis, STALL_MILLIS) && s.lag() > subscriberBuffer;
    }

    private boolean dropIfTooSlow(StreamSubscription s, long nowMillis) {
        if (!tooSlow(s, nowMillis)) {
            return false;
        }
        if (s.fail(new SubscriberTooSlowException("subscriber of " + s.describe() + " fell more than "
                + subscriberBuffer + " bytes behind (the subscriber-buffer limit) without reading and was "
                + "disconnected; resume with Last-Event-ID"))) {
            dropped.increment();
        }
        return true;
    }

    /**
     * Drops a subscriber to keep the broker within its memory budget, and counts it as dropped; see
     * {@link MemoryBudget}. Returns false if the stream had already ended.
     */
    boolean dropForMemory(StreamSubscription s, long budget) {
        if (s.fail(new SubscriberTooSlowException("subscriber of " + s.describe() + " was furthest behind when "
                + "the broker held more than " + budget + " bytes of events (the memory-budget limit) and was "
                + "disconnected; resume with Last-Event-ID"))) {
            dropped.increment();
            return true;
        }
        return false;
    }

    /** Subscribers dropped for being too slow, or for the memory budget. */
    long dropped() {
        return dropped.sum();
    }

    /** Shuts the own pool down, waiting up to a second for running passes; the caller's executor is left alone. */
    void close() {
        if (ownedDelivery != null) {
            ownedDelivery.shutdown();
            DaemonThreads.awaitEnd(ownedDelivery);
        }
    }
}
