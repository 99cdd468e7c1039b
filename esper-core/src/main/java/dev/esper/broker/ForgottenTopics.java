package dev.esper.broker;

import dev.esper.topic.TopicId;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last position of topics the broker forgot, so that a topic that comes back knows its floor (see
 * {@link Node}): a resume from a position at or above it lost nothing while the topic was gone, one below it
 * may have. Used only when the broker assigns positions itself from one counter (no cross-node transport), so
 * that every position handed out so far is below every one to come.
 *
 * <p>Bounded: it remembers the {@code capacity} topics forgotten last, exactly; for every other topic (pushed
 * out, or never seen by this broker) the floor is the highest position any such topic held, which is at least
 * that topic's own (a resume can then be told of a gap it did not have, never the other way round). It starts
 * at the position below the broker's first one, so positions of an earlier run of the broker count as unknown.
 *
 * <p>Thread-safe: one monitor guards both fields; {@link #forgot} runs where a topic is forgotten (under that
 * topic's lock), {@link #floorFor} where one is created.
 */
final class ForgottenTopics {
    private final int capacity;
    /** Oldest forgotten first. Guarded by this. */
    private final LinkedHashMap<TopicId, Long> last = new LinkedHashMap<>();
    /** The highest last position of a topic that is not in {@link #last}. Guarded by this. */
    private long beyond;

    /**
     * @param capacity topics remembered exactly
     * @param startFloor the floor of every topic never seen (the position below the broker's first)
     */
    /**
     * Set once the transport hands the broker positions or histories of its own (a cross-node transport): then a
     * topic's floor is the transport's to say, and this remembers and answers nothing.
     */
    private volatile boolean off;

    ForgottenTopics(int capacity, long startFloor) {
        this.capacity = capacity;
        this.beyond = startFloor;
    }

    /** Remembers the position of the last event (or the floor) of a topic being forgotten. */
    synchronized void forgot(TopicId topic, long lastPosition) {
        if (off) {
            return;
        }
        Long before = last.remove(topic);
        last.put(topic, before == null ? lastPosition : Math.max(before, lastPosition));
        if (last.size() > capacity) {
            Iterator<Map.Entry<TopicId, Long>> eldest = last.entrySet().iterator();
            beyond = Math.max(beyond, eldest.next().getValue());
            eldest.remove();
        }
    }

    /** The floor of a topic being created: at least every position it ever held on this broker. */
    synchronized long floorFor(TopicId topic) {
        if (off) {
            return Node.UNKNOWN;
        }
        Long known = last.get(topic);
        return known != null ? known : beyond;
    }

    /**
     * Positions and histories come from the transport from now on: floors are unknown here (a transport that only
     * passes events through, as one that wraps the local transport does, never calls this, and keeps exact floors).
     */
    void positionsComeFromTransport() {
        if (off) {
            return; // every append of a cross-node transport comes here: no lock after the first
        }
        synchronized (this) {
            off = true;
            last.clear();
        }
    }
}
