package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.auth.AccessPolicy;
import dev.esper.broker.Broker;
import dev.esper.broker.Transport;
import dev.esper.config.EsperConfig;
import dev.esper.redis.RedisTransport;
import dev.esper.servlet.EsperServlet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

/** Which beans the auto-configuration defines, when it backs off, and how a bad property fails start-up. */
class EsperAutoConfigurationTest {
    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EsperAutoConfiguration.class));

    @Test
    void definesTheConfigurationPolicyBrokerAndServletRegistration() {
        web.run(context -> {
            assertThat(context).hasNotFailed()
                    .hasSingleBean(EsperConfig.class).hasBean("esperConfig")
                    .hasSingleBean(AccessPolicy.class).hasBean("esperAccessPolicy")
                    .hasSingleBean(Broker.class).hasBean("esperBroker")
                    .hasBean("esperServletRegistration")
                    .doesNotHaveBean(Transport.class);
            assertThat(context.getBean(EsperConfig.class).historySize()).isEqualTo(100);
            ServletRegistrationBean<?> registration =
                    context.getBean("esperServletRegistration", ServletRegistrationBean.class);
            assertThat(registration.getUrlMappings()).containsExactly("/esper/*");
            assertThat(registration.isAsyncSupported()).isTrue();
            assertThat(registration.getServlet()).isInstanceOf(EsperServlet.class);
        });
    }

    @Test
    void withEnabledFalseDefinesNothing() {
        web.withPropertyValues("esper.enabled=false", "esper.history-size=-1").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(EsperConfig.class).doesNotHaveBean(Broker.class)
                    .doesNotHaveBean(AccessPolicy.class).doesNotHaveBean(ServletRegistrationBean.class);
            assertThat(context.getBeanDefinitionNames()).noneMatch(name -> name.startsWith("esper"));
        });
    }

    @Test
    void anEnabledThatIsNeitherTrueNorFalseFailsStartUpNamingIt() {
        web.withPropertyValues("esper.enabled=maybe").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("esper.enabled")
                    .hasStackTraceContaining("maybe");
        });
    }

    @Test
    void outsideAServletWebApplicationThereIsABrokerButNoServlet() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(EsperAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Broker.class)
                        .doesNotHaveBean(ServletRegistrationBean.class).hasBean("esperNoServletNotice"));
    }

    @Test
    void theBrokerIsClosedWhenTheContextCloses() {
        AtomicReference<Broker> broker = new AtomicReference<>();
        web.run(context -> broker.set(context.getBean(Broker.class)));
        assertThat(broker.get().isClosed()).isTrue();
    }

    @Test
    void theBrokerClosesBeforeTheWebServerShutsDownGracefully() {
        web.run(context -> assertThat(context.getBean(BrokerLifecycle.class).getPhase())
                .isGreaterThan(Integer.MAX_VALUE - 1024).isLessThan(Integer.MAX_VALUE));
    }

    // -------------------------------------------------------------------------------------------
    // The application's own beans win

    @Configuration(proxyBeanMethods = false)
    static class OwnConfig {
        @Bean
        EsperConfig myConfig() {
            return EsperConfig.builder().historySize(7).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnPolicy {
        @Bean
        AccessPolicy myPolicy() {
            return AccessPolicy.openToAll();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBroker {
        @Bean
        Broker myBroker() {
            return Broker.builder().build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnRegistration {
        @Bean
        ServletRegistrationBean<EsperServlet> myRegistration(Broker broker, EsperConfig config) {
            return new ServletRegistrationBean<>(new EsperServlet(broker, config), "/mine/*");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnTransport {
        @Bean
        Transport myTransport() {
            return Transport.local();
        }
    }

    @Test
    void anApplicationsEsperConfigReplacesTheProperties() {
        web.withUserConfiguration(OwnConfig.class).withPropertyValues("esper.history-size=3").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(EsperConfig.class).hasBean("myConfig");
            assertThat(context.getBean(EsperConfig.class).historySize()).isEqualTo(7);
        });
    }

    @Test
    void anApplicationsAccessPolicyReplacesTheOneFromTheSecrets() {
        web.withUserConfiguration(OwnPolicy.class).run(context -> assertThat(context).hasNotFailed()
                .hasSingleBean(AccessPolicy.class).hasBean("myPolicy"));
    }

    @Test
    void anApplicationsBrokerReplacesEspers() {
        web.withUserConfiguration(OwnBroker.class).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(Broker.class).hasBean("myBroker");
            EsperServlet servlet = (EsperServlet) context.getBean("esperServletRegistration",
                    ServletRegistrationBean.class).getServlet();
            assertThat(servlet.broker()).isSameAs(context.getBean("myBroker"));
        });
    }

    @Test
    void anApplicationsServletRegistrationReplacesEspers() {
        web.withUserConfiguration(OwnRegistration.class).run(context -> {
            assertThat(context).hasNotFailed().hasBean("myRegistration").doesNotHaveBean("esperServletRegistration");
            ServletRegistrationBean<?> mine = context.getBean("myRegistration", ServletRegistrationBean.class);
            assertThat(mine.getUrlMappings()).containsExactly("/mine/*");
        });
    }

    @Test
    void anApplicationsTransportIsTheBrokersEvenWithARedisUrl() {
        web.withUserConfiguration(OwnTransport.class).withPropertyValues("esper.redis-url=redis://127.0.0.1:1")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(Transport.class)
                        .hasBean("myTransport").hasSingleBean(Broker.class));
    }

    // -------------------------------------------------------------------------------------------
    // Bad input fails start-up, naming the property

    /** The report Spring Boot prints for a start-up failure, as esper's analyzer writes it. */
    private static FailureAnalysis analysis(Throwable failure) {
        FailureAnalysis analysis = new EsperFailureAnalyzer().analyze(failure);
        assertThat(analysis).as("esper's failure analysis of " + failure).isNotNull();
        return analysis;
    }

    @Test
    void aBadValueFailsStartUpNamingThePropertyTheRuleAndTheValue() {
        web.withPropertyValues("esper.history-size=-1").run(context -> {
            assertThat(context).hasFailed();
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("history size must be a whole number from 0 to",
                    "was '-1'", "property esper.history-size");
            assertThat(analysis.getAction()).contains("esper.history-size");
        });
    }

    @Test
    void aShortSecretFailsStartUpWithoutShowingIt() {
        web.withPropertyValues("esper.publisher-secret=short-and-secret").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("publisher secret must be at least 32 bytes",
                    "esper.publisher-secret").doesNotContain("short-and-secret");
            assertThat(context.getStartupFailure()).hasStackTraceContaining("esper.publisher-secret");
            assertThat(stackTrace(context.getStartupFailure())).doesNotContain("short-and-secret");
        });
    }

    @Test
    void aMisspelledPropertyFailsStartUpNamingItButNotItsValue() {
        web.withPropertyValues("esper.subscriber-secert=a-subscriber-secret-of-at-least-32-bytes").run(context -> {
            FailureAnalysis analysis = analysis(context.getStartupFailure());
            assertThat(analysis.getDescription()).contains("esper.subscriber-secert is not a property of esper",
                    "esper.subscriber-secret").doesNotContain("a-subscriber-secret-of");
        });
    }

    @Test
    void aStandaloneServerSettingSaysWhatToUseInstead() {
        web.withPropertyValues("esper.port=8081").run(context -> assertThat(analysis(context.getStartupFailure())
                .getDescription()).contains("esper.port is not used", "server.*"));
    }

    @Test
    void aPathThatIsNotAPrefixMappingFailsStartUpNamingIt() {
        web.withPropertyValues("esper.path=/events").run(context -> assertThat(analysis(context.getStartupFailure())
                .getDescription()).contains("esper.path must be a path mapping that ends in /*", "'/events'"));
    }

    @Test
    void aRedisUrlWithoutEsperRedisFailsStartUpSayingWhatToAdd() {
        FilteredClassLoader withoutEsperRedis = new FilteredClassLoader(
                new FilteredClassLoader(new ClassPathResource("META-INF/services/dev.esper.broker.TransportProvider")),
                RedisTransport.class);
        web.withClassLoader(withoutEsperRedis).withPropertyValues("esper.redis-url=redis://127.0.0.1:6379")
                .run(context -> assertThat(analysis(context.getStartupFailure()).getDescription())
                        .contains("esper.redis-url is set, but esper-redis is not on the class path",
                                "dev.esper:esper-redis"));
    }

    private static String stackTrace(Throwable t) {
        java.io.StringWriter out = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(out));
        return out.toString();
    }
}
