package dev.esper.jwt;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A side's public keys as they change (SPEC 9.2): loaded once at start (a failure refuses the start), then read
 * again when a token names a {@code kid} the set does not hold, or when the set is older than {@link #MAX_AGE} and
 * a token is verified: these reads start at most once per {@link #MIN_REFETCH_INTERVAL} whatever tokens arrive. A
 * read that fails keeps the last good set.
 *
 * <p>A token with an unknown {@code kid} is verified once the read it started (or one already under way)
 * completes, at most the time limit later, on the thread that completes it ({@link #chooseAfterRead}): nobody's
 * thread waits. Thread-safe: the set is an immutable snapshot swapped in one write.
 */
final class PublicKeys {
    /** Shortest time between two reads after the first. */
    static final Duration MIN_REFETCH_INTERVAL = Duration.ofSeconds(30);
    /** Age after which a verified token starts a read in the background (removed keys stop working). */
    static final Duration MAX_AGE = Duration.ofMinutes(5);
    private static final System.Logger LOG = System.getLogger(JwtVerifier.class.getName());

    private final KeySource source;
    private final InstantSource clock;
    private final long waitMillis;

    /** The keys in use; replaced whole by a good read. */
    private volatile Loaded current;
    /** Guards {@link #inFlight} and {@link #lastStart}. */
    private final Object lock = new Object();
    /** The read under way, or null. */
    private CompletableFuture<KeySet> inFlight;
    /** When the last read after the first started, epoch millis. */
    private long lastStart;

    private final AtomicLong fetches = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    /** Written by the thread that completes a read; read for the status. */
    private volatile Instant lastFetch;
    private volatile boolean lastFetchOk;
    private volatile String lastFailure;

    /** A key set and when it was read. */
    private static final class Loaded {
        final KeySet keys;
        final Instant at;

        Loaded(KeySet keys, Instant at) {
            this.keys = keys;
            this.at = at;
        }
    }

    private PublicKeys(KeySource source, InstantSource clock, Duration wait) {
        this.source = source;
        this.clock = clock;
        this.waitMillis = wait.toMillis();
    }

    /**
     * Reads the keys for the first time.
     *
     * @param wait how long to wait for a read (the source's own time limit plus a little)
     * @throws KeySource.KeySourceException if the source cannot be read or holds no usable key
     */
    static PublicKeys load(KeySource source, InstantSource clock, Duration wait) {
        PublicKeys keys = new PublicKeys(source, clock, wait);
        // The first read does not count against the interval: a key rotated just after the start still works.
        keys.lastStart = Long.MIN_VALUE / 4;
        CompletableFuture<KeySet> first = keys.read();
        try {
            first.get(keys.waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (TimeoutException e) {
            throw new KeySource.KeySourceException("cannot be fetched: no answer within " + keys.waitMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeySource.KeySourceException("was not read: interrupted");
        }
        return keys;
    }

    private static KeySource.KeySourceException unwrap(Throwable t) {
        Throwable c = t;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        return c instanceof KeySource.KeySourceException ? (KeySource.KeySourceException) c
                : new KeySource.KeySourceException("cannot be read: " + c.getClass().getSimpleName(), c);
    }

    /** Reads the source and swaps the set in when it is good; completes with the set read. */
    private CompletableFuture<KeySet> read() {
        return source.load().thenApply(KeySet::parse).whenComplete((set, failure) -> {
            Instant now = clock.instant();
            fetches.incrementAndGet();
            lastFetch = now;
            if (failure == null) {
                Loaded before = current;
                current = new Loaded(set, now);
                lastFetchOk = true;
                if (before != null && !before.keys.kids().equals(set.kids())) {
                    LOG.log(Level.INFO, source.describe() + " now holds " + summary(set));
                }
            } else {
                failures.incrementAndGet();
                lastFetchOk = false;
                lastFailure = unwrap(failure).getMessage();
                Loaded kept = current;
                if (kept != null) {
                    LOG.log(Level.WARNING, source.describe() + " " + lastFailure + "; keeping the "
                            + summary(kept.keys) + " read at " + kept.at);
                }
            }
        });
    }

    /**
     * The keys to verify a token with, from the set at hand: never waits. Starts a background read when the set
     * is old. When the choice is {@link KeySet.Choice#unknownKid()}, {@link #chooseAfterRead} may find the key.
     */
    KeySet.Choice chooseNow(String alg, String kid) {
        Loaded loaded = current;
        if (clock.millis() - loaded.at.toEpochMilli() >= MAX_AGE.toMillis()) {
            refetch();
        }
        return loaded.keys.choose(alg, kid);
    }

    /**
     * The keys to verify a token naming an unknown {@code kid} with, once the set is read again: starts that read
     * (at most once per {@link #MIN_REFETCH_INTERVAL}) or joins the one under way, without waiting for it.
     * Completes, never exceptionally, with the choice from the set in use when the read completes (the new set,
     * or the last good one if the read failed or took longer than the time limit), on the thread that completed
     * the read; at once when no read may start.
     */
    CompletableFuture<KeySet.Choice> chooseAfterRead(String alg, String kid) {
        CompletableFuture<KeySet> read = refetch();
        if (read == null) {
            return CompletableFuture.completedFuture(current.keys.choose(alg, kid));
        }
        return read.handle((set, failure) -> current.keys.choose(alg, kid));
    }

    /**
     * The keys to verify a token with, waiting (at most the time limit) for a read when its {@code kid} is
     * unknown: for {@link JwtVerifier#verify}, which blocks; the HTTP API never calls it.
     */
    KeySet.Choice choose(String alg, String kid) {
        KeySet.Choice choice = chooseNow(alg, kid);
        if (!choice.unknownKid()) {
            return choice;
        }
        try {
            return chooseAfterRead(alg, kid).get();
        } catch (ExecutionException e) {
            return current.keys.choose(alg, kid);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return current.keys.choose(alg, kid);
        }
    }

    /** Starts a read unless one is under way (returned then) or the last started too recently (null). */
    private CompletableFuture<KeySet> refetch() {
        CompletableFuture<KeySet> started;
        synchronized (lock) {
            if (inFlight != null) {
                return inFlight;
            }
            long now = clock.millis();
            if (now - lastStart < MIN_REFETCH_INTERVAL.toMillis()) {
                return null;
            }
            lastStart = now;
            started = new CompletableFuture<>();
            inFlight = started;
        }
        // Whoever waits on this read gives up after the time limit (on the JDK's delay thread), even if the
        // source's own limit did not fire; the read itself goes on and still swaps a good set in.
        started.orTimeout(waitMillis, TimeUnit.MILLISECONDS);
        // Outside the lock: a file source reads on this thread and completes at once.
        read().whenComplete((set, failure) -> {
            synchronized (lock) {
                if (inFlight == started) {
                    inFlight = null;
                }
            }
            if (failure == null) {
                started.complete(set);
            } else {
                started.completeExceptionally(failure);
            }
        });
        return started;
    }

    /** The source, for messages. */
    String describe() {
        return source.describe();
    }

    /** {@code 2 keys (kid 'a', kid 'b')}. */
    static String summary(KeySet set) {
        StringBuilder sb = new StringBuilder().append(set.keys().size()).append(set.keys().size() == 1 ? " key (" : " keys (");
        boolean first = true;
        for (KeySet.Key k : set.keys()) {
            sb.append(first ? "" : ", ").append(k.description);
            if (k.kid != null) {
                sb.append(" kid ").append(KeySet.printable(k.kid));
            }
            first = false;
        }
        return sb.append(')').toString();
    }

    /** The current set's summary and when it was read. */
    String summary() {
        Loaded l = current;
        return summary(l.keys) + ", read at " + l.at;
    }

    /** The state for {@code /stats}: the source, the keys, the reads. Never key material. */
    Map<String, Object> status() {
        Loaded l = current;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("keys", source.kind());
        s.put("source", source.describe());
        s.put("loaded", l.keys.keys().size());
        s.put("kids", l.keys.kids());
        if (l.keys.ignored() > 0) {
            s.put("ignored", l.keys.ignored());
        }
        s.put("loaded_at", l.at.toString());
        s.put("fetches", fetches.get());
        s.put("failures", failures.get());
        Instant last = lastFetch;
        if (last != null) {
            s.put("last_fetch", last.toString());
        }
        s.put("last_fetch_ok", lastFetchOk);
        String failure = lastFailure;
        if (failure != null) {
            s.put("last_failure", failure);
        }
        return s;
    }
}
