package dev.esper.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.broker.Broker;
import dev.esper.broker.Transport;
import dev.esper.config.EsperConfig;
import dev.esper.redis.RedisTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A bean of the application's own replaces the starter's: here the Redis transport, with a key prefix of its own
 * so that two applications can share one Redis. Needs {@code redis-server} on the PATH (Debian's package).
 */
@SpringBootTest
class OwnTransportTest {
    private static Process redis;
    private static int port;

    @TestConfiguration(proxyBeanMethods = false)
    static class SharedRedis {
        // snippet:own-transport
        /** The Redis transport with a key prefix of this application's, so that others can share the Redis. */
        @Bean
        Transport notesTransport(EsperConfig config) {
            return RedisTransport.builder(config.redis().orElseThrow()).keyPrefix("notes").config(config).build();
        }
        // end-snippet:own-transport
    }

    @DynamicPropertySource
    static void startRedis(DynamicPropertyRegistry properties) throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        redis = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        await("redis-server").atMost(Duration.ofSeconds(10)).until(() -> "+PONG".equals(command("PING")));
        properties.add("esper.redis-url", () -> "redis://127.0.0.1:" + port);
    }

    @AfterAll
    static void stopRedis() {
        redis.destroyForcibly();
    }

    /** One inline Redis command's first answer line, or null if Redis cannot be reached. */
    private static String command(String inline) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n'; c = in.read()) {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        } catch (IOException e) {
            return null;
        }
    }

    @Autowired
    Transport transport;

    @Autowired
    Broker broker;

    @Autowired
    NoteService notes;

    @Test
    void theBrokerUsesTheApplicationsTransport() {
        assertThat(transport).hasToString("RedisTransport[127.0.0.1:" + port + ", prefix=notes]");
        assertThat(broker.stats().transport()).containsEntry("type", "redis").containsEntry("state", "up");

        notes.save("through Redis");

        assertThat(command("EXISTS notes:{notesfeed}:seq")).isEqualTo(":1");
    }
}
