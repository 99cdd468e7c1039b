package dev.esper.standalone;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.IdleTimeout;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection cap, which makes room at the cap by closing idle connections: Jetty's
 * {@link NetworkConnectionLimit} stops accepting when the cap is reached and resumes as soon as a connection
 * closes; this also closes, when the cap is reached, the connections that have been idle longest without a
 * request in progress (never sent a byte, keep-alive between requests, an HTTP/2 connection with no open stream,
 * TLS still shaking hands), 5% of the cap at a time (at least one). A new client (a publisher) is then accepted at once, while streams, requests under way and heads being
 * received are never touched. Only connections idle for {@value #MIN_IDLE_MILLIS} ms or more are closed, so a
 * client whose request is on its way (its bytes follow the handshake) is not cut off; when none qualify, it
 * looks again when the next one will (if one is idle but younger), else every {@value #RETRY_MILLIS} ms, for
 * as long as the cap is reached.
 *
 * <p>{@link #makeRoom()} is also what the connector calls when accepting fails for want of files.
 *
 * <p>Jetty calls {@link #limit()} with its lock held, on the thread accepting; the closing is done on the
 * connector's scheduler, one pass at a time ({@link #pending}). Reading a parser's state from another thread
 * is racy but benign: a connection whose request just began is no longer idle, so it is not a candidate.
 */
final class IdleEviction extends NetworkConnectionLimit {
    static final long MIN_IDLE_MILLIS = 100;
    static final long RETRY_MILLIS = 250;
    private static final Logger LOG = LoggerFactory.getLogger("esper");
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final AbstractConnector connector;
    private final int batch;
    /** True while a pass is scheduled and has not begun. */
    private final AtomicBoolean pending = new AtomicBoolean();
    private final EveryFewSeconds logLimit = new EveryFewSeconds(LOG_EVERY_NANOS);

    IdleEviction(int maxConnections, AbstractConnector connector) {
        super(maxConnections, connector);
        this.connector = connector;
        this.batch = Math.max(1, maxConnections / 20);
    }

    /** The cap is reached: Jetty stops accepting; idle connections are closed to make room. */
    @Override
    protected void limit() {
        super.limit();
        schedule(0);
    }

    /** Closes up to 5% of the cap of the connections idle longest, now (on the scheduler). */
    void makeRoom() {
        schedule(0);
    }

    private void schedule(long delayMillis) {
        if (connector.isRunning() && pending.compareAndSet(false, true)) {
            connector.getScheduler().schedule(this::pass, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void pass() {
        pending.set(false);
        try {
            long closed = closeIdle(batch);
            if (closed > 0) {
                long since = logLimit.add(System.nanoTime(), closed);
                if (since > 0) {
                    LOG.info("connection cap {} reached: closed {} idle connection(s) to make room (at most one "
                            + "such line per {} s)", getMaxNetworkConnectionCount(), since,
                            TimeUnit.NANOSECONDS.toSeconds(LOG_EVERY_NANOS));
                }
            } else if (!connector.isAccepting()) {
                schedule(closed < 0 ? -closed : RETRY_MILLIS);
            }
        } catch (RuntimeException e) {
            LOG.warn("closing idle connections failed: {}", e.toString());
            if (!connector.isAccepting()) {
                schedule(RETRY_MILLIS);
            }
        }
    }

    /**
     * Closes up to {@code max} of the connections idle longest without a request in progress.
     *
     * @return how many were closed; or, if none and some are idle but for less than {@link #MIN_IDLE_MILLIS},
     *     minus the milliseconds until the first of them will be a candidate; else 0
     */
    long closeIdle(int max) {
        // Idle times read once: they change while the list is sorted.
        List<Idle> idle = new ArrayList<>();
        long soonest = Long.MAX_VALUE;
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
            long idleFor = idleFor(endPoint);
            if (Connections.idle(endPoint)) {
                if (idleFor >= MIN_IDLE_MILLIS) {
                    idle.add(new Idle(endPoint, idleFor));
                } else {
                    soonest = Math.min(soonest, MIN_IDLE_MILLIS - idleFor);
                }
            }
        }
        if (idle.isEmpty()) {
            return soonest == Long.MAX_VALUE ? 0 : -Math.max(10, soonest);
        }
        idle.sort(Comparator.comparingLong(Idle::millis).reversed());
        int closed = 0;
        for (Idle i : idle.subList(0, Math.min(max, idle.size()))) {
            LOG.debug("closing a connection from {} idle for {} ms: the connection cap is reached",
                    i.endPoint().getRemoteSocketAddress(), i.millis());
            i.endPoint().close();
            closed++;
        }
        return closed;
    }

    private record Idle(EndPoint endPoint, long millis) {
    }

    private static long idleFor(EndPoint endPoint) {
        return endPoint instanceof IdleTimeout timeout ? timeout.getIdleFor() : 0;
    }
}
