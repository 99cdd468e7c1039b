package dev.esper.broker;

import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The broker's timer work, in one pass over the topics: drop retained events past their age, forget
 * topics left with nothing, drop subscribers whose output stalled with a backlog over the bound
 * ({@link FanOut#tooSlow}), and send a heartbeat to each stream idle for the heartbeat interval; then keep
 * within the memory budget ({@link MemoryBudget#enforce}), which also runs between passes when a publish
 * asks for it ({@link #enforceBudgetSoon}).
 *
 * <p>Threads and locks: passes run on the one maintenance thread (a single-thread scheduler created in the
 * constructor and stopped by {@link #close}), or on a test's thread when the timer is off. A pass takes each
 * topic's {@link Topic#lock} in turn, one at a time, to trim and forget; heartbeats are sent without it.
 * The fields are final.
 */
final class Maintenance {
    private final TopicTable topics;
    private final Retention retention;
    private final FanOut fanOut;
    private final MemoryBudget budget;
    private final InstantSource clock;
    private final long heartbeatMillis;
    /** The timer, or null when passes are run by hand. */
    private final ScheduledExecutorService scheduler;
    /** A budget pass is queued on the timer's thread and has not started; set by publishers, cleared by it. */
    private final AtomicBoolean budgetPassQueued = new AtomicBoolean();

    /**
     * Maintenance of these topics, on a timer of its own when {@code scheduled}.
     *
     * @param topics the topics
     * @param retention their retention
     * @param fanOut what drops a subscriber that is too slow
     * @param budget the memory budget to keep within
     * @param clock the time for ages and idleness
     * @param heartbeatMillis idle interval before a heartbeat; 0 for none
     * @param scheduled whether to start the timer; if not, the caller runs {@link #runOnce()}
     */
    Maintenance(TopicTable topics, Retention retention, FanOut fanOut, MemoryBudget budget, InstantSource clock,
            long heartbeatMillis, boolean scheduled) {
        this.topics = topics;
        this.retention = retention;
        this.fanOut = fanOut;
        this.budget = budget;
        this.clock = clock;
        this.heartbeatMillis = heartbeatMillis;
        if (scheduled) {
            this.scheduler = Executors.newSingleThreadScheduledExecutor(new DaemonThreads("esper-maintenance"));
            long period = periodMillis(heartbeatMillis);
            scheduler.scheduleWithFixedDelay(this::runSafely, period, period, TimeUnit.MILLISECONDS);
        } else {
            this.scheduler = null;
        }
    }

    /** The time between passes: a second, or a quarter of the heartbeat interval (at least 10 ms) if shorter. */
    static long periodMillis(long heartbeatMillis) {
        long period = 1000;
        if (heartbeatMillis > 0) {
            period = Math.min(period, Math.max(10, heartbeatMillis / 4));
        }
        return period;
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // Keep the timer alive; the next run retries.
        }
    }

    /**
     * Queues a memory-budget pass on the timer's thread, unless one is queued already; returns at once. Does
     * nothing when passes are run by hand (a test runs {@link #runOnce()}) or after {@link #close}.
     */
    void enforceBudgetSoon() {
        if (scheduler == null || !budgetPassQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            scheduler.execute(() -> {
                budgetPassQueued.set(false);
                try {
                    budget.enforce();
                } catch (RuntimeException e) {
                    // The next pass retries.
                }
            });
        } catch (RejectedExecutionException e) {
            budgetPassQueued.set(false);
        }
    }

    /** One pass. */
    void runOnce() {
        long now = clock.millis();
        for (Topic t : topics.all()) {
            if ((retention.expiresByAge() && t.retainedCount > 0) || t.isIdle()) {
                t.lock.lock();
                try {
                    if (!t.removed) {
                        retention.trimLocked(t, now);
                        topics.forgetIfEmptyLocked(t);
                    }
                } finally {
                    t.lock.unlock();
                }
            }
            fanOut.dropTooSlow(t, now);
            if (heartbeatMillis > 0) {
                for (Member m : t.subscribers) {
                    // A stream of several topics is looked at once, through its first topic.
                    if (m.index == 0 && now - m.stream.lastActivityMillis >= heartbeatMillis) {
                        m.stream.heartbeat();
                    }
                }
            }
        }
        budget.enforce();
    }

    /** Stops the timer, if any: a pass under way is interrupted, and its thread has ended within a second. */
    void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            DaemonThreads.awaitEnd(scheduler);
        }
    }
}
