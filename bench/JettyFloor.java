import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The floor under esper's standalone server: Jetty 12 as esper configures it with its defaults (one
 * acceptor, two selectors as {@code --threads=2}, the same thread pool, HTTP settings, accept queue and idle
 * timeout; not its looser URI compliance, which plain paths never need), with a handler that does nothing a
 * broker does. A publish reads its body without blocking and gets a 200 with a JSON body as long as esper's;
 * a subscribe gets a 200 event stream with one comment and is held open until the client leaves (a comment
 * every two seconds to every open stream finds out who left, as a broker's heartbeat does); {@code /stats}
 * answers 200. No topics, no retention, no fan-out, no tokens. What this server costs per request or per
 * connection is what any broker built on Jetty pays before its own work: see docs/performance.md, "The
 * floor: Jetty alone".
 *
 * Run with jetty-floor.sh, which compiles this file against esper.jar (whose Jetty it uses) and takes
 * compare.sh's options.
 */
public final class JettyFloor {
    private static final ByteBuffer PUBLISHED = ByteBuffer.wrap(
            "{\"published\":1,\"ids\":[\"1796573378163000\"],\"subscribers\":0}".getBytes(StandardCharsets.UTF_8))
            .asReadOnlyBuffer();
    private static final ByteBuffer HEARTBEAT = ByteBuffer.wrap(":\n\n".getBytes(StandardCharsets.UTF_8))
            .asReadOnlyBuffer();
    private static final Set<Held> HELD = ConcurrentHashMap.newKeySet();
    private static final ByteBuffer OK = ByteBuffer.wrap(":ok\n\n".getBytes(StandardCharsets.UTF_8))
            .asReadOnlyBuffer();

    public static void main(String[] args) throws Exception {
        int port = 3000;
        String bind = "127.0.0.1";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--bind" -> bind = args[++i];
                case "--no-auth" -> { }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; allowed: --port P, --bind ADDR, --no-auth");
            }
        }
        int threads = 2; // esper's default --threads
        QueuedThreadPool pool = new QueuedThreadPool(Math.max(8, 8 * threads), Math.min(4, 8 * threads), 60_000);
        pool.setName("floor-http");
        Server server = new Server(pool);
        HttpConfiguration http = new HttpConfiguration();
        http.setOutputAggregationSize(0);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, 1, threads, new HttpConnectionFactory(http));
        connector.setHost(bind);
        connector.setPort(port);
        connector.setIdleTimeout(30_000);
        connector.setAcceptQueueSize(1024);
        server.addConnector(connector);
        server.setHandler(new Floor());
        server.start();
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor();
        heartbeat.scheduleWithFixedDelay(() -> HELD.forEach(Held::beat), 2, 2, TimeUnit.SECONDS);
        System.out.println("floor listening on " + bind + ":" + port);
        server.join();
    }

    private static final class Floor extends Handler.Abstract {
        Floor() {
            super(InvocationType.NON_BLOCKING);
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            String path = request.getHttpURI().getPath();
            if (HttpMethod.POST.is(request.getMethod()) && path.startsWith("/publish/")) {
                new BodyReader(request, response, callback).run();
            } else if (HttpMethod.GET.is(request.getMethod()) && path.startsWith("/subscribe/")) {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
                // Held open: the callback is completed only when a write fails, i.e. the client has left.
                Held held = new Held(response, callback);
                response.write(false, OK.slice(), Callback.from(() -> HELD.add(held), callback::failed));
            } else {
                response.setStatus(200);
                response.write(true, null, callback);
            }
            return true;
        }
    }

    /**
     * An open stream. A beat while the last one is still being written fails (Jetty allows one write at a
     * time) and drops the stream: fine for the idle readers this is measured with.
     */
    private static final class Held {
        private final Response response;
        private final Callback callback;

        Held(Response response, Callback callback) {
            this.response = response;
            this.callback = callback;
        }

        void beat() {
            response.write(false, HEARTBEAT.slice(), Callback.from(() -> { }, failure -> {
                HELD.remove(this);
                callback.failed(failure);
            }));
        }
    }

    /** Reads a publish's body to its end without blocking, then answers as esper does. */
    private static final class BodyReader implements Runnable {
        private final Request request;
        private final Response response;
        private final Callback callback;

        BodyReader(Request request, Response response, Callback callback) {
            this.request = request;
            this.response = response;
            this.callback = callback;
        }

        @Override
        public void run() {
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    callback.failed(chunk.getFailure());
                    return;
                }
                boolean last = chunk.isLast();
                chunk.release();
                if (last) {
                    response.setStatus(200);
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json; charset=utf-8");
                    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, (long) PUBLISHED.remaining());
                    response.write(true, PUBLISHED.slice(), callback);
                    return;
                }
            }
        }
    }
}
