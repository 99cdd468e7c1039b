package dev.esper.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.broker.Broker;
import dev.esper.http.MetricsRenderer;
import dev.esper.testsupport.ApiFixture;
import dev.esper.testsupport.HttpContract;
import dev.esper.testsupport.RawHttp;
import dev.esper.testsupport.Tokens;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The HTTP contract with {@link EsperServlet} mounted in a servlet container, and what only a servlet does:
 * the declarative mode (init parameters, {@code init()} and {@code destroy()}) and its own log lines. Each
 * container runs it through a subclass.
 */
abstract class ServletContract extends HttpContract {
    private static final Duration PROMPTLY = Duration.ofSeconds(3);

    @Override
    protected abstract ServletContainer frontEnd();

    // ---- declarative mode ----------------------------------------------------------------------------

    @Test
    void theDeclarativeServletBuildsItsBrokerFromInitParametersAndClosesItOnDestroy() throws Exception {
        EsperServlet servlet = new EsperServlet();
        ServletContainer c = frontEnd();
        int port = c.mount(ApiFixture.CONTEXT, Map.of("/*", servlet), Map.of(
                "subscriberSecret", Tokens.SUBSCRIBER_SECRET, "publisherSecret", Tokens.PUBLISHER_SECRET,
                "maxBody", "100", "maxSubscribers", "1", "corsOrigins", "https://app.example"));
        server = ApiFixture.attach(c, servlet.broker(), port);
        String pub = "Bearer " + Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC);

        assertThat(server.publish(TOPIC, "data: x").statusCode()).isEqualTo(401);
        assertThat(server.publish(TOPIC, "data: " + "x".repeat(100), "Authorization", pub).statusCode()).isEqualTo(413);
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC + "?token=" + Tokens.hs256(Tokens.SUBSCRIBER_SECRET,
                TOPIC), "Origin: https://app.example");
        assertThat(stream.header("Access-Control-Allow-Origin")).isEqualTo("https://app.example");
        assertThat(server.get("/subscribe/" + TOPIC + "?token=" + Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC))
                .statusCode()).isEqualTo(503);
        assertThat(server.publish(TOPIC, "data: declared", "Authorization", pub).statusCode()).isEqualTo(200);
        assertThat(stream.awaitBody("data: declared\n\n", PROMPTLY)).contains("data: declared");
        stream.close();

        c.close();

        assertThat(servlet.broker().isClosed()).isTrue();
    }

    // ---- SPEC 10: /metrics from the app's renderer -------------------------------------------------

    @Test
    void aServletGivenARendererServesMetricsProtectedLikeStats() throws Exception {
        Broker broker = Broker.builder().build();
        EsperServlet servlet = new EsperServlet(broker, protectedConfig().build())
                .metrics(accept -> new MetricsRenderer.Rendered("text/plain; version=0.0.4; charset=utf-8",
                        "esper_subscribers " + broker.stats().clients() + "\n"));
        ServletContainer c = frontEnd();
        int port = c.mount(ApiFixture.CONTEXT, Map.of("/*", servlet), Map.of());
        server = ApiFixture.attach(c, broker, port);

        assertThat(server.get("/metrics").statusCode()).isEqualTo(401);
        HttpResponse<String> scrape = server.get("/metrics", "Authorization",
                "Bearer " + Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC));
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).as("Tomcat drops the spaces").hasValueSatisfying(
                ct -> assertThat(ct).matches("text/plain; ?version=0\\.0\\.4.*"));
        assertThat(scrape.body()).isEqualTo("esper_subscribers 0\n");
    }

    @Test
    void withoutARendererMetricsIsAnUnknownRoute() throws Exception {
        open();
        assertThat(server.get("/metrics").statusCode()).isEqualTo(404);
    }

    // ---- SPEC 3: tokens never reach a log line (checked with the servlet's own) ----------------------

    @Test
    void tokensNeverReachALogLineEvenWhenRejected() throws Exception {
        try (LogCapture logs = LogCapture.start()) {
            withConfig(Broker.builder().heartbeat(Duration.ofMillis(100)), protectedConfig());
            String sub = Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC);
            String pub = Tokens.hs256(Tokens.PUBLISHER_SECRET, TOPIC);
            String expired = Tokens.hmac("HS256", Tokens.PUBLISHER_SECRET, "{\"sub\":\"" + TOPIC + "\",\"exp\":1}");
            String wrong = Tokens.hs256("wrong-secret-0123456789abcdefghijk", TOPIC);
            String garbage = "garbage-token-text-" + System.nanoTime();

            RawHttp stream = server.subscribe("/subscribe/" + TOPIC + "?token=" + sub);
            server.publish(TOPIC, "data: x", "Authorization", "Bearer " + pub);
            server.publish(TOPIC + "?token=" + expired, "data: x");
            server.publish(TOPIC, "data: x", "Authorization", "Bearer " + wrong);
            server.get("/subscribe/" + TOPIC + "?token=" + garbage);
            server.get("/subscribe/" + TOPIC, "Authorization", "Bearer " + garbage);
            server.get("/stats?token=" + expired);
            server.get("/nope?token=" + garbage);
            stream.awaitBody(":\n\n", PROMPTLY);
            stream.abort();
            await().atMost(PROMPTLY).until(() -> server.clients() == 0);
            server.close();
            server = null;

            String text = logs.text();
            assertThat(text).as("the capture works").contains("esper servlet");
            for (String token : List.of(sub, pub, expired, wrong, garbage)) {
                assertThat(text).doesNotContain(token);
                for (String part : token.split("\\.")) {
                    if (part.length() > 20) {
                        assertThat(text).doesNotContain(part);
                    }
                }
            }
        }
    }
}
