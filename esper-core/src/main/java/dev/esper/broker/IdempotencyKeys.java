package dev.esper.broker;

import dev.esper.topic.TopicId;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The publishes made with an idempotency key, remembered for a window, so that a client that repeats a publish
 * (after a timeout, a {@code 503} that said it may have been published, a lost answer) gets the first answer
 * and publishes nothing. A repeat that arrives while the first is still under way waits for the first's answer.
 * A publish that failed is forgotten, so it can be tried again.
 *
 * <p>Bounded: at most {@link #MAX_KEYS} keys, the oldest forgotten first; every key is forgotten after the
 * window. Thread-safe: the map is guarded by {@code this}, held only to look up and record, never while
 * publishing.
 */
final class IdempotencyKeys {
    /** The most keys remembered at once. */
    static final int MAX_KEYS = 100_000;

    private final long windowMillis;
    private final InstantSource clock;
    /** topic + key -> the first publish with it; in the order they were made, which is their expiry order. */
    private final Map<String, Remembered> entries = new LinkedHashMap<>();

    private record Remembered(CompletableFuture<PublishResult> result, long expiresAtMillis) {
    }

    IdempotencyKeys(long windowMillis, InstantSource clock) {
        this.windowMillis = windowMillis;
        this.clock = clock;
    }

    /**
     * The first publish with this key to this topic within the window, or null after recording {@code mine}
     * as that first publish.
     */
    synchronized CompletableFuture<PublishResult> claim(TopicId topic, String key, CompletableFuture<PublishResult> mine) {
        long now = clock.millis();
        for (Iterator<Remembered> it = entries.values().iterator(); it.hasNext();) {
            if (it.next().expiresAtMillis() > now) {
                break;
            }
            it.remove();
        }
        String k = topic.value() + '\n' + key;
        Remembered earlier = entries.get(k);
        if (earlier != null) {
            return earlier.result();
        }
        entries.put(k, new Remembered(mine, now + windowMillis));
        if (entries.size() > MAX_KEYS) {
            Iterator<Remembered> it = entries.values().iterator();
            it.next();
            it.remove();
        }
        return null;
    }

    /** Forgets the key if {@code mine} is still what it stands for (the publish failed). */
    synchronized void forget(TopicId topic, String key, CompletableFuture<PublishResult> mine) {
        String k = topic.value() + '\n' + key;
        Remembered r = entries.get(k);
        if (r != null && r.result() == mine) {
            entries.remove(k);
        }
    }

    /** Keys remembered now (for tests). */
    synchronized int size() {
        return entries.size();
    }
}
