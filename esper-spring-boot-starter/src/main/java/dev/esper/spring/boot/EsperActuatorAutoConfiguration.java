package dev.esper.spring.boot;

import dev.esper.broker.Broker;
import dev.esper.micrometer.EsperMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * esper in Spring Boot Actuator, when the application has it. It defines, each only when the application has not
 * defined one of its own and there is a {@link Broker} bean (the starter's or the application's):
 * <ul>
 *   <li>{@link EsperMetrics} {@code esperMetrics}: with esper-micrometer on the class path and a Micrometer
 *       {@code MeterRegistry} (Actuator's metrics make one), esper's meters ({@code esper.subscribers},
 *       {@code esper.published.events}, ..., see {@link EsperMetrics}); Spring Boot binds it to each of its
 *       registries, so they reach {@code /actuator/metrics}, {@code /actuator/prometheus} and any export. Closed
 *       with the context;</li>
 *   <li>{@link HealthIndicator} {@code esperHealthIndicator}: the health contributor {@code esper}, which is
 *       {@link Broker#health()}: UP, or DOWN with its {@code reason} as a detail (the transport lost its
 *       connection, or a shutdown is under way); turned off by {@code management.health.esper.enabled=false}.
 *       See {@link EsperHealthIndicator}.</li>
 * </ul>
 * Without Actuator on the class path, or with {@code esper.enabled=false}, it defines nothing.
 */
@AutoConfiguration(after = EsperAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@Conditional(EsperEnabledCondition.class)
public final class EsperActuatorAutoConfiguration {
    /** Made by Spring Boot's auto-configuration. */
    public EsperActuatorAutoConfiguration() {
    }

    /** esper's meters, for the registries Spring Boot's metrics make (as Boot's own JVM meters are). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({MeterBinder.class, EsperMetrics.class})
    @ConditionalOnBean({Broker.class, MeterRegistry.class})
    static class MetricsConfiguration {
        /**
         * The broker's meters. Spring Boot binds every {@code MeterBinder} bean to its registries; the context
         * closes it ({@link EsperMetrics#close()}), so the broker no longer reports to it.
         *
         * @param broker the broker bean
         * @return the meters, bound by Spring Boot
         */
        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        EsperMetrics esperMetrics(Broker broker) {
            return new EsperMetrics(broker);
        }
    }

    /**
     * The health contributor {@code esper}, when Spring Boot's health support (spring-boot-health, which Actuator
     * brings) is on the class path. The conditions that need it are on the nested class, which is read only when
     * this one matches.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {
        /** Unless {@code management.health.esper.enabled=false}. */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnBean(Broker.class)
        @ConditionalOnEnabledHealthIndicator("esper")
        static class EsperHealthConfiguration {
            /**
             * The broker's readiness as the health contributor {@code esper}.
             *
             * @param broker the broker bean
             * @return the indicator
             */
            @Bean
            @ConditionalOnMissingBean(name = "esperHealthIndicator")
            HealthIndicator esperHealthIndicator(Broker broker) {
                return new EsperHealthIndicator(broker);
            }
        }
    }
}
