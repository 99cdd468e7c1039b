package dev.esper.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.broker.Broker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.transaction.support.TransactionTemplate;

/** The notes application on a real port: the page's stream gets a note once its save commits, never before. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class NotesApplicationTest {
    private static final Pattern TOKEN = Pattern.compile("\"token\":\"([^\"]+)\"");

    @LocalServerPort
    int port;

    @Autowired
    NoteService notes;

    @Autowired
    Broker broker;

    @Autowired
    TransactionTemplate transactions;

    private final HttpClient http = HttpClient.newHttpClient();
    private CompletableFuture<HttpResponse<Stream<String>>> stream;

    @AfterEach
    void closeTheStream() {
        if (stream != null) {
            stream.cancel(true);
            stream.thenAccept(r -> r.body().close());
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5));
    }

    /** Opens the page's stream as the page does (a token from /api/token); its lines go to the queue. */
    private BlockingQueue<String> followTheNotes() throws Exception {
        Matcher token = TOKEN.matcher(send(request("/api/token")).body());
        assertThat(token.find()).isTrue();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        stream = http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/esper/subscribe/notesfeed?token=" + token.group(1))).build(), HttpResponse.BodyHandlers.ofLines());
        HttpResponse<Stream<String>> response = stream.get(5, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        Thread reader = new Thread(() -> response.body().forEach(lines::add), "notes-stream-reader");
        reader.setDaemon(true);
        reader.start();
        assertThat(lines.poll(5, TimeUnit.SECONDS)).isEqualTo(":ok");
        return lines;
    }

    /** The next event's name and data lines, e.g. {@code event: note} and {@code data: {...}}. */
    private static String nextEvent(BlockingQueue<String> lines) throws InterruptedException {
        StringBuilder event = new StringBuilder();
        for (String line = lines.poll(5, TimeUnit.SECONDS); line != null; line = lines.poll(5, TimeUnit.SECONDS)) {
            if (line.isEmpty()) {
                if (event.length() > 0) {
                    return event.toString();
                }
            } else if (!line.startsWith("id:") && !line.startsWith(":")) {
                event.append(line).append('\n');
            }
        }
        throw new AssertionError("no event within 5 s; got " + event);
    }

    @Test
    void aSavedNoteReachesThePagesStream() throws Exception {
        BlockingQueue<String> lines = followTheNotes();

        HttpResponse<String> saved = send(request("/api/notes").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"buy milk\"}")));

        assertThat(saved.statusCode()).isEqualTo(201);
        assertThat(saved.body()).contains("\"text\":\"buy milk\"");
        assertThat(nextEvent(lines)).startsWith("event: note\ndata: {\"id\":").contains("\"text\":\"buy milk\"");
    }

    @Test
    void aSaveThatRollsBackPushesNothing() throws Exception {
        BlockingQueue<String> lines = followTheNotes();
        long published = broker.stats().published();

        transactions.executeWithoutResult(tx -> {
            notes.save("never committed");
            tx.setRollbackOnly();
        });
        notes.save("committed");

        assertThat(nextEvent(lines)).contains("\"text\":\"committed\"").doesNotContain("never committed");
        assertThat(broker.stats().published()).isEqualTo(published + 1);
        assertThat(notes.latest(10)).extracting(Note::text).contains("committed").doesNotContain("never committed");
    }

    @Test
    void aBadNoteIsRefusedAndOutsidersCannotPublish() throws Exception {
        assertThat(send(request("/api/notes").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"  \"}"))).statusCode()).isEqualTo(400);
        assertThat(send(request("/esper/publish/notesfeed").POST(HttpRequest.BodyPublishers.ofString("data: x")))
                .statusCode()).isEqualTo(401);
        assertThat(send(request("/esper/subscribe/notesfeed")).statusCode()).isEqualTo(401);
    }

    @Test
    void thePageIsServed() throws Exception {
        HttpResponse<String> page = send(request("/"));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("new EventSource('/esper/subscribe/'");
    }
}
