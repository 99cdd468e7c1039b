package dev.esper.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The one bound on the memory the broker holds in events: retained events plus the events that subscribers'
 * cursors still hold beyond retention, each counted at its heap cost, {@link #cost(Node)}.
 *
 * <h2>What is counted</h2>
 * A topic's log is a linked list; the garbage collector frees a node once neither retention's head nor a
 * subscriber's cursor reaches it. So a topic holds its nodes from the oldest of its head and its subscribers'
 * cursors up to its tail; the broker holds the sum over topics. Each event costs its frame's bytes plus
 * {@link #EVENT_OVERHEAD}, and a subscriber whose adapter still holds a coalesced chunk (a copy, up to
 * {@link StreamSubscription#MAX_CHUNK} bytes, while its write is in flight) costs that copy too. With the
 * cumulative {@link Node#endOffset} and {@link Node#seq}, what a stretch of the log costs is one subtraction:
 * a pass never walks a log.
 *
 * <h2>When and in what order things give way</h2>
 * A pass ({@link #enforce}) runs on the maintenance thread: every maintenance period, and soon after a publish
 * whose cheap estimate (what the last pass found plus what was appended since) passes the budget; a publish
 * never waits for it. Past the budget, a pass frees memory down to a tenth under the budget (so that passes do
 * not follow each other at every publish):
 * <ol>
 *   <li>subscribers holding events beyond retention are dropped, furthest behind first (they resume with
 *       {@code Last-Event-ID}; within a topic the furthest behind is the one holding the oldest node, so each
 *       drop frees what only it held);</li>
 *   <li>then the oldest retained events across all topics are dropped
 *       ({@link TopicTable#yieldOldestRetained(long, int)});</li>
 *   <li>and, since a retained event that a cursor still reaches is not freed by 2, the pass looks again, up
 *       to {@link #ROUNDS} times.</li>
 * </ol>
 *
 * <p>A pass also sums the fan-out backlog ({@link #backlog()}), since it looks at every cursor anyway.
 *
 * <p>Threads: {@link #appended} runs on publishing threads and only adds to an atomic; {@link #enforce} runs on
 * one thread at a time (the maintenance thread, or a test's) and takes each topic's lock in turn, one at a
 * time, to read its head. {@code held} is written by the pass and read by anyone; the counters are atomics.
 */
final class MemoryBudget {
    /**
     * Heap bytes an event costs beyond its frame's bytes, estimated for a 64-bit JVM with compressed
     * references: the {@link Node} (64 bytes, with its position), the frame's array header (16, plus up to 7 of
     * padding), the node's shared single-event {@link Chunk} (24), and a broker-assigned id (a 16-digit
     * {@code String}: 24 bytes and its 32-byte array): 160-167 bytes. Measured (heap used after full GCs, less the
     * frame bytes, over 100,000 events of 600 bytes) at 133 bytes with the serial collector and 156 with G1 before
     * the node had a position (8 bytes more now). Rounded up.
     */
    static final int EVENT_OVERHEAD = 168;
    /** Passes over the topics that one enforcement makes at most (see the class description). */
    static final int ROUNDS = 3;

    private final long budget;
    private final long target;
    private final TopicTable topics;
    private final FanOut fanOut;
    /** Cost of the events appended since the last pass started; publishers add, the pass resets. */
    private final AtomicLong appendedSincePass = new AtomicLong();
    /** What the last pass left held; written by the pass, read by anyone. */
    private volatile long held;
    /** The fan-out backlog the last pass found (see {@link #backlog()}); written by the pass, read by anyone. */
    private volatile long backlog;
    private final LongAdder dropped = new LongAdder();

    /**
     * A budget over these topics.
     *
     * @param budget the bound, in bytes of heap
     * @param topics the topics
     * @param fanOut what drops a subscriber (and counts it as dropped)
     */
    MemoryBudget(long budget, TopicTable topics, FanOut fanOut) {
        this.budget = budget;
        this.target = budget - budget / 10;
        this.topics = topics;
        this.fanOut = fanOut;
    }

    /** The heap a topic's log costs from its start up to and including {@code n}. */
    static long cost(Node n) {
        return n.endOffset + n.seq * EVENT_OVERHEAD;
    }

    /**
     * Counts an append of {@code events} events of {@code bytes} frame bytes; any thread.
     *
     * @return whether the estimate of what is held now passes the budget, so that a pass should run soon
     */
    boolean appended(int events, long bytes) {
        long since = appendedSincePass.addAndGet(bytes + (long) events * EVENT_OVERHEAD);
        return held + since > budget;
    }

    /** The bound. */
    long budget() {
        return budget;
    }

    /** What the last pass found held, plus what was appended since (an upper bound, barring new replays). */
    long held() {
        return held + appendedSincePass.get();
    }

    /**
     * The fan-out backlog at the last pass: over every open stream, the frame bytes of its topic's log after
     * its cursor (what it has not yet been handed, replays included).
     */
    long backlog() {
        return backlog;
    }

    /** Subscribers dropped to keep within the budget. */
    long dropped() {
        return dropped.sum();
    }

    /** One pass: measures what is held and, past the budget, frees down to a tenth under it. */
    void enforce() {
        appendedSincePass.set(0);
        Census census = census();
        backlog = census.backlog;
        if (census.held <= budget) {
            held = census.held;
            return;
        }
        for (int round = 1;; round++) {
            long toFree = census.held - target;
            toFree -= dropFurthestBehind(census, toFree);
            if (toFree > 0) {
                topics.yieldOldestRetained(toFree, EVENT_OVERHEAD);
            }
            census = census();
            if (census.held <= target || round == ROUNDS) {
                held = census.held;
                return;
            }
        }
    }

    /** What a pass found: the total held, and per topic the subscribers holding events beyond retention. */
    private static final class Census {
        long held;
        long backlog;
        final List<Holders> holders = new ArrayList<>();
    }

    /**
     * A topic's subscribers that hold events beyond its retention, oldest cursor first, and the costs they
     * are measured against.
     */
    private static final class Holders implements Comparable<Holders> {
        final long headCost;
        final long tailCost;
        final List<Pin> pins;
        int next;

        Holders(long headCost, long tailCost, List<Pin> pins) {
            this.headCost = headCost;
            this.tailCost = tailCost;
            this.pins = pins;
            pins.sort(null);
        }

        /** How far behind the tail the next subscriber to drop is: larger goes first. */
        long lag() {
            return tailCost - pins.get(next).cursorCost;
        }

        @Override
        public int compareTo(Holders other) {
            return Long.compare(other.lag(), lag());
        }
    }

    /** A subscriber, the cost of the log up to its cursor, and the chunk copy its adapter holds. */
    private static final class Pin implements Comparable<Pin> {
        final StreamSubscription subscription;
        final long cursorCost;
        final long copy;

        Pin(StreamSubscription subscription, long cursorCost, long copy) {
            this.subscription = subscription;
            this.cursorCost = cursorCost;
            this.copy = copy;
        }

        @Override
        public int compareTo(Pin other) {
            return Long.compare(cursorCost, other.cursorCost);
        }
    }

    /** Walks the topics: retained events, the events cursors hold beyond them, and chunk copies in flight. */
    private Census census() {
        Census c = new Census();
        for (Topic t : topics.all()) {
            long headCost;
            long retained;
            t.lock.lock();
            try {
                if (t.removed) {
                    continue;
                }
                headCost = cost(t.head);
                retained = t.retainedBytes + (long) t.retainedCount * EVENT_OVERHEAD;
            } finally {
                t.lock.unlock();
            }
            Node tail = t.tail;
            long tailCost = cost(tail);
            long oldest = headCost;
            List<Pin> pins = null;
            for (Member m : t.subscribers) {
                Node cursor = m.cursor;
                StreamSubscription s = m.stream;
                if (cursor == null || !s.isStarted()) {
                    continue;
                }
                // A stream of several topics holds one chunk copy: counted with its first topic.
                long copy = m.index == 0 ? s.copyInFlight() : 0;
                c.held += copy;
                c.backlog += Math.max(0, tail.endOffset - cursor.endOffset);
                long cursorCost = cost(cursor);
                if (cursorCost < headCost) {
                    oldest = Math.min(oldest, cursorCost);
                    if (pins == null) {
                        pins = new ArrayList<>();
                    }
                    pins.add(new Pin(s, cursorCost, copy));
                }
            }
            c.held += retained + (headCost - oldest);
            if (pins != null) {
                c.holders.add(new Holders(headCost, tailCost, pins));
            }
        }
        return c;
    }

    /**
     * Drops subscribers holding events beyond retention, furthest behind first, until {@code toFree} bytes are
     * freed or none is left; returns the bytes freed.
     */
    private long dropFurthestBehind(Census census, long toFree) {
        PriorityQueue<Holders> queue = new PriorityQueue<>(census.holders);
        long freed = 0;
        while (freed < toFree && !queue.isEmpty()) {
            Holders h = queue.poll();
            Pin pin = h.pins.get(h.next++);
            long nextCost = h.next < h.pins.size() ? h.pins.get(h.next).cursorCost : h.headCost;
            if (fanOut.dropForMemory(pin.subscription, budget)) {
                dropped.increment();
                freed += Math.min(nextCost, h.headCost) - pin.cursorCost + pin.copy;
            }
            if (h.next < h.pins.size()) {
                queue.add(h);
            }
        }
        return freed;
    }
}
