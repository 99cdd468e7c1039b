package dev.esper.servlet;

import jakarta.servlet.ServletRequest;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.TimeUnit;

/**
 * The {@link DisconnectWatch} of Tomcat 11, HTTP/1.x: an asynchronous read on the request's socket wrapper,
 * reached by reflection (the servlet compiles against no container): the connector request inside the
 * {@code RequestFacade}, its coyote request's {@code Http11InputBuffer} and that buffer's
 * {@code SocketWrapperBase}, whose public {@code read(long, TimeUnit, Object, CompletionHandler, ByteBuffer...)}
 * waits for the client.
 *
 * <p>Three properties of Tomcat's NIO connector shape this:
 * <ul>
 *   <li>A pending asynchronous read is subject to the connection's read timeout when it is given none
 *       ({@code -1}): the poller fails it with a {@code SocketTimeoutException} once the client has sent
 *       nothing for {@code connectionTimeout} (60 s embedded, 20 s in the stock {@code server.xml}), which
 *       is the normal state of a stream. So the read is given a timeout of 0, which Tomcat takes as none
 *       (it sets the connection's read timeout to infinite; the stream is the connection's last request).
 *       Writes keep their own timeout.</li>
 *   <li>{@code onGone} runs on a container thread inside Tomcat's completion handler, and ends the stream
 *       there ({@code AsyncContext.complete()}). That is safe in itself (Tomcat dispatches the completion to
 *       another thread and touches no socket after calling the handler), but Tomcat then recycles the
 *       request, the response and the processor for the next connection at once: the stream must ensure
 *       that no other thread is still writing, which {@link ServletStream} does.</li>
 *   <li>Tomcat neither fails nor cancels a pending read when it closes the connection, and its socket
 *       channels are pooled; so the read is not re-armed once the connection is closed.</li>
 * </ul>
 */
final class TomcatDisconnectWatch implements DisconnectWatch {
    static final TomcatDisconnectWatch INSTANCE = new TomcatDisconnectWatch();

    /** A timeout of 0: none, so the poller never fails the watch of a silent client (see above). */
    static final long NO_TIMEOUT = 0L;

    private TomcatDisconnectWatch() {
    }

    /**
     * The reflective lookups of the last request class seen, so that a stream holds no {@code Method} of its
     * own and the lookups run once per container, not once per stream. Replaced, never changed.
     */
    private volatile Lookups lookups;

    @Override
    public boolean watch(ServletRequest request, Runnable onGone) throws ReflectiveOperationException {
        Lookups l = lookups(request);
        Object wrapper = socketWrapper(request, l);
        if (wrapper == null) {
            return false;
        }
        new Reader(wrapper, l, onGone).start();
        return true;
    }

    /**
     * The socket wrapper of a Tomcat HTTP/1.x request whose connector does asynchronous I/O, or null (another
     * protocol, or no asynchronous I/O).
     */
    Object socketWrapper(ServletRequest request) throws ReflectiveOperationException {
        return socketWrapper(request, lookups(request));
    }

    /** Closes a socket wrapper from {@link #socketWrapper}: Tomcat releases the connection and its processor. */
    void close(Object wrapper) throws ReflectiveOperationException {
        Lookups l = lookups;
        if (l == null) {
            throw new IllegalStateException("no Tomcat request seen yet");
        }
        l.close.invoke(wrapper);
    }

    private Lookups lookups(ServletRequest request) throws ReflectiveOperationException {
        Lookups l = lookups;
        if (l == null || l.facade != request.getClass()) {
            l = new Lookups(request);
            lookups = l;
        }
        return l;
    }

    private static Object socketWrapper(ServletRequest request, Lookups l) throws ReflectiveOperationException {
        Object connectorRequest = l.connectorRequest.get(request);
        Object coyoteRequest = l.coyoteRequest.invoke(connectorRequest);
        Object inputBuffer = l.inputBuffer.invoke(coyoteRequest);
        if (inputBuffer == null || inputBuffer.getClass() != l.http11InputBuffer) {
            return null;
        }
        Object wrapper = l.wrapper.get(inputBuffer);
        if (wrapper == null || !(Boolean) l.hasAsyncIO.invoke(wrapper)) {
            return null;
        }
        return wrapper;
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f;
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    /** Tomcat's members on the way from the request to its socket wrapper, looked up from a request class. */
    private static final class Lookups {
        final Class<?> facade;
        final Field connectorRequest;
        final Method coyoteRequest;
        final Method inputBuffer;
        final Class<?> http11InputBuffer;
        final Field wrapper;
        final Method hasAsyncIO;
        final Method read;
        final Method isClosed;
        final Method close;

        Lookups(ServletRequest request) throws ReflectiveOperationException {
            ClassLoader loader = request.getClass().getClassLoader();
            this.facade = request.getClass();
            this.connectorRequest = field(facade, "request");
            this.coyoteRequest = connectorRequest.getType().getMethod("getCoyoteRequest");
            this.inputBuffer = coyoteRequest.getReturnType().getMethod("getInputBuffer");
            this.http11InputBuffer = Class.forName("org.apache.coyote.http11.Http11InputBuffer", false, loader);
            this.wrapper = field(http11InputBuffer, "wrapper");
            Class<?> wrapperType = Class.forName("org.apache.tomcat.util.net.SocketWrapperBase", false, loader);
            this.hasAsyncIO = wrapperType.getMethod("hasAsyncIO");
            this.read = wrapperType.getMethod("read", long.class, TimeUnit.class, Object.class,
                    CompletionHandler.class, ByteBuffer[].class);
            this.isClosed = wrapperType.getMethod("isClosed");
            this.close = wrapperType.getMethod("close");
        }
    }

    /** Waits for EOF, an error or data: the client left or misbehaves. */
    private static final class Reader implements CompletionHandler<Long, Object> {
        private final Object wrapper;
        private final Lookups lookups;
        private final Runnable onGone;
        private final ByteBuffer scratch = ByteBuffer.allocate(1);

        Reader(Object wrapper, Lookups lookups, Runnable onGone) {
            this.wrapper = wrapper;
            this.lookups = lookups;
            this.onGone = onGone;
        }

        void start() throws ReflectiveOperationException {
            scratch.clear();
            lookups.read.invoke(wrapper, NO_TIMEOUT, TimeUnit.MILLISECONDS, null, this, new ByteBuffer[] {scratch});
        }

        @Override
        public void completed(Long result, Object attachment) {
            if (result == null || result != 0) {
                // EOF, or data, which a client has no reason to send on a stream.
                onGone.run();
                return;
            }
            try {
                // Nothing read. Watch on, unless Tomcat closed the connection: a read on a closed wrapper
                // would never complete, or touch a pooled channel.
                if ((Boolean) lookups.isClosed.invoke(wrapper)) {
                    onGone.run();
                    return;
                }
                start();
            } catch (ReflectiveOperationException | RuntimeException e) {
                onGone.run();
            }
        }

        @Override
        public void failed(Throwable exc, Object attachment) {
            if (!(exc instanceof IOException) && LOG.isLoggable(Level.DEBUG)) {
                LOG.log(Level.DEBUG, "stream connection watch ended: " + exc);
            }
            onGone.run();
        }
    }
}
