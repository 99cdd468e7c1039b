package dev.esper.broker;

/**
 * One published event in a topic's log: its id, its encoded frame (shared by every subscriber), the
 * topic's cumulative byte offset after it, its position in the topic's order, and when it was published. The
 * log is a singly linked list that only grows at the tail; subscribers hold a cursor (the last node they were
 * handed), retention holds the node before the oldest retained event, and the garbage collector frees what
 * neither reaches.
 *
 * <p>A sentinel starts a log. Its position is the topic's <em>floor</em>: every event of the topic at or below
 * it is gone (published before the log started), every later one is in the log. {@link #UNKNOWN} says the floor
 * is not known, so a resume from before the log cannot be shown complete.
 */
final class Node {
    /** The position of a sentinel whose floor is not known: above every real position. */
    static final long UNKNOWN = Long.MAX_VALUE;

    final String id;
    final byte[] frame;
    /** The frame as a single-event chunk, shared by every subscriber it is sent to alone. */
    final Chunk chunk;
    /** Sum of frame lengths of the topic up to and including this node. */
    final long endOffset;
    /** Events of the topic up to and including this node (the sentinel is 0): with {@link #endOffset}, what a
     * stretch of the log costs in memory without walking it (see {@link MemoryBudget#cost}). */
    final long seq;
    /**
     * The event's place in its topic's order, the same on every node: increasing along the log, never reused for
     * the topic. The broker's own counter assigns it, or a cross-node transport (with Redis, the topic's sequence
     * number in Redis). A sentinel's is the topic's floor. Cursors of multi-topic streams are made of these.
     */
    final long position;
    final long timeMillis;
    /** Written once, by the publisher holding the topic lock; read by anyone. */
    volatile Node next;

    Node(String id, byte[] frame, long endOffset, long seq, long position, long timeMillis) {
        this.id = id;
        this.frame = frame;
        this.chunk = new Chunk(frame, 1);
        this.endOffset = endOffset;
        this.seq = seq;
        this.position = position;
        this.timeMillis = timeMillis;
    }

    /** The first node of a new topic's log, with the topic's floor ({@link #UNKNOWN} when not known). */
    static Node sentinel(long timeMillis, long floor) {
        return new Node(null, new byte[0], 0, 0, floor, timeMillis);
    }

    /** A sentinel that starts the log again after {@code tail} (offsets go on), with a new floor. */
    static Node sentinelAfter(Node tail, long floor, long timeMillis) {
        return new Node(null, new byte[0], tail.endOffset, tail.seq, floor, timeMillis);
    }

    /** Whether this is a sentinel (no event). */
    boolean isSentinel() {
        return id == null;
    }

    /** Where the frame's fields after its {@code id:} line start (the frame always starts with that line). */
    int bodyOffset() {
        for (int i = 0; i < frame.length; i++) {
            if (frame[i] == '\n') {
                return i + 1;
            }
        }
        return 0;
    }
}
