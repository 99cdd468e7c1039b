package dev.esper.standalone;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that is slow to send a request head (request line and headers): one that sends no byte
 * within {@code firstByteDeadline} (5 s in the server) of connecting, and one whose head has been arriving for
 * longer than {@code deadline} (20 s) ("slowloris"). Jetty's idle timeout (30 s) restarts with every byte, so a
 * client that trickles a header a byte at a time would otherwise hold a connection, and connections are capped
 * (max-subscribers + 10%), for as long as it likes (empty lines before the request line included); and one
 * that sends nothing would hold it for the idle timeout. A client sends its first request as soon as it has
 * connected, so 5 s is generous; a head once begun may arrive slowly (a patient client on a poor link), hence
 * the longer deadline for it. Bodies have their own timeout (the API's body timeout); an idle keep-alive
 * connection (no byte of a next request yet) is left to the idle timeout, or closed to make room at the cap
 * ({@code IdleEviction}); a stream is past its head.
 *
 * <p>Every second it looks at the connections of the connector: one that has begun no request (received no
 * byte of one over HTTP/1.x, opened no stream over HTTP/2, or is still shaking hands over TLS) since it was
 * created {@code firstByteDeadline} ago (over TLS: {@code deadline} ago) is closed; over HTTP/1.x (in cleartext or TLS), one whose parser is inside a
 * request head is marked with the time and the count of requests the connection had begun; one still inside
 * the head of that same request {@code deadline} later is closed (no answer: the request never arrived). The
 * cost is a pass over the open connections per second, and a map entry per connection caught mid-head.
 *
 * <p>Runs on Jetty's scheduler, one pass at a time; {@link #marks} is touched by that pass only. Reading a
 * parser's state from another thread is racy but benign: the deadline is coarse, and a stale read only
 * delays a close by one pass.
 */
final class HeadDeadline implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger("esper");
    private static final long PERIOD_MILLIS = 1_000;

    private final AbstractConnector connector;
    private final Scheduler scheduler;
    private final long deadlineNanos;
    private final long deadlineMillis;
    private final long firstByteDeadlineMillis;
    /** Connection caught mid-head: {first seen (nanos), requests begun then}. Pass thread only. */
    private final Map<EndPoint, long[]> marks = new HashMap<>();
    private volatile boolean stopped;

    /**
     * @param deadlineMillis how long a request head may take to arrive once begun, and a TLS connection to shake
     *     hands and begin its first request
     * @param firstByteDeadlineMillis how long a new cleartext connection may take to send the first byte of a
     *     request
     */
    HeadDeadline(AbstractConnector connector, Scheduler scheduler, long deadlineMillis, long firstByteDeadlineMillis) {
        this.connector = connector;
        this.scheduler = scheduler;
        this.deadlineNanos = TimeUnit.MILLISECONDS.toNanos(deadlineMillis);
        this.deadlineMillis = deadlineMillis;
        this.firstByteDeadlineMillis = firstByteDeadlineMillis;
    }

    void start() {
        scheduler.schedule(this, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    void stop() {
        stopped = true;
    }

    @Override
    public void run() {
        if (stopped) {
            return;
        }
        try {
            sweep(System.nanoTime(), System.currentTimeMillis());
        } catch (RuntimeException e) {
            LOG.warn("request head deadline: {}", e.toString());
        } finally {
            if (!stopped) {
                scheduler.schedule(this, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Closes a connection that has begun no request within the first-byte deadline of connecting, or over TLS
     * within the head deadline: a TLS handshake takes round trips, and the server's own CPU under a burst of
     * handshakes, so a client whose handshake is slow through no fault of its own is not cut off.
     */
    private void closeIfNeverBegan(EndPoint endPoint, long nowMillis) {
        long deadline = endPoint.getConnection() instanceof SslConnection ? deadlineMillis : firstByteDeadlineMillis;
        if (nowMillis - endPoint.getCreatedTimeStamp() >= deadline && Connections.neverBegan(endPoint)) {
            LOG.debug("closing a connection from {}: it began no request within {} ms of connecting",
                    endPoint.getRemoteSocketAddress(), deadline);
            endPoint.close();
        }
    }

    /**
     * One pass: closes new connections silent since the first-byte deadline, marks connections mid-head, closes
     * those mid-head of one request for the deadline or longer.
     *
     * @param now {@link System#nanoTime()}
     * @param nowMillis {@link System#currentTimeMillis()}, the clock of {@link EndPoint#getCreatedTimeStamp()}
     */
    void sweep(long now, long nowMillis) {
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
            if (!(Connections.protocol(endPoint) instanceof HttpConnection connection)) {
                // TLS still shaking hands, or HTTP/2 (framed: Jetty bounds its headers): the first-byte rule only.
                marks.remove(endPoint);
                closeIfNeverBegan(endPoint, nowMillis);
                continue;
            }
            HttpParser parser = connection.getParser();
            // START with bytes counted is blank lines before a request line: a head under way too.
            if (!parser.inHeaderState() || Connections.noRequestBytes(connection)) {
                marks.remove(endPoint);
                closeIfNeverBegan(endPoint, nowMillis);
                continue;
            }
            long requests = connection.getMessagesIn();
            long[] mark = marks.get(endPoint);
            if (mark == null || mark[1] != requests) {
                marks.put(endPoint, new long[] {now, requests});
            } else if (now - mark[0] >= deadlineNanos) {
                marks.remove(endPoint);
                LOG.debug("closing a connection from {}: its request head took longer than {} s",
                        endPoint.getRemoteSocketAddress(), TimeUnit.NANOSECONDS.toSeconds(deadlineNanos));
                endPoint.close();
            }
        }
        marks.keySet().removeIf(endPoint -> !endPoint.isOpen());
    }
}
