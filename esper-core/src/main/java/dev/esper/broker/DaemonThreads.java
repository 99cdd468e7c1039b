package dev.esper.broker;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the broker's own threads: daemons named {@code prefix-1}, {@code prefix-2}, ... so that a thread
 * dump shows whose they are. A pool makes its threads when work first arrives, often on a container's request
 * thread; so each thread's context class loader is the one that loaded esper, not whatever the creating
 * thread had (a web application's loader, which a container stopping that application would report as
 * leaked). Thread-safe.
 */
final class DaemonThreads implements ThreadFactory {
    private final String prefix;
    private final AtomicInteger created = new AtomicInteger();

    DaemonThreads(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Waits up to a second for a pool that was shut down to end its threads (a container that stops an
     * application looks for threads it left running); keeps the interrupt if interrupted.
     */
    static void awaitEnd(ExecutorService pool) {
        try {
            pool.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public Thread newThread(Runnable r) {
        Thread t = new Thread(r, prefix + "-" + created.incrementAndGet());
        t.setDaemon(true);
        t.setContextClassLoader(DaemonThreads.class.getClassLoader());
        return t;
    }
}
