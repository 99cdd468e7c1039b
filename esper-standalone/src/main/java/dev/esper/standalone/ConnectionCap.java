package dev.esper.standalone;

import com.sun.management.UnixOperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Optional;

/**
 * How many connections the server accepts at once: {@code max-subscribers} + 10% (at least 64 more, room for
 * publishers and {@code /stats} beside full streams), but never more than the process may open files less a
 * reserve for the JVM's own (jars, selectors, logs, Redis): one file per connection past that would make
 * accepting fail ({@code EMFILE}) and lock every client out instead of the newest. The reserve is 5% of the
 * limit, at least 128 files (at most half the limit). When the limit lowers the cap, the subscriber limit
 * ({@link #subscribers()}) is lowered with it, so that streams alone cannot fill the cap and publishers keep
 * the same share of it.
 *
 * <p>An immutable value; {@link #fileLimit()} is the limit read at start ({@link #processFileLimit()}), or
 * {@link #UNKNOWN} where the JVM cannot tell (then the cap follows {@code max-subscribers} alone).
 *
 * @param maxSubscribers the configured {@code max-subscribers}
 * @param fileLimit the process's open-files limit, or {@link #UNKNOWN}
 * @param connections the cap: at most this many connections are open at once
 */
record ConnectionCap(int maxSubscribers, long fileLimit, int connections) {
    /** {@link #fileLimit()} when the JVM cannot read the process's open-files limit. */
    static final long UNKNOWN = -1;
    static final long MIN_RESERVED_FILES = 128;

    ConnectionCap {
        if (connections < 1) {
            throw new IllegalArgumentException("connection cap must be at least 1, was " + connections);
        }
    }

    /**
     * The cap for {@code maxSubscribers} under {@code fileLimit} open files.
     *
     * @param maxSubscribers the configured {@code max-subscribers}, at least 1
     * @param fileLimit the process's open-files limit, or {@link #UNKNOWN} (any value below 1)
     */
    static ConnectionCap of(int maxSubscribers, long fileLimit) {
        int wanted = EsperServer.maxConnections(maxSubscribers);
        if (fileLimit < 1) {
            return new ConnectionCap(maxSubscribers, UNKNOWN, wanted);
        }
        long underLimit = Math.max(1, fileLimit - reservedFiles(fileLimit));
        return new ConnectionCap(maxSubscribers, fileLimit, (int) Math.min(wanted, underLimit));
    }

    /** Files left for the JVM's own use under {@code fileLimit}: 5%, at least 128, at most half. */
    static long reservedFiles(long fileLimit) {
        return Math.min(fileLimit / 2, Math.max(MIN_RESERVED_FILES, fileLimit / 20));
    }

    /**
     * This process's open-files limit ({@code ulimit -n}, as raised by the JVM at start), or {@link #UNKNOWN}
     * where the platform does not say (not a Unix, or no {@code com.sun.management} bean).
     */
    static long processFileLimit() {
        try {
            OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
            if (os instanceof UnixOperatingSystemMXBean unix) {
                long limit = unix.getMaxFileDescriptorCount();
                return limit > 0 ? limit : UNKNOWN;
            }
        } catch (RuntimeException | LinkageError e) {
            // No management bean on this JVM: fall through to unknown.
        }
        return UNKNOWN;
    }

    /** True if the open-files limit lowered the cap below {@code max-subscribers} + 10%. */
    boolean lowered() {
        return connections < EsperServer.maxConnections(maxSubscribers);
    }

    /**
     * The subscriber limit to enforce: {@code max-subscribers}, or, when the cap is lowered, the most
     * subscribers whose own cap ({@code + 10%}, at least 64 more) fits in it (at least 1).
     */
    int subscribers() {
        if (!lowered()) {
            return maxSubscribers;
        }
        int s = Math.max(1, connections - Math.max(64, connections / 11));
        while (s < maxSubscribers && EsperServer.maxConnections(s + 1) <= connections) {
            s++;
        }
        while (s > 1 && EsperServer.maxConnections(s) > connections) {
            s--;
        }
        return s;
    }

    /**
     * What the start-up log should warn about, if anything: the open-files limit lowered the cap, so
     * {@code max-subscribers} streams cannot all be open.
     */
    Optional<String> warning() {
        if (!lowered()) {
            return Optional.empty();
        }
        return Optional.of(String.format("--max-subscribers=%d cannot be reached: the process may open %d files "
                + "(ulimit -n), so connections are capped at %d (%d files kept for the JVM) and subscribers at %d "
                + "(the rest for publishers); raise the limit or lower --max-subscribers", maxSubscribers, fileLimit,
                connections, reservedFiles(fileLimit), subscribers()));
    }
}
