package dev.esper.servlet;

import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * An event stream on Tomcat 11 over HTTP/1.1 that takes its connection over from Tomcat's HTTP processor, so
 * that an open stream keeps only the connection and its socket buffers.
 *
 * <p>Why: Tomcat keeps every object and buffer of a request for as long as it is open, and an asynchronous
 * request's processor with it: about 75 KB per open stream however the connector is set (request head buffer,
 * an 8 KiB response buffer and two 16 KiB character buffers allocated for every request, and the request and
 * response objects). A connection handed to an {@link HttpUpgradeHandler} keeps none of that: Tomcat recycles
 * the processor and serves the connection through a small upgrade processor (measured: about 9 KB of RSS per
 * open stream instead of 77 KB).
 *
 * <p>How: while the container's dispatch is still running (the request is not asynchronous), the stream's head
 * is sent ({@code flushBuffer()}: status {@code 200}, its headers, {@code Connection: close}, no length, so
 * the body runs until the connection closes), and only then {@code upgrade()} is called: the response is
 * committed, so Tomcat's {@code 101} status no longer applies, and what follows on the connection is the
 * stream's body, written through the {@link WebConnection}'s non-blocking output exactly as on an asynchronous
 * request. Tomcat gives the connection to {@link Handler#init} once the dispatch has returned; writes wait for
 * it. The client leaving is read from the connection's input (end of stream, an error, or data); the handler's
 * {@code destroy()} also reports it. Ending the stream closes the {@link WebConnection} and then the socket
 * wrapper (reached by reflection, as {@link TomcatDisconnectWatch} does), because closing a
 * {@code WebConnection} closes its streams but leaves the socket to the next event on it.
 *
 * <p>Threads: {@link #open} on the container's dispatch thread; {@link Handler} methods on container threads;
 * the close on whichever thread ends the stream (under the stream's lock, see {@link ServletStream}).
 */
final class TomcatHandOver {
    private final Object socketWrapper;
    private final Runnable clientLeft;
    private final ServletStream stream;
    /** Set once by {@link Handler#init}; read by {@link #close()} on any thread. */
    private volatile WebConnection connection;
    /**
     * The stream closed the connection itself: the handler's {@code destroy()}, which Tomcat calls inside that
     * close, on the closing thread and under the stream's lock, then has nothing to report.
     */
    private volatile boolean closing;

    private TomcatHandOver(Object socketWrapper, Runnable clientLeft) {
        this.socketWrapper = socketWrapper;
        this.clientLeft = clientLeft;
        this.stream = new ServletStream(this::close, null, clientLeft);
    }

    /** Whether a request may be served this way: Tomcat's (inside any wrappers), HTTP/1.1, a {@code GET}. */
    static boolean possible(HttpServletRequest req) {
        String container = DisconnectWatch.unwrap(req).getClass().getName();
        return DisconnectWatch.forContainer(container) == TomcatDisconnectWatch.INSTANCE
                && "HTTP/1.1".equals(req.getProtocol()) && "GET".equals(req.getMethod());
    }

    /**
     * Sends the head (already set on {@code resp}) and hands the connection over; call on the dispatch thread of
     * a request that is not asynchronous.
     *
     * @return the stream, or null when this connector offers no socket wrapper to close (then nothing was sent)
     */
    static ServletStream open(HttpServletRequest req, HttpServletResponse resp, Runnable clientLeft)
            throws IOException, ServletException, ReflectiveOperationException {
        Object wrapper = TomcatDisconnectWatch.INSTANCE.socketWrapper(DisconnectWatch.unwrap(req));
        if (wrapper == null) {
            return null;
        }
        TomcatHandOver h = new TomcatHandOver(wrapper, DisconnectWatch.Once.of(clientLeft));
        resp.flushBuffer();
        req.upgrade(Handler.class).handOver = h;
        return h.stream;
    }

    /** The connection is Tomcat's to give now: the stream writes to it and watches it. */
    private void connected(WebConnection c) {
        connection = c;
        try {
            if (!stream.attach(c.getOutputStream())) {
                close();
                return;
            }
            ServletInputStream in = c.getInputStream();
            in.setReadListener(new InputWatch(in, true, clientLeft));
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "handed-over stream failed to start: " + e);
            clientLeft.run();
        }
    }

    /** Ends the stream's response: closes the connection (if it came already) and its socket. */
    private void close() {
        WebConnection c = connection;
        if (c == null) {
            return; // connected() finds the stream ended and closes
        }
        closing = true;
        try {
            c.close();
        } catch (Exception e) {
            LOG.log(Level.DEBUG, () -> "closing a handed-over stream: " + e);
        }
        try {
            TomcatDisconnectWatch.INSTANCE.close(socketWrapper);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "closing a handed-over stream's socket: " + e);
        }
    }

    private static final System.Logger LOG = System.getLogger(TomcatHandOver.class.getName());

    /**
     * What Tomcat hands the connection to. Public, with a public constructor, only because the container makes
     * it by reflection; applications have no use for it.
     */
    public static final class Handler implements HttpUpgradeHandler {
        /** Set on the dispatch thread right after upgrade(); Tomcat calls init() after the dispatch. */
        private volatile TomcatHandOver handOver;

        /** Made by the container. */
        public Handler() {
        }

        @Override
        public void init(WebConnection connection) {
            handOver.connected(connection);
        }

        @Override
        public void destroy() {
            TomcatHandOver h = handOver;
            if (h != null && !h.closing) {
                h.clientLeft.run();
            }
        }
    }
}
