package dev.esper.broker;

import dev.esper.event.Event;
import dev.esper.event.SseEncoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the topics' logs retain for resumes: appending encoded events to a topic's log, trimming it to the
 * history size and age, and the totals over all topics that the global bound on retained bytes and the
 * stats read.
 *
 * <p>Threads and locks: a topic's log fields ({@link Topic#head}, {@link Topic#tail},
 * {@link Topic#retainedCount}, {@link Topic#retainedBytes}) are written only by the methods ending in
 * {@code Locked}, whose caller holds that topic's {@link Topic#lock}; any thread may be that caller (a
 * publisher, the transport, the maintenance thread). The totals {@link #events()} and {@link #bytes()} are
 * atomics: each {@code Locked} method moves them by what it changed in its topic, and anyone reads them
 * without a lock. The bounds are final.
 */
final class Retention {
    private final int historySize;
    private final long historyTtlMillis;
    private final long maxBytes;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    /**
     * Retention within these bounds.
     *
     * @param historySize events retained per topic (0 retains nothing)
     * @param historyTtlMillis age at which a retained event is dropped; 0 for no age limit
     * @param maxBytes bound on the bytes retained over all topics
     */
    Retention(int historySize, long historyTtlMillis, long maxBytes) {
        this.historySize = historySize;
        this.historyTtlMillis = historyTtlMillis;
        this.maxBytes = maxBytes;
    }

    /**
     * Encodes the events with the given ids, links them after the topic's tail in one volatile write (a
     * reader never sees half a batch), counts them as retained and trims. Published {@code now}, or
     * {@code ages} ago when {@code ages} is not null. Caller holds the topic's lock.
     *
     * @param positions each event's position in the topic's order, increasing, above the tail's
     * @return the bytes of the frames appended
     */
    long appendLocked(Topic t, List<Event> batch, List<String> ids, long[] positions, List<Duration> ages,
            long now) {
        Node prev = t.tail;
        Node first = null;
        long size = 0;
        for (int i = 0; i < batch.size(); i++) {
            String id = ids.get(i);
            byte[] frame = SseEncoder.encode(batch.get(i), id);
            long time = ages == null ? now : now - Math.max(0, ages.get(i).toMillis());
            Node n = new Node(id, frame, prev.endOffset + frame.length, prev.seq + 1, positions[i], time);
            if (first == null) {
                first = n;
            } else {
                prev.next = n;
            }
            prev = n;
            size += frame.length;
        }
        if (first != null) {
            t.tail.next = first;
            t.tail = prev;
        }
        t.retainedCount += batch.size();
        t.retainedBytes += size;
        events.addAndGet(batch.size());
        bytes.addAndGet(size);
        trimLocked(t, now);
        return size;
    }

    /** Stops counting the topic's retained events; the log keeps only what cursors still hold. Caller holds the lock. */
    void releaseLocked(Topic t) {
        events.addAndGet(-t.retainedCount);
        bytes.addAndGet(-t.retainedBytes);
        t.retainedCount = 0;
        t.retainedBytes = 0;
        t.head = t.tail;
    }

    /**
     * Drops everything the topic retains and starts its log again from a sentinel with this floor (see
     * {@link Node}). Only for a topic without subscribers. Caller holds the lock.
     */
    void restartLocked(Topic t, long floor, long now) {
        releaseLocked(t);
        Node sentinel = Node.sentinelAfter(t.tail, floor, now);
        t.head = sentinel;
        t.tail = sentinel;
    }

    /** Drops retained events past the count and age bounds. Caller holds the lock. */
    void trimLocked(Topic t, long now) {
        while (t.retainedCount > 0) {
            Node oldest = t.head.next;
            boolean tooMany = t.retainedCount > historySize;
            boolean tooOld = historyTtlMillis > 0 && now - oldest.timeMillis >= historyTtlMillis;
            if (!tooMany && !tooOld) {
                break;
            }
            dropOldestLocked(t);
        }
    }

    /** Drops the topic's oldest retained event; it must retain one. Caller holds the lock. */
    void dropOldestLocked(Topic t) {
        Node oldest = t.head.next;
        t.head = oldest;
        t.retainedCount--;
        t.retainedBytes -= oldest.frame.length;
        events.decrementAndGet();
        bytes.addAndGet(-oldest.frame.length);
    }

    /** Whether retained events expire by age, so that a sweep has work even on busy topics. */
    boolean expiresByAge() {
        return historyTtlMillis > 0;
    }

    /** Whether all topics together retain more bytes than the bound. */
    boolean isOverBound() {
        return bytes.get() > maxBytes;
    }

    /** The bound on the bytes retained over all topics. */
    long maxBytes() {
        return maxBytes;
    }

    /** Events retained over all topics. */
    long events() {
        return events.get();
    }

    /** Bytes of the frames retained over all topics. */
    long bytes() {
        return bytes.get();
    }
}
