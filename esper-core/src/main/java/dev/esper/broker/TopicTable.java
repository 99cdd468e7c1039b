package dev.esper.broker;

import dev.esper.topic.TopicId;
import java.time.InstantSource;
import java.util.Collection;
import java.util.Iterator;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The topics a broker holds, their limit, and the eviction of idle topics to make room: for a new topic
 * past the max-topics limit, or for new retained events past the max-retained-bytes limit.
 *
 * <p>Eviction is CLOCK, an approximation of least recently used: a hand walks the table; a topic with a
 * subscriber (or a subscribe under way) is passed over, a topic used since the hand last passed it ({@link Topic#touched}) gets its
 * mark cleared and a second chance, and the first idle topic without the mark is evicted.
 *
 * <p>Threads and locks:
 * <ul>
 *   <li>{@code topics}: concurrent map. Any thread adds a topic ({@link #topicFor}); a topic leaves only
 *       through {@link #forgetLocked}, under the topic's own {@link Topic#lock}, which also marks it
 *       {@link Topic#removed} so that a caller that locked a removed topic looks it up again.</li>
 *   <li>{@code count}: the places taken under the max-topics limit; lock-free. A place is reserved before a
 *       topic is created and released when it is forgotten (or lost a race to be added).</li>
 *   <li>{@code hand}: the eviction clock's position; guarded by {@code handLock}, so one thread evicts at a
 *       time. The hand takes a topic's lock only with {@code tryLock}, never waiting while it holds
 *       {@code handLock}. {@link Topic#touched} is set by whoever uses the topic and cleared by the hand.</li>
 *   <li>{@code evicted}: a counter for the stats; any thread adds, anyone reads.</li>
 * </ul>
 */
final class TopicTable {
    /** The most topics one eviction attempt looks at (see {@link #evictOneIdle()}). */
    static final int EVICTION_SCAN_LIMIT = 10_000;

    private final ConcurrentHashMap<TopicId, Topic> topics = new ConcurrentHashMap<>();
    private final BoundedCount count;
    private final Retention retention;
    private final InstantSource clock;
    private final int stripes;
    /** Floors of topics that come back, when the broker assigns positions itself; null: floors are unknown. */
    private final ForgottenTopics forgotten;
    private final LongAdder evicted = new LongAdder();
    private final Object handLock = new Object();
    /** Guarded by {@link #handLock}. */
    private Iterator<Topic> hand;

    /**
     * An empty table.
     *
     * @param maxTopics the most topics held at once
     * @param retention told when a forgotten topic's events stop being retained
     * @param clock the creation time of a topic's log
     * @param stripes subscriber stripes of each new topic (see {@link SubscriberSet})
     * @param forgotten where forgotten topics leave their last position, for the floor of a topic that comes back
     *     (see {@link Node}); null when positions come from a cross-node transport, whose topics start with an
     *     unknown floor until it tells the broker (a history replaced with its floor)
     */
    TopicTable(int maxTopics, Retention retention, InstantSource clock, int stripes, ForgottenTopics forgotten) {
        this.count = new BoundedCount(maxTopics);
        this.retention = retention;
        this.clock = clock;
        this.stripes = stripes;
        this.forgotten = forgotten;
    }

    /** The topic with this id, or null. */
    Topic get(TopicId id) {
        return topics.get(id);
    }

    /**
     * The topic with this id, created if there is none, evicting an idle topic if the table is full. The
     * topic may be forgotten before the caller locks it; the caller then checks {@link Topic#removed} and
     * asks again.
     *
     * @throws CapacityExceededException if the table is full and no topic can be evicted
     */
    Topic topicFor(TopicId id) {
        Topic t = topics.get(id);
        if (t != null) {
            return t;
        }
        while (!count.tryReserve()) {
            if (!evictOneIdle()) {
                throw new CapacityExceededException("too many topics (" + count.max()
                        + ", the max-topics limit) and none is idle; try again later");
            }
        }
        Topic created = new Topic(id, clock.millis(), stripes,
                forgotten == null ? Node.UNKNOWN : forgotten.floorFor(id));
        Topic prev = topics.putIfAbsent(id, created);
        if (prev != null) {
            count.release();
            return prev;
        }
        return created;
    }

    /**
     * The topic with this id as {@link #topicFor} finds or creates it, locked by the calling thread and still
     * held (looked up again if it was forgotten before the lock was taken). The caller unlocks it.
     *
     * @throws CapacityExceededException if the table is full and no topic can be evicted
     */
    Topic lockHeld(TopicId id) {
        for (;;) {
            Topic t = topicFor(id);
            t.lock.lock();
            if (!t.removed) {
                return t;
            }
            t.lock.unlock();
        }
    }

    /**
     * Holds the topic for a subscribe under way (creating it if need be): it is neither forgotten nor evicted until
     * the subscribe registers there or gives up ({@link #unpin}).
     *
     * @throws CapacityExceededException if the table is full and no topic can be evicted
     */
    Topic pin(TopicId id) {
        Topic t = lockHeld(id);
        try {
            t.pending++;
            t.touched = true;
            return t;
        } finally {
            t.lock.unlock();
        }
    }

    /** Gives back a hold of {@link #pin}, for a subscribe that did not register; forgets the topic if it is empty. */
    void unpin(Topic t) {
        t.lock.lock();
        try {
            t.pending--;
            forgetIfEmptyLocked(t);
        } finally {
            t.lock.unlock();
        }
    }

    /** Removes the topic from the table and stops counting its retained events. Caller holds its lock. */
    void forgetLocked(Topic t) {
        if (forgotten != null) {
            forgotten.forgot(t.id, t.tail.position);
        }
        t.removed = true;
        topics.remove(t.id, t);
        count.release();
        retention.releaseLocked(t);
    }

    /** Forgets the topic if it is still held and holds nothing (no subscriber, no retained event). Caller holds its lock. */
    void forgetIfEmptyLocked(Topic t) {
        if (!t.removed && t.isEmpty()) {
            forgetLocked(t);
        }
    }

    /**
     * Makes room while retention is over its byte bound: evicts idle topics first, and when none can be
     * evicted, drops the oldest retained events across all topics ({@link #yieldOldestRetained()}). Retention
     * never refuses a publish: it is there for resumes, and a resume that misses the dropped events replays
     * what is still retained.
     */
    void makeRoomForRetention() {
        while (retention.isOverBound()) {
            if (!evictOneIdle()) {
                yieldOldestRetained();
                return;
            }
        }
    }

    /**
     * Drops retained events oldest first across all topics until retention is a tenth under its bound (so the
     * scan this takes is not repeated by every publish).
     */
    void yieldOldestRetained() {
        long target = retention.maxBytes() - retention.maxBytes() / 10;
        yieldOldestRetained(retention.bytes() - target, 0);
    }

    /**
     * Drops retained events oldest first across all topics until they add up to {@code toFree} bytes, each
     * counted as its frame's bytes plus {@code perEvent}, or nothing is retained; returns what they added up
     * to. One pass over the topics orders them by their oldest retained event; each drop takes that topic's
     * lock alone, and re-checks under it what the pass read without it.
     */
    long yieldOldestRetained(long toFree, int perEvent) {
        PriorityQueue<Oldest> queue = new PriorityQueue<>();
        for (Topic t : topics.values()) {
            Node first = t.head.next;
            if (first != null) {
                queue.add(new Oldest(first.timeMillis, t));
            }
        }
        long freed = 0;
        while (freed < toFree && !queue.isEmpty()) {
            Topic t = queue.poll().topic;
            t.lock.lock();
            try {
                if (!t.removed && t.retainedCount > 0) {
                    freed += t.head.next.frame.length + perEvent;
                    retention.dropOldestLocked(t);
                    if (t.retainedCount > 0) {
                        queue.add(new Oldest(t.head.next.timeMillis, t));
                    }
                }
            } finally {
                t.lock.unlock();
            }
        }
        return freed;
    }

    /** A topic and the time of its oldest retained event, as the queue of {@link #yieldOldestRetained()} orders them. */
    private static final class Oldest implements Comparable<Oldest> {
        final long timeMillis;
        final Topic topic;

        Oldest(long timeMillis, Topic topic) {
            this.timeMillis = timeMillis;
            this.topic = topic;
        }

        @Override
        public int compareTo(Oldest other) {
            return Long.compare(timeMillis, other.timeMillis);
        }
    }

    /**
     * Evicts one idle topic (no subscriber) that was not used since the clock hand last passed it. Returns
     * false if no topic is idle, or if none was found within {@link #EVICTION_SCAN_LIMIT} steps of the hand:
     * one request never scans more than that under the hand's lock (on a full broker whose topics all have
     * subscribers, each new topic would otherwise cost a scan of every topic twice, on an I/O thread). The
     * hand keeps its place, so the next attempt goes on from there.
     */
    boolean evictOneIdle() {
        synchronized (handLock) {
            int budget = (int) Math.min(2L * topics.size() + 2, EVICTION_SCAN_LIMIT);
            for (int i = 0; i < budget; i++) {
                if (hand == null || !hand.hasNext()) {
                    hand = topics.values().iterator();
                    if (!hand.hasNext()) {
                        return false;
                    }
                }
                Topic t = hand.next();
                if (!t.isIdle()) {
                    continue;
                }
                if (t.touched) {
                    t.touched = false;
                    continue;
                }
                if (t.lock.tryLock()) {
                    try {
                        if (!t.removed && t.isIdle()) {
                            forgetLocked(t);
                            evicted.increment();
                            return true;
                        }
                    } finally {
                        t.lock.unlock();
                    }
                }
            }
            return false;
        }
    }

    /** The topics held, weakly consistent (a walk may miss a topic added or see one forgotten meanwhile). */
    Collection<Topic> all() {
        return topics.values();
    }

    /** Topics held. */
    int size() {
        return count.get();
    }

    /** Topics evicted to make room since the table was created. */
    long evicted() {
        return evicted.sum();
    }
}
