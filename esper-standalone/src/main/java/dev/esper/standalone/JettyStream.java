package dev.esper.standalone;

import dev.esper.broker.Chunk;
import dev.esper.http.Exchange;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;

/**
 * An open event stream's output on Jetty 12's core API: the standalone server's {@link Exchange.EventSink}.
 * A write completes at once when the socket takes it and later, from Jetty's selector, when the client is
 * slow; the API writes again only after that. The stream holds no buffer of its own. Ending it completes the
 * exchange's callback once: normally (Jetty writes the last chunk), or by failing it with an
 * {@code AbortException}, which closes the connection without an error page.
 *
 * <h2>Writes past the head, on HTTP/1.x</h2>
 * The first write goes through {@link Response#write}, which sends the response head with the first chunk.
 * On HTTP/1.x every later write goes straight to the connection's {@link EndPoint}, framed here: a stream is
 * the connection's last exchange, and once its head is out, Jetty has nothing more to send on it until the
 * stream ends, so the end point is the stream's alone. That skips Jetty's response state machine, its HTTP
 * generator and a pooled buffer for the chunk header on every delivery (measured: over a quarter of the CPU
 * per delivery at 20 events/s; docs/performance.md, "Writes past the head"). The framing follows Jetty's own,
 * so that the last chunk Jetty writes when the stream ends fits: on HTTP/1.1 each chunk is
 * {@code CRLF size CRLF data}, the CRLF that ends a chunk's data leading the next chunk (Jetty's first chunk
 * leaves it pending, and its last chunk starts with it); on HTTP/1.0 the bytes go as they are. HTTP/2 streams
 * share their connection and always write through Jetty.
 *
 * <p>Threads: one write in flight ({@link #done} is set before it starts and read when it completes; the
 * other write state is only touched by the writing thread, which the completion of the previous write
 * happens before); {@link #close} and {@link #abort} may come from any thread.
 */
final class JettyStream implements Exchange.EventSink, Callback {
    /** {@code CRLF}, up to 8 hex digits and {@code CRLF}. */
    private static final int SIZE_LINE_MAX = 12;

    private final Response response;
    private final Callback exchange;
    /** The connection's end point when writes past the head go there (HTTP/1.x), else null. */
    private final EndPoint endPoint;
    private final AtomicBoolean finished = new AtomicBoolean();
    /** The callback of the write in flight. */
    private volatile Exchange.WriteCallback done;
    /** Whether the head went out with a non-empty first chunk, so later writes may go to the end point. */
    private boolean headSent;
    /** The size line of a direct write in chunks (HTTP/1.1), reused: one write at a time; null without chunks. */
    private final ByteBuffer sizeLine;

    /**
     * @param endPoint the connection's end point for writes past the head (HTTP/1.x), or null to write all
     *     through Jetty (HTTP/2)
     * @param chunked whether the response is framed in chunks (HTTP/1.1)
     */
    JettyStream(Response response, Callback exchange, EndPoint endPoint, boolean chunked) {
        this.response = response;
        this.exchange = exchange;
        this.endPoint = endPoint;
        this.sizeLine = endPoint != null && chunked ? ByteBuffer.allocate(SIZE_LINE_MAX) : null;
    }

    @Override
    public void write(Chunk chunk, Exchange.WriteCallback callback) {
        done = callback;
        if (!headSent || chunk.size() == 0) {
            headSent |= endPoint != null && chunk.size() > 0;
            response.write(false, chunk.asByteBuffer(), this);
        } else if (sizeLine != null) {
            endPoint.write(this, sizeLine(chunk.size()), chunk.asByteBuffer());
        } else {
            endPoint.write(this, chunk.asByteBuffer());
        }
    }

    /** {@code CRLF size CRLF}, the size in hex, written as Jetty's generator writes a chunk's header. */
    private ByteBuffer sizeLine(int size) {
        ByteBuffer b = sizeLine.clear();
        BufferUtil.putCRLF(b);
        BufferUtil.putHexInt(b, size);
        BufferUtil.putCRLF(b);
        return b.flip();
    }

    @Override
    public void succeeded() {
        done.written();
    }

    @Override
    public void failed(Throwable x) {
        done.failed(x);
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    @Override
    public void close() {
        if (finished.compareAndSet(false, true)) {
            exchange.succeeded();
        }
    }

    @Override
    public void abort(String reason) {
        if (finished.compareAndSet(false, true)) {
            exchange.failed(new Request.Handler.AbortException(reason));
        }
    }
}
