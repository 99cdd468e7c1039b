/**
 * esper in a Spring Boot 4 application: {@link dev.esper.spring.boot.EsperAutoConfiguration} registers the esper
 * servlet, a {@code Broker} bean and, with {@code esper.redis-url}, the Redis transport, from the
 * {@code esper.*} properties (one per {@link dev.esper.config.Setting}); with Actuator,
 * {@link dev.esper.spring.boot.EsperActuatorAutoConfiguration} adds esper's meters and the health component
 * {@code esper} ({@link dev.esper.spring.boot.EsperHealthIndicator}). Everything else in this package is
 * package-private.
 */
package dev.esper.spring.boot;
