package dev.esper.redis;

import dev.esper.event.Event;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Ordered events as they come out of Redis: each with its sequence number (the topic's cluster-wide
 * order) and its id. Immutable.
 *
 * @param seqs sequence numbers, increasing
 * @param events the events, each with its id
 */
record Batch(long[] seqs, List<Event> events) {

    /** The events whose sequence number is above {@code seq}, in order, with their sequence numbers. */
    Batch after(long seq) {
        if (seqs.length == 0 || seqs[0] > seq) {
            return this;
        }
        List<Event> out = new ArrayList<>();
        long[] kept = new long[seqs.length];
        for (int i = 0; i < seqs.length; i++) {
            if (seqs[i] > seq) {
                kept[out.size()] = seqs[i];
                out.add(events.get(i));
            }
        }
        return new Batch(java.util.Arrays.copyOf(kept, out.size()), List.copyOf(out));
    }

    /** Whether the batch holds no event. */
    boolean isEmpty() {
        return events.isEmpty();
    }

    /** The last sequence number, or {@code Long.MIN_VALUE} when empty. */
    long lastSeq() {
        return seqs.length == 0 ? Long.MIN_VALUE : seqs[seqs.length - 1];
    }

    /**
     * Decodes a pub/sub message of {@link Scripts#PUBLISH}: {@code first\n}, then per event id, name, retry and
     * data, each as {@code <bytes>:<value>}.
     *
     * @throws IllegalArgumentException if the message is not in that form
     */
    static Batch decode(byte[] m) {
        int p = 0;
        long first = 0;
        while (p < m.length && m[p] != '\n') {
            first = first * 10 + digit(m[p++]);
        }
        if (p == 0 || p >= m.length) {
            throw new IllegalArgumentException("message does not start with a sequence number");
        }
        p++;
        List<Event> events = new ArrayList<>();
        String[] f = new String[4];
        while (p < m.length) {
            for (int k = 0; k < 4; k++) {
                int len = 0;
                int start = p;
                while (p < m.length && m[p] != ':') {
                    len = len * 10 + digit(m[p++]);
                }
                if (p == start || p >= m.length || p + 1 + len > m.length) {
                    throw new IllegalArgumentException("message is cut off at byte " + p);
                }
                p++;
                f[k] = new String(m, p, len, StandardCharsets.UTF_8);
                p += len;
            }
            events.add(new Event(f[3], f[1], f[0], f[2]));
        }
        long[] seqs = new long[events.size()];
        for (int i = 0; i < seqs.length; i++) {
            seqs[i] = first + i;
        }
        return new Batch(seqs, List.copyOf(events));
    }

    private static int digit(byte b) {
        if (b < '0' || b > '9') {
            throw new IllegalArgumentException("expected a digit, was byte " + b);
        }
        return b - '0';
    }
}
