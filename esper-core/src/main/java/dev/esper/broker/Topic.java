package dev.esper.broker;

import dev.esper.topic.TopicId;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A topic's log, retention and subscribers. Appends, retention trimming, subscriber registration and
 * removal of the topic happen under {@link #lock}; delivery reads the log without it.
 */
final class Topic {
    final TopicId id;
    /** {@code <id>:} in ASCII: how an event id on a stream of several topics starts (SPEC 8); shared by its streams. */
    final byte[] idPrefix;
    final ReentrantLock lock = new ReentrantLock();
    final SubscriberSet subscribers;

    // Guarded by lock.
    /** The node before the oldest retained event (the oldest retained is head.next, if any). */
    Node head;
    int retainedCount;
    long retainedBytes;
    boolean removed;

    /**
     * Subscribes under way that will register here: the topic is held for them (not forgotten, not evicted).
     * Written under lock, read by anyone (a read without it is a hint).
     */
    volatile int pending;

    /** The newest node. Written under lock, read by anyone. */
    volatile Node tail;
    /** Recently used, for the eviction clock; set on publish and subscribe, cleared by the clock hand. */
    volatile boolean touched = true;

    /**
     * A topic with an empty log.
     *
     * @param floor the position at or below which every event of the topic is gone ({@link Node#UNKNOWN} when
     *     not known)
     */
    Topic(TopicId id, long nowMillis, int stripes, long floor) {
        this.id = id;
        this.idPrefix = (id.value() + ":").getBytes(StandardCharsets.US_ASCII);
        this.subscribers = new SubscriberSet(stripes);
        Node sentinel = Node.sentinel(nowMillis, floor);
        this.head = sentinel;
        this.tail = sentinel;
    }

    /** Whether the topic holds nothing: no subscriber, none under way, no retained event. Caller holds the lock. */
    boolean isEmpty() {
        return retainedCount == 0 && pending == 0 && subscribers.isEmpty();
    }

    /** Whether nobody follows the topic, nor is about to. Read without the lock it is a hint. */
    boolean isIdle() {
        return pending == 0 && subscribers.isEmpty();
    }

    /**
     * Where a resume after the event with this id starts: the newest retained node with it, or the head when the
     * head is that event (the last one no longer retained, so everything retained follows it); null when the
     * topic does not know the id. Caller holds the lock.
     */
    Node findResumePoint(String eventId) {
        Node found = eventId.equals(head.id) ? head : null;
        for (Node n = head.next; n != null; n = n.next) {
            if (eventId.equals(n.id)) {
                found = n;
            }
        }
        return found;
    }

    /** The last node at or below {@code position}, from the head on (the head if none retained is). Caller holds the lock. */
    Node lastAtOrBefore(long position) {
        Node at = head;
        for (Node n = head.next; n != null && n.position <= position; n = n.next) {
            at = n;
        }
        return at;
    }
}
