package dev.esper.broker;

import dev.esper.topic.TopicId;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A topic's log, retention and subscribers. Appends, retention trimming, subscriber registration and
 * removal of the topic happen under {@link #lock}; delivery reads the log without it.
 */
final class Topic {
    final TopicId id;
    final ReentrantLock lock = new ReentrantLock();
    final SubscriberSet subscribers;

    // Guarded by lock.
    /** The node before the oldest retained event (the oldest retained is head.next, if any). */
    Node head;
    int retainedCount;
    long retainedBytes;
    boolean removed;

    /** The newest node. Written under lock, read by anyone. */
    volatile Node tail;
    /** Recently used, for the eviction clock; set on publish and subscribe, cleared by the clock hand. */
    volatile boolean touched = true;

    Topic(TopicId id, long nowMillis, int stripes) {
        this.id = id;
        this.subscribers = new SubscriberSet(stripes);
        Node sentinel = Node.sentinel(nowMillis);
        this.head = sentinel;
        this.tail = sentinel;
    }

    /** Whether the topic holds nothing: no subscriber, no retained event. Caller holds the lock. */
    boolean isEmpty() {
        return retainedCount == 0 && subscribers.isEmpty();
    }

    /** Finds the newest retained node with this id, or null. Caller holds the lock. */
    Node findRetained(String eventId) {
        Node found = null;
        for (Node n = head.next; n != null; n = n.next) {
            if (eventId.equals(n.id)) {
                found = n;
            }
        }
        return found;
    }
}
