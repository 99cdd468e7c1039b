package dev.esper.standalone;

import dev.esper.broker.Chunk;
import dev.esper.http.Exchange;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * An open event stream's output on Jetty 12's core API: the standalone server's {@link Exchange.EventSink}.
 * Each chunk is one {@link Response#write}, which Jetty completes at once when the socket takes it and later,
 * from its selector, when the client is slow; the API writes again only after that. The stream holds no buffer
 * of its own. Ending it completes the exchange's callback once: normally, or by failing it with an
 * {@code AbortException}, which closes the connection without an error page.
 *
 * <p>Threads: one write in flight ({@link #done} is set before it starts and read when it completes);
 * {@link #close} and {@link #abort} may come from any thread.
 */
final class JettyStream implements Exchange.EventSink, Callback {
    private final Response response;
    private final Callback exchange;
    private final AtomicBoolean finished = new AtomicBoolean();
    /** The callback of the write in flight. */
    private volatile Exchange.WriteCallback done;

    JettyStream(Response response, Callback exchange) {
        this.response = response;
        this.exchange = exchange;
    }

    @Override
    public void write(Chunk chunk, Exchange.WriteCallback callback) {
        done = callback;
        response.write(false, chunk.asByteBuffer(), this);
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
