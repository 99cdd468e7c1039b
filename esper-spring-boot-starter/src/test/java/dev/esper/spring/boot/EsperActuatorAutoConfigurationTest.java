package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.broker.Broker;
import dev.esper.broker.CapacityExceededException;
import dev.esper.event.Event;
import dev.esper.micrometer.EsperMetrics;
import dev.esper.topic.TopicId;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Which Actuator beans esper defines, with and without Actuator, and that they report what the broker says. */
class EsperActuatorAutoConfigurationTest {
    /** esper's auto-configurations with Spring Boot's metrics (a simple registry) and health contributors. */
    private final ApplicationContextRunner actuator = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EsperAutoConfiguration.class,
                    EsperActuatorAutoConfiguration.class, MetricsAutoConfiguration.class,
                    CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
                    HealthContributorAutoConfiguration.class));

    @Test
    void definesTheMetersBoundToBootsRegistryAndTheHealthIndicator() {
        actuator.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(EsperMetrics.class).hasBean("esperMetrics")
                    .hasBean("esperHealthIndicator");
            assertThat(context.getBean(EsperMetrics.class).broker()).isSameAs(context.getBean(Broker.class));
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("esper.subscribers").gauge().value()).isZero();

            context.getBean(Broker.class).publish(TopicId.of("boundmeters1"), Event.of("counted"));

            assertThat(registry.get("esper.published.events").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("esper.publish.duration").tag("outcome", "published").timer().count())
                    .isEqualTo(1);
        });
    }

    @Test
    void theHealthIndicatorIsTheBrokersHealthWithItsCounts() {
        actuator.run(context -> {
            HealthIndicator indicator = context.getBean("esperHealthIndicator", HealthIndicator.class);
            Health up = indicator.health();
            assertThat(up.getStatus()).isEqualTo(Status.UP);
            assertThat(up.getDetails()).containsEntry("subscribers", 0).containsEntry("topics", 0)
                    .doesNotContainKeys("reason", "transport");

            context.getBean(Broker.class).beginShutdown();

            Health down = indicator.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(down.getDetails()).containsEntry("reason", "shutting down");
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class ClusterTransport {
        @Bean
        DownableTransport clusterTransport() {
            return new DownableTransport();
        }
    }

    @Test
    void theHealthIndicatorIsDownWithTheReasonWhileTheTransportIsDown() {
        actuator.withUserConfiguration(ClusterTransport.class).run(context -> {
            HealthIndicator indicator = context.getBean("esperHealthIndicator", HealthIndicator.class);
            assertThat(indicator.health().getDetails())
                    .containsEntry("transport", Map.of("type", "test", "state", "up"));

            context.getBean(DownableTransport.class).down = true;

            Health down = indicator.health();
            assertThat(down.getStatus()).isEqualTo(Status.DOWN);
            assertThat(down.getDetails()).containsEntry("reason", DownableTransport.REASON)
                    .containsEntry("transport", Map.of("type", "test", "state", "down"));
        });
    }

    @Test
    void theMetersStopHearingTheBrokerWhenTheContextCloses() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Broker[] broker = new Broker[1];
        actuator.withBean("registry", MeterRegistry.class, () -> registry, d -> d.setDestroyMethodName(""))
                .run(context -> {
                    broker[0] = context.getBean(Broker.class);
                    broker[0].publish(TopicId.of("closing1"), Event.of("x"));
                    assertThat(registry.get("esper.publish.duration").tag("outcome", "published").timer().count())
                            .as("the listener hears the broker").isEqualTo(1);
                });

        // The context closed the broker, which refuses this publish; a listener still added would time it.
        assertThatThrownBy(() -> broker[0].publish(TopicId.of("closing1"), Event.of("y")))
                .isInstanceOf(CapacityExceededException.class);
        assertThat(registry.get("esper.publish.duration").tag("outcome", "refused").timer().count()).isZero();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnMetrics {
        @Bean
        EsperMetrics myMetrics(Broker broker) {
            return new EsperMetrics(broker, Tags.of("node", "a"));
        }
    }

    @Test
    void anApplicationsEsperMetricsReplacesEspers() {
        actuator.withUserConfiguration(OwnMetrics.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(EsperMetrics.class).hasBean("myMetrics")
                    .doesNotHaveBean("esperMetrics");
            assertThat(context.getBean(MeterRegistry.class).get("esper.subscribers").tag("node", "a").gauge())
                    .isNotNull();
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnHealthIndicator {
        @Bean
        HealthIndicator esperHealthIndicator() {
            return () -> Health.up().withDetail("mine", true).build();
        }
    }

    @Test
    void anApplicationsEsperHealthIndicatorReplacesEspers() {
        actuator.withUserConfiguration(OwnHealthIndicator.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean("esperHealthIndicator", HealthIndicator.class).health().getDetails())
                    .containsOnlyKeys("mine");
        });
    }

    @Test
    void theHealthIndicatorIsOffWithManagementHealthEsperEnabledFalse() {
        actuator.withPropertyValues("management.health.esper.enabled=false").run(context -> assertThat(context)
                .hasNotFailed().doesNotHaveBean("esperHealthIndicator").hasBean("esperMetrics"));
    }

    @Test
    void withEsperDisabledThereIsNeither() {
        actuator.withPropertyValues("esper.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(EsperMetrics.class)
                    .doesNotHaveBean("esperHealthIndicator");
            assertThat(context.getBeanDefinitionNames()).noneMatch(name -> name.startsWith("esper"));
        });
    }

    @Test
    void withoutActuatorNothingOfThisLoads() {
        // Neither Spring Boot's health nor its metrics (so no MeterRegistry), as in an application without
        // spring-boot-starter-actuator; Micrometer and esper-micrometer may still be there.
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(EsperAutoConfiguration.class,
                        EsperActuatorAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("org.springframework.boot.health.",
                        "org.springframework.boot.micrometer.", "org.springframework.boot.actuate."))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(Broker.class)
                            .doesNotHaveBean(EsperMetrics.class).doesNotHaveBean("esperHealthIndicator");
                    assertThat(context.getBeanDefinitionNames())
                            .noneMatch(name -> name.startsWith("esperMetrics") || name.startsWith("esperHealth"));
                });
    }

    @Test
    void withoutMicrometerOrEsperMicrometerThereAreNoMetersAndNoFailure() {
        actuator.withClassLoader(new FilteredClassLoader("io.micrometer.", "dev.esper.micrometer."))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("esperMetrics")
                        .hasBean("esperHealthIndicator"));
        actuator.withClassLoader(new FilteredClassLoader(EsperMetrics.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("esperMetrics")
                        .hasBean("esperHealthIndicator").hasSingleBean(MeterRegistry.class));
    }
}
