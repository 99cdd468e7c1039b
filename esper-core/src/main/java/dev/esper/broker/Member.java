package dev.esper.broker;

/**
 * A stream's place in one of its topics: what the topic's {@link SubscriberSet} holds. A one-topic stream has one
 * member, a multi-topic stream one per topic, all sharing the stream's demand and buffer bound.
 *
 * <p>Threads: the fields are final but {@link #cursor}, which the stream's draining thread writes (see
 * {@link StreamSubscription}) and fan-out and the memory budget read.
 */
final class Member {
    final StreamSubscription stream;
    final Topic topic;
    /** This member's index in the stream's members (its topics, sorted). */
    final int index;
    /** Topic byte offset when the member registered: bytes before it are replay and not bounded. */
    final long liveStart;
    /** Which of the topic's subscriber stripes (fan-out tasks) this member belongs to. */
    final int stripe;
    /** Last node handed downstream, or null once the stream ended. */
    volatile Node cursor;

    Member(StreamSubscription stream, Topic topic, int index, Node cursor, long liveStart) {
        this.stream = stream;
        this.topic = topic;
        this.index = index;
        this.cursor = cursor;
        this.liveStart = liveStart;
        this.stripe = topic.subscribers.nextStripe();
    }

    /** Unsent live bytes of this topic; 0 once the stream ended. */
    long lag() {
        Node c = cursor;
        if (c == null) {
            return 0;
        }
        return topic.tail.endOffset - Math.max(c.endOffset, liveStart);
    }
}
