package dev.esper.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;

/**
 * Collects the ids of the events a subscriber receives (frames start with {@code id: }), requesting
 * one chunk at a time. Optionally cancels itself, from within {@code onNext}, once it holds
 * {@code cancelAfter} ids, so no chunk can arrive after the cancel.
 */
final class IdCollector implements Flow.Subscriber<Chunk> {
    private final List<String> ids = new ArrayList<>();
    private final int expected;
    private final int cancelAfter;
    final CountDownLatch done = new CountDownLatch(1);
    private volatile Flow.Subscription subscription;
    volatile Throwable error;

    IdCollector(int expected, int cancelAfter) {
        this.expected = expected;
        this.cancelAfter = cancelAfter;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(Chunk chunk) {
        boolean finished;
        synchronized (this) {
            for (String line : chunk.toString().split("\n")) {
                if (line.startsWith("id: ")) {
                    ids.add(line.substring(4));
                }
            }
            finished = ids.size() >= expected || ids.size() >= cancelAfter;
        }
        if (finished) {
            if (ids.size() >= cancelAfter) {
                subscription.cancel();
            }
            done.countDown();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable t) {
        error = t;
        done.countDown();
    }

    @Override
    public void onComplete() {
        done.countDown();
    }

    /** Cancels from outside, as a client that goes away would. */
    void cancelNow() {
        subscription.cancel();
    }

    synchronized List<String> ids() {
        return new ArrayList<>(ids);
    }

    synchronized String last() {
        return ids.isEmpty() ? null : ids.get(ids.size() - 1);
    }
}
