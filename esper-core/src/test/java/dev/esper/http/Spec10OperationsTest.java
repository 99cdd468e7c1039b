package dev.esper.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.FakeTokenVerifier;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.broker.SwitchableTransport;
import dev.esper.config.EsperConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SPEC 10 in the one HTTP API: health probes, {@code /metrics} and the count of refused requests. */
class Spec10OperationsTest {
    private static final String PUBLISHER_TOKEN = "publisher-token";

    private final SwitchableTransport transport = new SwitchableTransport();
    private final Broker broker = Broker.builder().transport(transport).deliveryExecutor(Runnable::run).build();
    private final AccessPolicy publisherProtected = AccessPolicy.builder().open(Side.SUBSCRIBER)
            .protect(Side.PUBLISHER, new FakeTokenVerifier().accept(PUBLISHER_TOKEN,
                    Map.of("sub", "abcdef123", "exp", 4_000_000_000L)))
            .build();
    private final HttpApi api = HttpApi.create(broker, EsperConfig.defaults(), publisherProtected);

    @AfterEach
    void close() {
        broker.close(Duration.ZERO);
    }

    private static Answer serve(HttpApi api, FakeExchange ex) {
        api.handle(ex);
        return ex.answer();
    }

    @Test
    void livenessIs200StatusUpWithoutAToken() {
        Answer a = serve(api, new FakeExchange("GET", "/health/live", null)
                .header("Authorization", "Bearer not-a-valid-token"));
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.bodyText()).isEqualTo("{\"status\":\"UP\"}");
        assertThat(a.header("Content-Type")).isEqualTo(HttpApi.JSON);
        assertThat(a.header("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void readinessFollowsTheTransportAndAShutdown() {
        assertThat(serve(api, new FakeExchange("GET", "/health/ready", null)).status()).isEqualTo(200);

        transport.down = true;
        Answer down = serve(api, new FakeExchange("GET", "/health/ready", null));
        assertThat(down.status()).isEqualTo(503);
        assertThat(down.bodyText()).isEqualTo("{\"status\":\"DOWN\",\"reason\":\"lost the connection to the cluster\"}");
        assertThat(down.closesConnection()).isFalse();

        transport.down = false;
        assertThat(serve(api, new FakeExchange("GET", "/health/ready", null)).status()).isEqualTo(200);
        broker.beginShutdown();
        Answer shutting = serve(api, new FakeExchange("GET", "/health/ready", null));
        assertThat(shutting.status()).isEqualTo(503);
        assertThat(shutting.bodyText()).contains("shutting down");
        assertThat(serve(api, new FakeExchange("GET", "/health/live", null)).status()).isEqualTo(200);
        assertThat(broker.stats().rejected().get(503)).as("a readiness 503 is no refused request").isZero();
    }

    @Test
    void theHealthRoutesAnswerOnlyGetWith405AndAllow() {
        Answer a = serve(api, new FakeExchange("POST", "/health/ready", null));
        assertThat(a.status()).isEqualTo(405);
        assertThat(a.header("Allow")).isEqualTo("GET, OPTIONS");
        assertThat(serve(api, new FakeExchange("GET", "/health", null)).status()).isEqualTo(404);
        assertThat(serve(api, new FakeExchange("GET", "/health/live/", null)).status()).isEqualTo(404);
    }

    @Test
    void withoutARendererMetricsIsAnUnknownRoute() {
        Answer a = serve(api, new FakeExchange("GET", "/metrics", null)
                .header("Authorization", "Bearer " + PUBLISHER_TOKEN));
        assertThat(a.status()).isEqualTo(404);
    }

    @Test
    void metricsAreRenderedForTheAcceptHeaderAndProtectedLikeStats() {
        HttpApi withMetrics = api.withMetrics(accept -> new MetricsRenderer.Rendered(
                accept != null && accept.contains("openmetrics") ? "application/openmetrics-text" : "text/plain",
                "esper_topics 0\n"));

        Answer unauthorised = serve(withMetrics, new FakeExchange("GET", "/metrics", null));
        assertThat(unauthorised.status()).isEqualTo(401);
        assertThat(unauthorised.header("WWW-Authenticate")).startsWith("Bearer");

        Answer text = serve(withMetrics, new FakeExchange("GET", "/metrics", null)
                .header("Authorization", "Bearer " + PUBLISHER_TOKEN));
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.header("Content-Type")).isEqualTo("text/plain");
        assertThat(text.header("Cache-Control")).isEqualTo("no-store");
        assertThat(text.bodyText()).isEqualTo("esper_topics 0\n");

        Answer open = serve(withMetrics, new FakeExchange("GET", "/metrics", "token=" + PUBLISHER_TOKEN)
                .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;q=0.5"));
        assertThat(open.header("Content-Type")).isEqualTo("application/openmetrics-text");
        assertThat(withMetrics).isNotSameAs(api);
        assertThat(serve(api, new FakeExchange("GET", "/metrics", "token=" + PUBLISHER_TOKEN)).status()).isEqualTo(404);
    }

    @Test
    void aRendererThatFailsIsA500ThatNamesNoInternals() {
        HttpApi failing = api.withMetrics(accept -> {
            throw new IllegalStateException("registry internals");
        });
        Answer a = serve(failing, new FakeExchange("GET", "/metrics", "token=" + PUBLISHER_TOKEN));
        assertThat(a.status()).isEqualTo(500);
        assertThat(a.bodyText()).doesNotContain("registry internals");
    }

    @Test
    void everyRefusedRequestIsCountedByItsStatus() {
        serve(api, new FakeExchange("GET", "/nope", null));
        serve(api, new FakeExchange("GET", "/stats", null));
        serve(api, new FakeExchange("GET", "/subscribe/short", null));
        serve(api, new FakeExchange("POST", "/publish/abcdef123", null)
                .header("Authorization", "Bearer " + PUBLISHER_TOKEN).header("Content-Length", "100000"));
        FakeExchange bad = new FakeExchange("POST", "/publish/abcdef123", null)
                .header("Authorization", "Bearer " + PUBLISHER_TOKEN);
        api.handle(bad);
        bad.feed("nodata: x\n", true);
        transport.down = true;
        FakeExchange unreachable = new FakeExchange("POST", "/publish/abcdef123", null)
                .header("Authorization", "Bearer " + PUBLISHER_TOKEN);
        api.handle(unreachable);
        unreachable.feed("data: x\n", true);
        serve(api, new FakeExchange("GET", "/stats", null).header("Authorization", "Bearer " + PUBLISHER_TOKEN));

        assertThat(unreachable.answer().status()).isEqualTo(503);
        assertThat(broker.stats().rejected()).containsEntry(400, 2L).containsEntry(401, 1L).containsEntry(404, 1L)
                .containsEntry(413, 1L).containsEntry(503, 1L).containsEntry(405, 0L);
    }
}
