package dev.esper.servlet;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import java.io.IOException;

/**
 * Watches a stream's input for the client leaving: an error, or data (which a client has no reason to send on a
 * stream), means it went away or misbehaves. The end of the input means it left only where the input is the
 * connection itself (a stream that took its connection over, {@link TomcatHandOver}); on a request it is just
 * the end of the (empty) body, and the connection may still be open.
 */
final class InputWatch implements ReadListener {
    private final ServletInputStream in;
    private final boolean endIsClientLeaving;
    private final Runnable clientLeft;

    /**
     * @param in the input to watch
     * @param endIsClientLeaving whether the end of the input is the connection's end
     * @param clientLeft run when the client left (possibly more than once)
     */
    InputWatch(ServletInputStream in, boolean endIsClientLeaving, Runnable clientLeft) {
        this.in = in;
        this.endIsClientLeaving = endIsClientLeaving;
        this.clientLeft = clientLeft;
    }

    @Override
    public void onDataAvailable() throws IOException {
        if (in.isReady() && in.read() >= 0) {
            clientLeft.run();
        }
    }

    @Override
    public void onAllDataRead() {
        if (endIsClientLeaving) {
            clientLeft.run();
        }
    }

    @Override
    public void onError(Throwable t) {
        clientLeft.run();
    }
}
