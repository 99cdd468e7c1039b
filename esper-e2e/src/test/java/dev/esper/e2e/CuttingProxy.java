package dev.esper.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of esper that the test can use to break every open connection at once
 * (with a reset), as a network failure would. Counts the connections it accepted. Test-only: a thread pair
 * per connection.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;
    private volatile CountDownLatch held = new CountDownLatch(0);

    private CuttingProxy(ServerSocket listener, int targetPort) {
        this.listener = listener;
        this.targetPort = targetPort;
        this.acceptor = new Thread(this::acceptLoop, "cutting-proxy-accept");
        this.acceptor.setDaemon(true);
    }

    static CuttingProxy to(int targetPort) {
        try {
            ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            CuttingProxy proxy = new CuttingProxy(listener, targetPort);
            proxy.acceptor.start();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The proxy's base URL, e.g. {@code http://127.0.0.1:40200}. */
    String base() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    int accepted() {
        return accepted.get();
    }

    /** Resets every open connection, both towards the client and towards esper. */
    void cutAll() {
        for (Socket s : open) {
            reset(s);
        }
        open.clear();
    }

    /** New connections wait (accepted, not yet forwarded) until {@link #release()}. */
    void hold() {
        held = new CountDownLatch(1);
    }

    /** Lets held and new connections through. */
    void release() {
        held.countDown();
    }

    private void awaitRelease() {
        try {
            held.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                accepted.incrementAndGet();
                awaitRelease();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(server);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                if (listener.isClosed()) {
                    return;
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // The other direction or cutAll() closes the pair.
            } finally {
                reset(from);
                reset(to);
                open.remove(from);
                open.remove(to);
            }
        }, "cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    @Override
    public void close() {
        release();
        try {
            listener.close();
        } catch (IOException ignored) {
            // Closing anyway.
        }
        cutAll();
    }
}
