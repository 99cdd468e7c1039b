package dev.esper.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The notes application's Actuator: esper in its readiness, and esper's meters in its Prometheus scrape. */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ActuatorTest {
    private static final Pattern PUBLISHED =
            Pattern.compile("^esper_published_events_total(?:\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

    @LocalServerPort
    int port;

    @Autowired
    NoteService notes;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readinessIncludesEsper() throws Exception {
        HttpResponse<String> readiness = get("/actuator/health/readiness");

        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(JsonPath.<String>read(readiness.body(), "$.components.esper.status")).isEqualTo("UP");
        assertThat(JsonPath.<String>read(readiness.body(), "$.components.readinessState.status")).isEqualTo("UP");
    }

    @Test
    void aSavedNoteCountsInThePrometheusScrape() throws Exception {
        double before = published();

        notes.save("counted");

        assertThat(published()).isEqualTo(before + 1);
    }

    private double published() throws Exception {
        HttpResponse<String> scrape = get("/actuator/prometheus");
        assertThat(scrape.statusCode()).isEqualTo(200);
        Matcher m = PUBLISHED.matcher(scrape.body());
        assertThat(m.find()).as("esper_published_events_total in\n" + scrape.body()).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
