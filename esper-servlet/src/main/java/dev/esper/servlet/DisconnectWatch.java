package dev.esper.servlet;

import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Notices promptly that the client of an idle event stream went away (FIN or RST): the one seam through which
 * the servlet learns of a disconnect, with one implementation per container it knows.
 *
 * <p>Why this exists: a servlet learns of a disconnect only through a failed read or write. An idle stream does
 * neither, and a {@code ReadListener} does not help on a {@code GET}: its (empty) body is complete at once, so
 * containers stop watching the socket. Without a watch a gone client is noticed only at the next heartbeat or
 * event (at the second write after a clean close).
 *
 * <p>So, for HTTP/1.x, a watch asks the container's connection to report readability, and treats EOF, a read
 * error or any data (a client has nothing to send on a stream) as the client leaving. Stream responses say
 * {@code Connection: close}, so the connection is never reused and the container never competes with the watch
 * for a next request's bytes. The servlet compiles against no container, so each watch reaches its container's
 * public types by reflection, all of it in one class per container: {@link JettyDisconnectWatch} (Jetty 12,
 * ee10 and ee11) and {@link TomcatDisconnectWatch} (Tomcat 11). On any other container, over HTTP/2, or if a
 * lookup fails (logged once), there is no watch, and a client that left is noticed when a write fails: at the
 * next event or heartbeat.
 *
 * <p>Stateless and thread-safe; {@code onGone} runs at most once, on a container thread.
 */
interface DisconnectWatch {
    /**
     * Starts watching a request's connection.
     *
     * @param request the stream's request, as the container passed it
     * @param onGone called once when the client closed or reset the connection
     * @return whether a watch is in place
     * @throws ReflectiveOperationException if the container is not what the watch expects
     */
    boolean watch(ServletRequest request, Runnable onGone) throws ReflectiveOperationException;

    /**
     * Starts the watch of the request's container, if there is one.
     *
     * @return whether a watch is in place
     */
    static boolean start(ServletRequest request, Runnable onGone) {
        ServletRequest containers = unwrap(request);
        DisconnectWatch watch = forContainer(containers.getClass().getName());
        if (watch == null) {
            return false;
        }
        try {
            return watch.watch(containers, Once.of(onGone));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            if (Once.WARNED.compareAndSet(false, true)) {
                LOG.log(Level.WARNING, "cannot watch stream connections in this container (" + e
                        + "); a client that leaves is noticed at the next heartbeat instead");
            }
            return false;
        }
    }

    /**
     * The container's own request inside any wrappers (filters such as a framework's security filter pass the
     * servlet a {@code ServletRequestWrapper}).
     */
    static ServletRequest unwrap(ServletRequest request) {
        ServletRequest r = request;
        while (r instanceof ServletRequestWrapper w) {
            r = w.getRequest();
        }
        return r;
    }

    /** The watch for a container's request class, or null for a container without one. */
    static DisconnectWatch forContainer(String requestClass) {
        if (requestClass.startsWith("org.eclipse.jetty.ee10.")) {
            return JettyDisconnectWatch.EE10;
        }
        if (requestClass.startsWith("org.eclipse.jetty.ee11.")) {
            return JettyDisconnectWatch.EE11;
        }
        if (requestClass.equals("org.apache.catalina.connector.RequestFacade")) {
            return TomcatDisconnectWatch.INSTANCE;
        }
        return null;
    }

    /** The interface's logger. */
    System.Logger LOG = System.getLogger(DisconnectWatch.class.getName());

    /** Runs a callback at most once. */
    final class Once implements Runnable {
        static final AtomicBoolean WARNED = new AtomicBoolean();
        private final AtomicBoolean done = new AtomicBoolean();
        private final Runnable r;

        private Once(Runnable r) {
            this.r = r;
        }

        static Runnable of(Runnable r) {
            return new Once(r);
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                r.run();
            }
        }
    }
}
