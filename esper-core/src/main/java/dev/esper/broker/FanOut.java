package dev.esper.broker;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Delivery after a publish: one fan-out task per non-empty subscriber stripe of the topic (see
 * {@link SubscriberSet}), run on the delivery executor. A task drops the stripe's subscribers that are
 * more than the subscriber-buffer bound behind and lets the others drain; a failure of one subscriber ends
 * that subscriber only.
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
    private final long subscriberBuffer;
    private final LongAdder dropped = new LongAdder();

    /**
     * Fan-out on the caller's executor, or on an own pool of {@code threads} threads when it is null.
     *
     * @param executor the caller's executor, or null
     * @param threads the own pool's size, and the number of subscriber stripes per topic either way
     * @param subscriberBuffer unsent live bytes past which a subscriber is dropped
     */
    FanOut(Executor executor, int threads, long subscriberBuffer) {
        this.stripes = threads;
        this.subscriberBuffer = subscriberBuffer;
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

    /** Checks the lag of every subscriber of one stripe, drops those past the bound, and lets the others drain. */
    private void fanout(Topic t, int stripe) {
        t.subscribers.queued(stripe).set(false);
        Node tail = t.tail;
        for (StreamSubscription s : t.subscribers.stripe(stripe)) {
            try {
                if (s.lag(tail) > subscriberBuffer) {
                    drop(s);
                } else {
                    s.drain();
                }
            } catch (RuntimeException e) {
                s.fail(e);
            }
        }
    }

    private void drop(StreamSubscription s) {
        if (s.fail(new SubscriberTooSlowException("subscriber of '" + s.topic.id + "' fell more than "
                + subscriberBuffer + " bytes behind (the subscriber-buffer limit) and was disconnected; "
                + "resume with Last-Event-ID"))) {
            dropped.increment();
        }
    }

    /** Subscribers dropped for being too slow. */
    long dropped() {
        return dropped.sum();
    }

    /** Shuts the own pool down, waiting up to a second for running passes; the caller's executor is left alone. */
    void close() {
        if (ownedDelivery != null) {
            ownedDelivery.shutdown();
            try {
                ownedDelivery.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
