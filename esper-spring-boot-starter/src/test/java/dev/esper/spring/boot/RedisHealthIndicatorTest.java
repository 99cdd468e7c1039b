package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.esper.testsupport.RedisServerFixture;
import java.time.Duration;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The health indicator {@code esper} over a real {@code redis-server}: DOWN, naming the Redis by host and port,
 * while it cannot be reached, and UP again once the transport has reconnected.
 */
class RedisHealthIndicatorTest {
    private RedisServerFixture redis;

    @BeforeEach
    void startRedis() {
        redis = RedisServerFixture.start(false);
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    @Test
    void aRedisThatGoesAwayTurnsEsperDownWithTheReasonAndBackUp() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EsperAutoConfiguration.class,
                        EsperActuatorAutoConfiguration.class))
                .withPropertyValues("esper.redis-url=" + redis.uri())
                .run(context -> {
                    HealthIndicator indicator = context.getBean("esperHealthIndicator", HealthIndicator.class);
                    Health up = indicator.health();
                    assertThat(up.getStatus()).isEqualTo(Status.UP);
                    assertThat(up.getDetails().get("transport")).asInstanceOf(InstanceOfAssertFactories.MAP)
                            .containsEntry("type", "redis").containsEntry("state", "up")
                            .containsEntry("redis", "127.0.0.1:" + redis.port());

                    redis.kill();

                    await().atMost(Duration.ofSeconds(10))
                            .until(() -> indicator.health().getStatus().equals(Status.DOWN));
                    Map<String, Object> down = indicator.health().getDetails();
                    assertThat((String) down.get("reason"))
                            .startsWith("Redis at 127.0.0.1:" + redis.port() + " is unreachable");
                    assertThat(down.toString()).doesNotContain("redis://");

                    redis.start();

                    await().atMost(Duration.ofSeconds(30))
                            .until(() -> indicator.health().getStatus().equals(Status.UP));
                });
    }
}
