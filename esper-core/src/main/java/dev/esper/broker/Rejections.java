package dev.esper.broker;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Requests refused, by HTTP status. The statuses esper's API and its front ends answer with are there from the
 * start (at 0), so that a metric shows them before the first refusal; any other 4xx or 5xx status is added
 * when first counted. Bounded by the 200 statuses from 400 to 599.
 *
 * <p>Thread-safe: any thread counts, anyone reads.
 */
final class Rejections {
    /** What the API and the front ends refuse with: body, token, route, method, timeout, size and limit errors. */
    static final int[] KNOWN = {400, 401, 403, 404, 405, 408, 413, 414, 431, 500, 503};

    private final Map<Integer, LongAdder> counts = new ConcurrentHashMap<>();

    Rejections() {
        for (int status : KNOWN) {
            counts.put(status, new LongAdder());
        }
    }

    /**
     * Counts one refusal.
     *
     * @throws IllegalArgumentException if {@code status} is not from 400 to 599
     */
    void add(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a rejected request's status must be from 400 to 599, was " + status);
        }
        counts.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    /** The counts so far, by status, in status order. */
    Map<Integer, Long> snapshot() {
        Map<Integer, Long> m = new TreeMap<>();
        counts.forEach((status, n) -> m.put(status, n.sum()));
        return m;
    }
}
