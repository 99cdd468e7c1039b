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

    @Override
    public boolean watch(ServletRequest request, Runnable onGone) throws ReflectiveOperationException {
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
