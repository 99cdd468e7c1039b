package dev.esper.spring.boot;

import dev.esper.broker.Broker;
import dev.esper.broker.BrokerStats;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * A broker's readiness ({@link Broker#health()}, what esper's {@code GET /health/ready} answers) as a Spring Boot
 * health indicator: {@code UP}, or {@code DOWN} with the one-line {@code reason} (its transport lost its
 * connection, say {@code Redis at host:6379 is unreachable: ...}, or a shutdown is under way). Its details, shown
 * as {@code management.endpoint.health.show-details} allows, also hold the open subscriber streams
 * ({@code subscribers}), the topics held ({@code topics}) and, for a cross-node transport, its state
 * ({@code transport}: as in {@code /stats}, e.g. {@code type}, {@code state}, {@code redis} as host and port,
 * never credentials).
 *
 * <p>Cheap (counters and flags, no I/O); thread-safe.
 */
public final class EsperHealthIndicator implements HealthIndicator {
    private final Broker broker;

    /**
     * The health of {@code broker}.
     *
     * @param broker the broker; not null
     */
    public EsperHealthIndicator(Broker broker) {
        this.broker = Objects.requireNonNull(broker, "broker");
    }

    @Override
    public Health health() {
        dev.esper.broker.Health readiness = broker.health();
        Health.Builder health = readiness.isUp() ? Health.up() : Health.down().withDetail("reason", readiness.reason());
        BrokerStats stats = broker.stats();
        health.withDetail("subscribers", stats.clients()).withDetail("topics", stats.topics());
        Map<String, Object> transport = stats.transport();
        if (!transport.isEmpty()) {
            health.withDetail("transport", transport);
        }
        return health.build();
    }
}
