package dev.esper.standalone;

import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * Notices promptly that the client of an idle HTTP/1.x event stream went away: the standalone server's
 * disconnect watch. An idle stream neither reads nor writes, so Jetty would notice a client that left only at
 * the next heartbeat; this asks the connection's {@link EndPoint} to say when the socket turns readable
 * ({@code tryFillInterested}), once. Readable means EOF, an error or data, and each ends the stream: a client
 * has no reason to send on a stream, whose response says {@code Connection: close}.
 *
 * <p>The watch never reads the end point and never registers twice. Jetty's HTTP/1.1 connection hands the
 * end point and its request buffer between the thread in {@code HttpConnection.onFillable} and the thread that
 * completes the exchange; a watch that read the end point itself (as this one once did, one byte to tell data
 * from EOF) was a second reader outside that hand-off, and with the handler run inline it raced Jetty over the
 * connection (docs/performance.md, "Inline dispatch"). A fill interest alone is something Jetty's completion
 * is written for: when an exchange completes with a read still pending, Jetty closes the connection, which
 * fails the interest; when the interest fires first, the stream is ended through the exchange's callback, and
 * Jetty completes the exchange as it would for any other failure.
 *
 * <p>Threads: {@link #register} on the thread that opens the stream; the callbacks on a Jetty thread, once.
 */
final class EndPointWatch implements Callback {
    private final Runnable clientLeft;

    private EndPointWatch(Runnable clientLeft) {
        this.clientLeft = clientLeft;
    }

    /**
     * Watches {@code endPoint} and runs {@code clientLeft} once when the client leaves (or sends anything). If
     * Jetty already holds the end point's fill interest (it is reading a request body), nothing is watched and
     * the client's leaving is noticed at the next write.
     *
     * @return whether the end point is watched
     */
    static boolean watch(EndPoint endPoint, Runnable clientLeft) {
        return endPoint.tryFillInterested(new EndPointWatch(clientLeft));
    }

    /** Readable: EOF, an error or data, each the end of the stream. */
    @Override
    public void succeeded() {
        clientLeft.run();
    }

    /** The end point closed or failed. */
    @Override
    public void failed(Throwable x) {
        clientLeft.run();
    }

    /**
     * {@code BLOCKING}, so that Jetty runs the callback off the selector thread. Ending a stream while one of its
     * writes is in flight makes Jetty cancel that write and wait for it ({@code HttpConnection}'s send callback
     * joins the cancelled write), and only the selector can complete it: run on the selector, the callback
     * waited for itself and the selector stopped for every connection on it (seen as a stop of the server that
     * never ended, when streams left with unread events).
     */
    @Override
    public InvocationType getInvocationType() {
        return InvocationType.BLOCKING;
    }
}
