package dev.esper.broker;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the broker's own threads: daemons named {@code prefix-1}, {@code prefix-2}, ... so that a thread
 * dump shows whose they are. Thread-safe.
 */
final class DaemonThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger created = new AtomicInteger();

    DaemonThreads(String prefix) {
        this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, prefix + "-" + created.incrementAndGet());
        t.setDaemon(true);
        return t;
    }
}
