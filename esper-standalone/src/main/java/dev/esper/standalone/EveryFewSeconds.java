package dev.esper.standalone;

/**
 * Lets a log line through at most once a period, adding up what happened in between: {@link #add} counts
 * events and says when the line is due, with the count since the last line. The first event is always due.
 *
 * <p>Thread-safe; time is passed in (nanoseconds, as {@link System#nanoTime()}).
 */
final class EveryFewSeconds {
    private final long periodNanos;
    /** Guarded by {@code this}. */
    private long lastNanos;
    private boolean started;
    private long count;

    EveryFewSeconds(long periodNanos) {
        if (periodNanos <= 0) {
            throw new IllegalArgumentException("period must be positive, was " + periodNanos + " ns");
        }
        this.periodNanos = periodNanos;
    }

    /**
     * Counts {@code n} events at {@code nowNanos}.
     *
     * @return the events counted since the last line was due, this call's included, if a line is due now;
     *     else 0 (the events are kept for the next line)
     */
    synchronized long add(long nowNanos, long n) {
        count += n;
        if (started && nowNanos - lastNanos < periodNanos) {
            return 0;
        }
        started = true;
        lastNanos = nowNanos;
        long due = count;
        count = 0;
        return due;
    }
}
