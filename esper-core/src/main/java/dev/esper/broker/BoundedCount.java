package dev.esper.broker;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A count that may not pass a maximum, such as the topics or the subscriber streams a broker holds: a
 * place is reserved before the thing it counts exists, and released once it is gone.
 *
 * <p>Thread-safe and lock-free: the count is one atomic that any thread reserves and releases with
 * compare-and-set; the maximum is fixed at construction.
 */
final class BoundedCount {
    private final AtomicInteger count = new AtomicInteger();
    private final int max;

    BoundedCount(int max) {
        this.max = max;
    }

    /** Takes a place if the count is below the maximum; false (and no change) if it is not. */
    boolean tryReserve() {
        for (;;) {
            int n = count.get();
            if (n >= max) {
                return false;
            }
            if (count.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /**
     * Takes a place, or refuses naming the limit.
     *
     * @param what what is counted, plural ({@code subscribers})
     * @param limit the limit's name ({@code max-subscribers})
     * @throws CapacityExceededException if the count is at the maximum
     */
    void reserve(String what, String limit) {
        if (!tryReserve()) {
            throw new CapacityExceededException("too many " + what + " (" + max + ", the " + limit
                    + " limit); try again later");
        }
    }

    /** Gives back a place taken with {@link #tryReserve} or {@link #reserve}. */
    void release() {
        count.decrementAndGet();
    }

    /** The places taken now. */
    int get() {
        return count.get();
    }

    /** The maximum. */
    int max() {
        return max;
    }
}
