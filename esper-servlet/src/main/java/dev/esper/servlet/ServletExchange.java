package dev.esper.servlet;

import dev.esper.http.Answer;
import dev.esper.http.Exchange;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * One request on a Servlet 6 container, carried for {@link dev.esper.http.HttpApi}: the servlet's
 * {@link Exchange}. A request is asynchronous ({@code startAsync()}, no container timeout) so that the API may
 * answer it, read its body or open its stream from any thread, later; the exchange completes the
 * {@link AsyncContext} when the answer is written or the stream ends. It starts asynchronous, except a
 * {@code GET} on Tomcat over HTTP/1.1, whose stream may take the connection over ({@link TomcatHandOver}),
 * which needs a request that is not asynchronous: such a request becomes asynchronous only when needed (a body
 * to read, or the dispatch returning unanswered); the API's calls from other threads meanwhile wait for the
 * dispatch to return; an answer written during the dispatch needs no async context at all.
 *
 * <p>Also the request's {@link AsyncListener} (added while the container's dispatch is still running, as the
 * specification requires): a container that ends the request (its client gone, an error) ends the stream.
 *
 * <p>Threads: see {@link Exchange}; the read callbacks come on container threads.
 */
final class ServletExchange implements Exchange, AsyncListener {
    private static final System.Logger LOG = System.getLogger(ServletExchange.class.getName());
    private static final int READ_BUFFER = 8192;
    /**
     * Containers that frame a response in chunks when the application asks for it with a
     * {@code Transfer-Encoding: chunked} header, even on a connection that closes after it: Jetty 12. Tomcat 11
     * writes a response whose connection closes until the close, whatever the header says, so a stream there
     * ends without a final chunk, and the servlet does not ask.
     */
    private static final Predicate<String> CHUNKS_ON_REQUEST =
            requestClass -> requestClass.startsWith("org.eclipse.jetty.");

    private final HttpServletRequest req;
    private final HttpServletResponse resp;
    private final ScheduledExecutorService timer;
    private final String rawPath;
    /** The open stream, if any; set once by openStream. */
    private volatile ServletStream stream;
    /** The container's dispatch thread, which may answer or open a stream before the request is asynchronous. */
    private final Thread dispatchThread;
    /** Guards the two fields below and the start of the async context; waited on until the dispatch ends. */
    private final Object dispatch = new Object();
    /** The container's dispatch is still running. Guarded by {@link #dispatch}. */
    private boolean dispatching = true;
    /** Answered, or handed to a stream, during the dispatch, without an async context. Guarded by dispatch. */
    private boolean doneInDispatch;
    /** The async context, once started: at once, or (a request a stream may take over) when needed. */
    private volatile AsyncContext ctx;

    ServletExchange(HttpServletRequest req, HttpServletResponse resp, ScheduledExecutorService timer) {
        this.req = req;
        this.resp = resp;
        this.timer = timer;
        this.rawPath = rawPath(req);
        this.dispatchThread = Thread.currentThread();
        if (!TomcatHandOver.possible(req)) {
            startAsync();
        }
    }

    /** Starts the async context; on the dispatch thread, with {@link #dispatch} held or in the constructor. */
    private void startAsync() {
        AsyncContext c = req.startAsync();
        c.setTimeout(0);
        c.addListener(this);
        ctx = c;
    }

    /**
     * The servlet's dispatch returns: a request that is neither answered nor handed over becomes asynchronous
     * now, and the calls that waited for that (from other threads) go on.
     */
    void dispatchEnded() {
        synchronized (dispatch) {
            if (ctx == null && !doneInDispatch) {
                startAsync();
            }
            dispatching = false;
            dispatch.notifyAll();
        }
    }

    /**
     * Whether the caller may use the request without an async context (the dispatch thread, during the dispatch,
     * before any async start); otherwise makes sure the context is started, waiting for the dispatch to end if
     * called from another thread meanwhile.
     */
    private boolean inDispatchWithoutAsync() {
        if (ctx != null) {
            return false;
        }
        if (Thread.currentThread() == dispatchThread) {
            synchronized (dispatch) {
                if (dispatching && ctx == null) {
                    return true;
                }
            }
            return false;
        }
        synchronized (dispatch) {
            boolean interrupted = false;
            while (dispatching) {
                try {
                    dispatch.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return false;
    }

    /** Starts the async context now if the request has none yet (reading a body needs one). */
    private void needAsync() {
        if (inDispatchWithoutAsync()) {
            synchronized (dispatch) {
                startAsync();
            }
        }
    }

    /**
     * The path below the servlet's mapping, as sent: the request URI after the context path and the servlet
     * path. Where the raw URI does not start with them as decoded (an encoded context or servlet path), the
     * container's decoded path info stands in.
     */
    static String rawPath(HttpServletRequest req) {
        String uri = req.getRequestURI();
        String prefix = req.getContextPath() + req.getServletPath();
        if (uri != null && uri.startsWith(prefix)) {
            String rest = uri.substring(prefix.length());
            return rest.isEmpty() && req.getPathInfo() == null ? req.getServletPath() : rest;
        }
        return req.getPathInfo() != null ? req.getPathInfo() : req.getServletPath();
    }

    @Override
    public String method() {
        return req.getMethod();
    }

    @Override
    public String rawPath() {
        return rawPath;
    }

    @Override
    public String rawQuery() {
        return req.getQueryString();
    }

    @Override
    public String header(String name) {
        return req.getHeader(name);
    }

    @Override
    public List<String> headers(String name) {
        return Collections.list(req.getHeaders(name));
    }

    @Override
    public void respond(Answer answer) {
        if (inDispatchWithoutAsync()) {
            // Answered during the dispatch: the container completes the response when the dispatch returns.
            synchronized (dispatch) {
                doneInDispatch = true;
            }
            try {
                head(answer);
                resp.setContentLength(answer.bodyLength());
                if (answer.bodyLength() > 0) {
                    resp.getOutputStream().write(answer.body());
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.DEBUG, () -> "could not answer " + answer.status() + ": " + e);
            }
            return;
        }
        try {
            head(answer);
            resp.setContentLength(answer.bodyLength());
            if (answer.bodyLength() > 0) {
                resp.getOutputStream().write(answer.body());
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, () -> "could not answer " + answer.status() + ": " + e);
        } finally {
            complete();
        }
    }

    private void head(Answer answer) {
        resp.setStatus(answer.status());
        for (Answer.Header h : answer.headers()) {
            resp.setHeader(h.name(), h.value());
        }
    }

    private void complete() {
        AsyncContext c = ctx;
        if (c == null) {
            return;
        }
        try {
            c.complete();
        } catch (IllegalStateException ignored) {
            // The container already completed the request (its client went away).
        }
    }

    @Override
    public RequestBody readBody() {
        needAsync();
        Body body = new Body();
        body.in.setReadListener(body);
        return body;
    }

    @Override
    public EventSink openStream(Answer head, Runnable clientLeft) {
        if (inDispatchWithoutAsync()) {
            ServletStream handedOver = handOver(head, clientLeft);
            if (handedOver != null) {
                return handedOver;
            }
            needAsync();
        }
        head(head);
        if ("HTTP/1.1".equals(req.getProtocol()) && CHUNKS_ON_REQUEST.test(DisconnectWatch.unwrap(req).getClass().getName())) {
            // Chunked although the connection closes after the stream: a clean end is then the final chunk,
            // which a client can tell from a broken connection.
            resp.setHeader("Transfer-Encoding", "chunked");
        }
        ServletStream s;
        try {
            ServletOutputStream out = resp.getOutputStream();
            s = new ServletStream(ctx, out, clientLeft);
            stream = s;
            out.setWriteListener(s);
            if (!DisconnectWatch.start(req, clientLeft)) {
                // No watch in this container: a read error, if the container reports one, is all there is.
                ServletInputStream in = req.getInputStream();
                in.setReadListener(new InputWatch(in, false, clientLeft));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not open a stream", e);
        }
        return s;
    }

    /** A stream that takes the connection over from Tomcat ({@link TomcatHandOver}), or null if it cannot. */
    private ServletStream handOver(Answer head, Runnable clientLeft) {
        try {
            head(head);
            ServletStream s = TomcatHandOver.open(req, resp, clientLeft);
            if (s != null) {
                synchronized (dispatch) {
                    doneInDispatch = true;
                }
                stream = s;
            }
            return s;
        } catch (IOException | ServletException | ReflectiveOperationException | RuntimeException | LinkageError e) {
            if (!resp.isCommitted()) {
                LOG.log(Level.DEBUG, () -> "stream stays an asynchronous request: " + e);
                return null;
            }
            // The head is out: the container ends the response (and closes the connection) after the dispatch.
            synchronized (dispatch) {
                doneInDispatch = true;
            }
            throw new IllegalStateException("could not hand a stream's connection over", e);
        }
    }

    @Override
    public Runnable schedule(Runnable task, long delayMillis) {
        ScheduledFuture<?> f = timer.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        return () -> f.cancel(false);
    }

    // ---- AsyncListener: the container ends the request ---------------------------------------------

    @Override
    public void onTimeout(AsyncEvent event) {
        containerEnded("async timeout", false);
    }

    @Override
    public void onError(AsyncEvent event) {
        containerEnded("async error: " + event.getThrowable(), false);
    }

    /**
     * The response is complete. Called by Tomcat under its async state machine's monitor, so the stream must not
     * wait for its output lock here (see {@link ServletStream}).
     */
    @Override
    public void onComplete(AsyncEvent event) {
        containerEnded("complete", true);
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
        // Not restarted.
    }

    private void containerEnded(String why, boolean completed) {
        ServletStream s = stream;
        if (s != null) {
            s.containerEnded(why, completed);
        } else if (!completed) {
            complete();
        }
    }

    /** The request body, read as the container reports it readable. */
    private final class Body implements RequestBody, ReadListener {
        final ServletInputStream in;
        private final byte[] buffer = new byte[READ_BUFFER];
        /** The reader's wake-up, waiting for the container's next read callback. */
        private final AtomicReference<Runnable> waiting = new AtomicReference<>();
        /** The container called back since the reader last looked. */
        private final AtomicBoolean signalled = new AtomicBoolean();
        private volatile Throwable failure;

        Body() throws IllegalStateException {
            try {
                this.in = req.getInputStream();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read(BodyBuffer into) throws IOException {
            Throwable f = failure;
            if (f != null) {
                throw f instanceof IOException ? (IOException) f : new IOException(f);
            }
            if (in.isFinished()) {
                return -1;
            }
            if (!in.isReady()) {
                return 0;
            }
            int n = in.read(buffer);
            if (n < 0) {
                return -1;
            }
            into.append(ByteBuffer.wrap(buffer, 0, n));
            return n;
        }

        @Override
        public void demand(Runnable ready) {
            waiting.set(ready);
            if (signalled.getAndSet(false)) {
                wake();
            }
        }

        private void wake() {
            Runnable r = waiting.getAndSet(null);
            if (r != null) {
                r.run();
            }
        }

        private void signal() {
            signalled.set(true);
            if (waiting.get() != null && signalled.getAndSet(false)) {
                wake();
            }
        }

        @Override
        public void onDataAvailable() {
            signal();
        }

        @Override
        public void onAllDataRead() {
            signal();
        }

        @Override
        public void onError(Throwable t) {
            failure = t;
            signal();
        }
    }
}
