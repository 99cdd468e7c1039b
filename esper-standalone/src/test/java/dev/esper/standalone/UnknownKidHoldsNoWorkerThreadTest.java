package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.config.EsperConfig;
import dev.esper.testsupport.JwksServer;
import dev.esper.testsupport.RawHttp;
import dev.esper.testsupport.SigningKey;
import dev.esper.testsupport.Tokens;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A regression: a token whose {@code kid} was not in the JWK Set used to hold its request's thread while the set
 * was fetched again, so a burst of such tokens during a slow fetch could take every worker thread of the standalone
 * server (it has few), and nothing else was answered until the fetch ended. Now they wait without a thread.
 */
class UnknownKidHoldsNoWorkerThreadTest {
    private static final String TOPIC = "abcdef123";
    /** The standalone server's thread pool with {@code --threads=1}: 8 threads, some of them Jetty's own. */
    private static final int POOL_THREADS = 8;

    private final List<RawHttp> sockets = new ArrayList<>();
    private JwksServer jwks;
    private EsperServer server;

    @AfterEach
    void stop() throws IOException {
        for (RawHttp s : sockets) {
            s.close();
        }
        if (server != null) {
            server.stop(Duration.ofMillis(200));
        }
        if (jwks != null) {
            jwks.close();
        }
    }

    private RawHttp send(String target, String... headers) throws IOException {
        RawHttp s = RawHttp.connect(server.port());
        sockets.add(s);
        return s.send("GET", target, List.of(headers), null);
    }

    @Test
    void moreTokensWaitingForASlowFetchThanWorkerThreadsLeaveTheServerAnsweringOthers() throws Exception {
        SigningKey rsa = SigningKey.rsa("rsa-1");
        SigningKey next = SigningKey.ec("ec-next", "P-256");
        jwks = JwksServer.start(rsa);
        server = EsperServer.startOnAnyFreePort(EsperConfig.builder().threads(1)
                .subscriberJwks(jwks.uri().toString()).publisherSecret(Tokens.PUBLISHER_SECRET).build());
        jwks.serve(rsa, next).hold();
        String rotated = "Authorization: Bearer " + next.tokenFor("ES256", TOPIC);

        List<RawHttp> waiting = new ArrayList<>();
        for (int i = 0; i < 3 * POOL_THREADS; i++) {
            waiting.add(send("/subscribe/" + TOPIC, rotated));
        }
        jwks.awaitHeld(Duration.ofSeconds(10));

        // The fetch is held until released below: these answers come before it completes, so the waiting
        // requests hold no thread (the stats say the fetch after the start has not completed yet).
        assertThat(send("/health/live").readHead().status()).isEqualTo(200);
        RawHttp known = send("/subscribe/" + TOPIC, "Authorization: Bearer " + rsa.tokenFor("RS256", TOPIC))
                .readHead();
        assertThat(known.status()).isEqualTo(200);
        RawHttp stats = send("/stats", "Authorization: Bearer " + Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC))
                .readHead();
        assertThat(stats.status()).isEqualTo(200);
        assertThat(stats.readBody()).contains("\"fetches\":1,");

        jwks.release();
        for (RawHttp r : waiting) {
            assertThat(r.readHead().status()).isEqualTo(200);
            assertThat(r.awaitBody(":ok\n\n", Duration.ofSeconds(5))).isEqualTo(":ok\n\n");
        }
        assertThat(jwks.requests()).as("the first fetch, then one for every waiting token").isEqualTo(2);
    }
}
