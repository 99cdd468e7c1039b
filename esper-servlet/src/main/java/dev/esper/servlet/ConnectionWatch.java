package dev.esper.servlet;

import jakarta.servlet.ServletRequest;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Notices promptly that the client of an idle event stream went away (FIN or RST), in Jetty 12 and Tomcat 11.
 *
 * <p>Why this exists: a servlet can learn of a disconnect only through a failed read or write. An idle
 * stream does neither, and a {@code ReadListener} does not help on a {@code GET}: its (empty) body is
 * complete at once, so both containers call {@code onAllDataRead()} and stop watching the socket (measured:
 * neither Jetty 12.1 nor Tomcat 11.0 notices a closed idle stream before the next write). Without this
 * class a gone client would be noticed only at the next heartbeat or event, and only at the second write
 * after a clean close.
 *
 * <p>So, for HTTP/1.x, this class asks the container's connection to watch for readability itself, and treats
 * EOF, a read error or any data (a client has nothing to send on a stream) as the client leaving. It uses
 * only public container types, reached by reflection so that esper-servlet has no compile-time dependency
 * on any container:
 * <ul>
 *   <li>Jetty 12 (ee10): the core request's {@code ConnectionMetaData.getConnection().getEndPoint()}, then
 *       {@code EndPoint.tryFillInterested(Callback)} and {@code EndPoint.fill(ByteBuffer)};</li>
 *   <li>Tomcat 11: the request's {@code SocketWrapperBase} (through {@code Http11InputBuffer}), then its
 *       asynchronous {@code read(..., CompletionHandler, ByteBuffer)}, with no read timeout (see
 *       {@link Tomcat} for why).</li>
 * </ul>
 * Stream responses carry {@code Connection: close}, so once a stream ends the connection is not reused and
 * the container never competes with this watch for the next request's bytes. On any other container, or if a
 * lookup fails, {@link #watch} returns false and disconnects are noticed at the next write, as before.
 *
 * <p>Stateless and thread-safe; {@code onGone} runs at most once, on a container thread, possibly inside the
 * container's I/O completion callback and concurrently with the stream's own writes: if it ends the request
 * ({@code AsyncContext.complete()}), it must not do so while another thread is using the response, which a
 * container may recycle at once (see {@link SseStream}, which serialises the two).
 */
final class ConnectionWatch {
    private static final System.Logger LOG = System.getLogger(ConnectionWatch.class.getName());
    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private ConnectionWatch() {
    }

    /**
     * Starts watching the request's connection for the client leaving.
     *
     * @param request the stream's request (unwrapped, as the container passed it)
     * @param onGone called once when the client closed or reset the connection
     * @return whether a watch is in place
     */
    static boolean watch(ServletRequest request, Runnable onGone) {
        Runnable once = once(onGone);
        try {
            String type = request.getClass().getName();
            if (type.startsWith("org.eclipse.jetty.ee10.")) {
                return Jetty.watch(request, once);
            }
            if (type.equals("org.apache.catalina.connector.RequestFacade")) {
                return Tomcat.watch(request, once);
            }
            return false;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            if (WARNED.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "cannot watch stream connections in this container (" + e
                        + "); a client that leaves is noticed at the next heartbeat instead");
            }
            return false;
        }
    }

    private static Runnable once(Runnable r) {
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                r.run();
            }
        };
    }

    /** Jetty 12 ee10, HTTP/1.x: fill interest on the connection's end point. */
    static final class Jetty {
        /** The reflective links for the last container class loader seen; looked up once, not per stream. */
        private static volatile Links links;

        private Jetty() {
        }

        /** Jetty's types and methods, as seen from one class loader. Immutable. */
        private static final class Links {
            final ClassLoader loader;
            final Method getServletContextRequest;
            final Method getConnectionMetaData;
            final Method getHttpVersion;
            final Method getConnection;
            final Method getEndPoint;
            final Class<?> callbackType;
            final Method tryFillInterested;
            final Method fill;
            final Method isOpen;

            Links(ClassLoader cl) throws ReflectiveOperationException {
                loader = cl;
                Class<?> scr = Class.forName("org.eclipse.jetty.ee10.servlet.ServletContextRequest", false, cl);
                getServletContextRequest = scr.getMethod("getServletContextRequest", ServletRequest.class);
                getConnectionMetaData = Class.forName("org.eclipse.jetty.server.Request", false, cl)
                        .getMethod("getConnectionMetaData");
                Class<?> metaType = Class.forName("org.eclipse.jetty.server.ConnectionMetaData", false, cl);
                getHttpVersion = metaType.getMethod("getHttpVersion");
                getConnection = metaType.getMethod("getConnection");
                getEndPoint = Class.forName("org.eclipse.jetty.io.Connection", false, cl).getMethod("getEndPoint");
                Class<?> endPointType = Class.forName("org.eclipse.jetty.io.EndPoint", false, cl);
                callbackType = Class.forName("org.eclipse.jetty.util.Callback", false, cl);
                tryFillInterested = endPointType.getMethod("tryFillInterested", callbackType);
                fill = endPointType.getMethod("fill", ByteBuffer.class);
                isOpen = endPointType.getMethod("isOpen");
            }
        }

        private static Links links(ClassLoader cl) throws ReflectiveOperationException {
            Links l = links;
            if (l == null || l.loader != cl) {
                l = new Links(cl);
                links = l;
            }
            return l;
        }

        static boolean watch(ServletRequest request, Runnable onGone) throws ReflectiveOperationException {
            Links l = links(request.getClass().getClassLoader());
            Object coreRequest = l.getServletContextRequest.invoke(null, request);
            if (coreRequest == null) {
                return false;
            }
            Object meta = l.getConnectionMetaData.invoke(coreRequest);
            Object version = l.getHttpVersion.invoke(meta);
            if (version == null || !version.toString().startsWith("HTTP/1")) {
                return false;
            }
            Object connection = l.getConnection.invoke(meta);
            Object endPoint = l.getEndPoint.invoke(connection);
            Watcher w = new Watcher(endPoint, l.tryFillInterested, l.fill, l.isOpen, onGone);
            w.callback = Proxy.newProxyInstance(l.callbackType.getClassLoader(), new Class<?>[] {l.callbackType}, w);
            return w.register();
        }

        /** The {@code Callback} handed to the end point, as a proxy. */
        private static final class Watcher implements InvocationHandler {
            private final Object endPoint;
            private final Method tryFillInterested;
            private final Method fill;
            private final Method isOpen;
            private final Runnable onGone;
            Object callback;

            Watcher(Object endPoint, Method tryFillInterested, Method fill, Method isOpen, Runnable onGone) {
                this.endPoint = endPoint;
                this.tryFillInterested = tryFillInterested;
                this.fill = fill;
                this.isOpen = isOpen;
                this.onGone = onGone;
            }

            boolean register() throws ReflectiveOperationException {
                return (Boolean) tryFillInterested.invoke(endPoint, callback);
            }

            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                switch (method.getName()) {
                    case "succeeded":
                        fillable();
                        return null;
                    case "failed":
                        onGone.run();
                        return null;
                    case "toString":
                        return "esper-connection-watch";
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        if (method.isDefault()) {
                            return InvocationHandler.invokeDefault(proxy, method, args);
                        }
                        return null;
                }
            }

            /**
             * Readable: EOF, an error or data means the client left or misbehaves (a client has no reason to
             * send anything on a stream), so the stream ends; nothing is read and dropped in a loop.
             */
            private void fillable() {
                // Allocated only when the socket turned readable: an idle stream holds no buffer.
                ByteBuffer scratch = ByteBuffer.allocate(1);
                try {
                    scratch.flip();
                    int n = (Integer) fill.invoke(endPoint, scratch);
                    if (n != 0 || !(Boolean) isOpen.invoke(endPoint) || !register()) {
                        onGone.run();
                    }
                } catch (InvocationTargetException e) {
                    onGone.run();
                } catch (ReflectiveOperationException | RuntimeException e) {
                    onGone.run();
                }
            }
        }
    }

    /**
     * Tomcat 11, HTTP/1.x: an asynchronous read on the request's socket wrapper.
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
     *       that no other thread is still writing, which {@link SseStream} does.</li>
     *   <li>Tomcat neither fails nor cancels a pending read when it closes the connection, and its socket
     *       channels are pooled; so the read is not re-armed once the connection is closed.</li>
     * </ul>
     */
    static final class Tomcat {
        /** A timeout of 0: none, so the poller never fails the watch of a silent client (see above). */
        static final long NO_TIMEOUT = 0L;

        private Tomcat() {
        }

        static boolean watch(ServletRequest request, Runnable onGone) throws ReflectiveOperationException {
            Object connectorRequest = field(request.getClass(), "request").get(request);
            Object coyoteRequest = connectorRequest.getClass().getMethod("getCoyoteRequest").invoke(connectorRequest);
            Object inputBuffer = coyoteRequest.getClass().getMethod("getInputBuffer").invoke(coyoteRequest);
            if (inputBuffer == null
                    || !inputBuffer.getClass().getName().equals("org.apache.coyote.http11.Http11InputBuffer")) {
                return false;
            }
            Object wrapper = field(inputBuffer.getClass(), "wrapper").get(inputBuffer);
            if (wrapper == null) {
                return false;
            }
            Class<?> wrapperType = Class.forName("org.apache.tomcat.util.net.SocketWrapperBase", false,
                    wrapper.getClass().getClassLoader());
            if (!(Boolean) wrapperType.getMethod("hasAsyncIO").invoke(wrapper)) {
                return false;
            }
            Method read = wrapperType.getMethod("read", long.class, TimeUnit.class, Object.class,
                    CompletionHandler.class, ByteBuffer[].class);
            Method isClosed = wrapperType.getMethod("isClosed");
            new Reader(wrapper, read, isClosed, onGone).start();
            return true;
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

        /** Waits for EOF, an error or data: the client left or misbehaves. */
        private static final class Reader implements CompletionHandler<Long, Object> {
            private final Object wrapper;
            private final Method read;
            private final Method isClosed;
            private final Runnable onGone;
            private final ByteBuffer scratch = ByteBuffer.allocate(1);

            Reader(Object wrapper, Method read, Method isClosed, Runnable onGone) {
                this.wrapper = wrapper;
                this.read = read;
                this.isClosed = isClosed;
                this.onGone = onGone;
            }

            void start() throws ReflectiveOperationException {
                scratch.clear();
                read.invoke(wrapper, NO_TIMEOUT, TimeUnit.MILLISECONDS, null, this, new ByteBuffer[] {scratch});
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
                    if ((Boolean) isClosed.invoke(wrapper)) {
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
}
