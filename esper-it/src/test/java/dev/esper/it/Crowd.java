package dev.esper.it;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * Many raw subscribers at once: all requests are sent first (as fast as a few threads can connect), then
 * every response head is read, so the server sees them arrive together. Test code only.
 */
final class Crowd {
    private static final int THREADS = 8;

    private Crowd() {
    }

    /** A subscriber's request: its topic and the {@code Last-Event-ID} it sends (null for none). */
    record Ask(String topic, String lastEventId) {
    }

    /**
     * Opens {@code n} subscribers; {@code ask} says which topic and last id the i-th one uses.
     *
     * @throws AssertionError if any subscribe is not answered {@code 200} within the timeout
     */
    static List<RawSubscriber> open(int port, int n, IntFunction<Ask> ask, long timeoutSeconds) {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<RawHttp>> sent = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Ask a = ask.apply(i);
                sent.add(pool.submit(() -> RawSubscriber.send(port, a.topic(), a.lastEventId(), null,
                        java.time.Duration.ofSeconds(timeoutSeconds))));
            }
            List<RawHttp> connections = new ArrayList<>(n);
            for (Future<RawHttp> f : sent) {
                connections.add(f.get(timeoutSeconds, TimeUnit.SECONDS));
            }
            List<Future<RawSubscriber>> accepted = new ArrayList<>(n);
            for (RawHttp c : connections) {
                accepted.add(pool.submit(() -> RawSubscriber.accept(c)));
            }
            List<RawSubscriber> subscribers = new ArrayList<>(n);
            for (Future<RawSubscriber> f : accepted) {
                subscribers.add(f.get(timeoutSeconds, TimeUnit.SECONDS));
            }
            return subscribers;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("opening " + n + " subscribers failed", e);
        } finally {
            pool.shutdownNow();
        }
    }
}
