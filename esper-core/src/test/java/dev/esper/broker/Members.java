package dev.esper.broker;

import java.util.List;

/** Test helpers for the broker's internals: a stream's member in a topic, positions for a batch. */
final class Members {
    private static long nextPosition = 1_000;

    private Members() {
    }

    /** A one-topic stream of {@code t} that never reads, at the topic's tail, and its member (not registered). */
    static Member stalledAt(Topic t) {
        StreamSubscription s = new StreamSubscription(null, List.of(t.id), false, RecordingSubscriber.stalled(), 0);
        Member m = new Member(s, t, 0, t.tail, t.tail.endOffset);
        s.members[0] = m;
        return m;
    }

    /** Increasing positions for a batch of {@code n} events, above every one handed out before. */
    static synchronized long[] positions(int n) {
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            p[i] = nextPosition++;
        }
        return p;
    }
}
