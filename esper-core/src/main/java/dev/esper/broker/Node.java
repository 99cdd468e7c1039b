package dev.esper.broker;

/**
 * One published event in a topic's log: its id, its encoded frame (shared by every subscriber), the
 * topic's cumulative byte offset after it, and when it was published. The log is a singly linked list
 * that only grows at the tail; subscribers hold a cursor (the last node they were handed), retention
 * holds the node before the oldest retained event, and the garbage collector frees what neither reaches.
 */
final class Node {
    final String id;
    final byte[] frame;
    /** The frame as a single-event chunk, shared by every subscriber it is sent to alone. */
    final Chunk chunk;
    /** Sum of frame lengths of the topic up to and including this node. */
    final long endOffset;
    /** Events of the topic up to and including this node (the sentinel is 0): with {@link #endOffset}, what a
     * stretch of the log costs in memory without walking it (see {@link MemoryBudget#cost}). */
    final long seq;
    final long timeMillis;
    /** Written once, by the publisher holding the topic lock; read by anyone. */
    volatile Node next;

    Node(String id, byte[] frame, long endOffset, long seq, long timeMillis) {
        this.id = id;
        this.frame = frame;
        this.chunk = new Chunk(frame, 1);
        this.endOffset = endOffset;
        this.seq = seq;
        this.timeMillis = timeMillis;
    }

    static Node sentinel(long timeMillis) {
        return new Node(null, new byte[0], 0, 0, timeMillis);
    }
}
