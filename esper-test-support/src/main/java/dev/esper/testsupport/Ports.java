package dev.esper.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback ports for servers that tests start as processes, where port 0 cannot be used. Stateless. */
public final class Ports {
    private Ports() {
    }

    /**
     * A loopback port that was free a moment ago, chosen at random below Linux's ephemeral range (32768-60999),
     * so that no outgoing connection of this or another test (a client reconnecting, say) can take it before
     * the server binds it, or while a server that is restarted on it is down.
     *
     * @throws IllegalStateException if 200 tries found no free port in 20000-31999
     */
    public static int freePort() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(20_000, 32_000);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(false);
                s.bind(new InetSocketAddress("127.0.0.1", port));
                return port;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IllegalStateException("no free port found in 20000-31999");
    }
}
