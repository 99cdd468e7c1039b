package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.config.EsperConfig;
import dev.esper.testsupport.RawHttp;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that leave event streams while the server is still writing to them, the three ways a client leaves:
 * half-closing (EOF with the server's write pending), resetting, and closing after reading part of the stream.
 * Each ends a stream with a write in flight, which Jetty cancels and waits for. With one I/O thread, a server
 * that got stuck on any of them could not answer the next publish, nor stop. (The selector deadlock this once
 * hid is pinned deterministically by {@link EndPointWatchTest}; this is the end-to-end behaviour.)
 */
class ClientLeavesDuringAWriteTest {
    private static final int ROUNDS = 12;
    private static final int STREAMS = 40;
    private static final int EVENTS = 12;
    private static final int EVENT_BYTES = 32 * 1024;

    private EsperServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        if (server != null) {
            CompletableFuture.runAsync(() -> server.stop(Duration.ofMillis(200)));
        }
    }

    @Test
    void clientsThatLeaveStreamsWithWritesInFlightLeaveTheServerServingAndStoppable() throws Exception {
        EsperConfig config = EsperConfig.builder().noAuth(true).threads(1).heartbeat(Duration.ZERO)
                .subscriberBuffer(64L * 1024 * 1024).maxBody(EVENT_BYTES * 2).build();
        server = EsperServer.startOnAnyFreePort(config);
        String event = "data: " + "x".repeat(EVENT_BYTES);

        for (int round = 0; round < ROUNDS; round++) {
            String topic = "leavingtopic" + round;
            List<Socket> clients = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                clients.add(subscribe(topic));
            }
            for (int i = 0; i < EVENTS; i++) {
                assertThat(publish(topic, event)).as("publish %d of round %d", i, round).startsWith("200");
            }
            // The server now has writes in flight to every stream: each client reads a little or nothing and
            // leaves, a third by half-closing (the server sees EOF with its write still pending), a third with a
            // reset, a third after reading some of the stream.
            for (int i = 0; i < clients.size(); i++) {
                leave(clients.get(i), i % 3);
            }
            assertThat(publish("afterround" + round, "data: still serving")).as("a publish after round %d", round)
                    .startsWith("200");
            for (Socket client : clients) {
                client.close();
            }
        }

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> server.stop(Duration.ofMillis(200)));
        stopped.get(20, TimeUnit.SECONDS);
        server = null;
    }

    private String publish(String topic, String data) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/publish/"
                + topic)).timeout(Duration.ofSeconds(10)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(data)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body().strip();
    }

    /** Opens a stream with a small receive window and reads its head, then nothing more. */
    private Socket subscribe(String topic) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
        int status = RawHttp.over(socket).send("GET", "/subscribe/" + topic, List.of("Accept: text/event-stream"), null)
                .readHead().status();
        assertThat(status).as("the stream of %s", topic).isEqualTo(200);
        return socket;
    }

    private static void leave(Socket socket, int how) throws IOException {
        switch (how) {
            case 0 -> socket.shutdownOutput();
            case 1 -> {
                socket.setSoLinger(true, 0);
                socket.close();
            }
            default -> {
                socket.getInputStream().readNBytes(8192);
                socket.close();
            }
        }
    }
}
