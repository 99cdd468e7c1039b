package dev.esper.servlet;

import jakarta.servlet.ServletRequest;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;

/**
 * The {@link DisconnectWatch} of Jetty 12, HTTP/1.x, for its ee10 servlet environment (Jakarta EE 10) and its ee11
 * one (Jakarta EE 11, which Spring Boot 4 runs): fill interest on the connection's end point. Reaches Jetty's public
 * types by reflection (the servlet compiles against no container): the core request of a servlet request
 * ({@code ServletContextRequest.getServletContextRequest}, in the environment's servlet package), its
 * {@code ConnectionMetaData}'s connection and {@code EndPoint}, then {@code EndPoint.tryFillInterested(Callback)}
 * and {@code EndPoint.fill(ByteBuffer)}; only the first step differs between environments.
 *
 * <p>Thread-safe; the reflective links are looked up once per container class loader.
 */
final class JettyDisconnectWatch implements DisconnectWatch {
    /** Jetty's ee10 environment. */
    static final JettyDisconnectWatch EE10 = new JettyDisconnectWatch("org.eclipse.jetty.ee10.servlet");
    /** Jetty's ee11 environment. */
    static final JettyDisconnectWatch EE11 = new JettyDisconnectWatch("org.eclipse.jetty.ee11.servlet");

    /** The environment's servlet package, e.g. {@code org.eclipse.jetty.ee10.servlet}. */
    private final String servletPackage;
    /** The reflective links for the last container class loader seen; looked up once, not per stream. */
    private volatile Links links;

    private JettyDisconnectWatch(String servletPackage) {
        this.servletPackage = servletPackage;
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

        Links(ClassLoader cl, String servletPackage) throws ReflectiveOperationException {
            loader = cl;
            Class<?> scr = Class.forName(servletPackage + ".ServletContextRequest", false, cl);
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

    private Links links(ClassLoader cl) throws ReflectiveOperationException {
        Links l = links;
        if (l == null || l.loader != cl) {
            l = new Links(cl, servletPackage);
            links = l;
        }
        return l;
    }

    @Override
    public boolean watch(ServletRequest request, Runnable onGone) throws ReflectiveOperationException {
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
