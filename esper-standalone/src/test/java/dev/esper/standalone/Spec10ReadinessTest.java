package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.config.EsperConfig;
import dev.esper.testsupport.RedisServerFixture;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SPEC 10: {@code /health/ready} follows the node's real Redis, while {@code /health/live} stays 200. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class Spec10ReadinessTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private RedisServerFixture redis;
    private EsperServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(Duration.ofMillis(200));
        }
        if (redis != null) {
            redis.close();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(server.uri().resolve(path)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private int status(String path) throws Exception {
        return get(path).statusCode();
    }

    @Test
    void readinessTurns503WhenRedisStopsAndBackTo200WhenItReturns() throws Exception {
        redis = RedisServerFixture.start(false);
        server = EsperServer.startOnAnyFreePort(EsperConfig.builder().redis(redis.uri()).build());
        assertThat(get("health/ready").body()).isEqualTo("{\"status\":\"UP\"}");

        redis.kill();

        await().atMost(WAIT).until(() -> status("health/ready") == 503);
        HttpResponse<String> down = get("health/ready");
        assertThat(down.body()).startsWith("{\"status\":\"DOWN\",\"reason\":\"Redis at 127.0.0.1:" + redis.port()
                + " is unreachable");
        assertThat(down.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/json"));
        assertThat(status("health/live")).isEqualTo(200);
        assertThat(get("metrics").body()).contains("esper_ready 0.0");

        redis.start();

        await().atMost(WAIT).until(() -> status("health/ready") == 200);
        assertThat(get("metrics").body()).contains("esper_ready 1.0");
    }
}
