package dev.esper.standalone;

import java.io.IOException;
import java.lang.System.Logger.Level;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * Notices promptly that the client of an idle HTTP/1.x event stream went away: the standalone server's
 * disconnect watch. An idle stream neither reads nor writes, so Jetty would notice a client that left only at
 * the next heartbeat; this asks the connection's {@link EndPoint} to say when the socket is readable
 * ({@code tryFillInterested}). EOF or an error means the client left, and so does data, which a client has no
 * reason to send on a stream. Stream responses say {@code Connection: close}, so the connection is never reused
 * and Jetty does not compete for its bytes. A one-byte buffer is allocated only when the socket turns readable.
 *
 * <p>Threads: callbacks on Jetty's selector threads, one at a time.
 */
final class EndPointWatch implements Callback {
    private static final System.Logger LOG = System.getLogger(EndPointWatch.class.getName());

    private final EndPoint endPoint;
    private final Runnable clientLeft;

    EndPointWatch(EndPoint endPoint, Runnable clientLeft) {
        this.endPoint = endPoint;
        this.clientLeft = clientLeft;
    }

    void register() {
        if (!endPoint.tryFillInterested(this)) {
            LOG.log(Level.DEBUG, "cannot watch a stream's connection: fill interest already taken");
        }
    }

    /** Readable: EOF, an error or data all end the stream (nothing is read and dropped in a loop). */
    @Override
    public void succeeded() {
        try {
            // One byte is enough to tell data from EOF (an empty buffer would read nothing and see neither).
            int n = endPoint.fill(BufferUtil.allocate(1));
            if (n != 0 || !endPoint.isOpen()) {
                clientLeft.run();
            } else {
                register();
            }
        } catch (IOException | RuntimeException e) {
            clientLeft.run();
        }
    }

    @Override
    public void failed(Throwable x) {
        clientLeft.run();
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }
}
