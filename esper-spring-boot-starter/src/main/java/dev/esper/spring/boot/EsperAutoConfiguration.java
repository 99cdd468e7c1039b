package dev.esper.spring.boot;

import dev.esper.auth.AccessPolicy;
import dev.esper.broker.Broker;
import dev.esper.broker.Transport;
import dev.esper.broker.TransportProvider;
import dev.esper.config.EsperConfig;
import dev.esper.config.Setting;
import dev.esper.jwt.JwtVerifier;
import dev.esper.redis.RedisTransport;
import dev.esper.servlet.EsperServlet;
import java.lang.System.Logger.Level;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;

/**
 * esper in a Spring Boot application, from the {@code esper.*} properties (every setting of
 * {@link dev.esper.config.Setting} the servlet reads, e.g. {@code esper.history-size},
 * {@code esper.publisher-secret}, plus {@code esper.enabled} and {@code esper.path}). It defines, each only when
 * the application has not defined one of its own:
 * <ul>
 *   <li>{@link EsperConfig} {@code esperConfig}: the properties, checked by esper's one validator; a bad value
 *       fails start-up naming the property;</li>
 *   <li>{@link AccessPolicy} {@code esperAccessPolicy}: from the secrets ({@link JwtVerifier#accessPolicy});</li>
 *   <li>{@link Transport} {@code esperTransport}: the Redis transport, when {@code esper.redis-url} is set and
 *       esper-redis is on the class path (the broker closes it);</li>
 *   <li>{@link Broker} {@code esperBroker}: publish in-process with it; closed when the context closes, before
 *       the web server's graceful shutdown, so open streams end cleanly at once;</li>
 *   <li>in a servlet web application, a {@code ServletRegistrationBean<EsperServlet>}
 *       {@code esperServletRegistration}: the servlet, async-supported, at {@code esper.path} (default
 *       {@code /esper/*}), loaded at start-up.</li>
 * </ul>
 * With {@code esper.enabled=false} it defines nothing.
 */
@AutoConfiguration
@Conditional(EsperEnabledCondition.class)
public final class EsperAutoConfiguration {
    private static final System.Logger LOG = System.getLogger(EsperAutoConfiguration.class.getName());

    /** Made by Spring Boot's auto-configuration. */
    public EsperAutoConfiguration() {
    }

    /**
     * The configuration from the {@code esper.*} properties.
     *
     * @param environment where the properties are read
     * @return the checked configuration
     */
    @Bean
    @ConditionalOnMissingBean
    EsperConfig esperConfig(Environment environment) {
        return EsperProperties.config(environment);
    }

    /**
     * Who may subscribe, publish and read stats: the configuration's secrets, {@code no-auth} and clock skew.
     *
     * @param config the configuration
     * @return the policy
     */
    @Bean
    @ConditionalOnMissingBean
    AccessPolicy esperAccessPolicy(EsperConfig config) {
        return JwtVerifier.accessPolicy(config);
    }

    /**
     * The broker: the configuration's settings, and the {@link Transport} bean if there is one (else the one
     * esper-redis provides when the configuration names a Redis, else none: this node alone).
     *
     * @param config the configuration
     * @param transport the transport bean, if any
     * @param resourceLoader the context, whose class loader finds the transport esper-redis provides
     * @return the started broker
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Broker esperBroker(EsperConfig config, ObjectProvider<Transport> transport, ResourceLoader resourceLoader) {
        Broker.Builder b = Broker.builder().config(config);
        Optional<Transport> t = Optional.ofNullable(transport.getIfAvailable());
        if (t.isEmpty()) {
            ClassLoader loader = resourceLoader.getClassLoader();
            try {
                t = TransportProvider.forConfig(config,
                        loader != null ? loader : EsperAutoConfiguration.class.getClassLoader());
            } catch (IllegalStateException e) {
                throw new InvalidEsperPropertyException(EsperProperties.propertyName(Setting.REDIS),
                        "esper.redis-url is set, but esper-redis is not on the class path: add the dependency"
                                + " dev.esper:esper-redis (or define a Transport bean, or unset esper.redis-url to run"
                                + " alone)", e);
            }
        }
        t.ifPresent(b::transport);
        return b.build();
    }

    /**
     * Closes the broker before the web server's graceful shutdown (see {@link BrokerLifecycle}).
     *
     * @param broker the broker bean
     * @return the lifecycle
     */
    @Bean
    BrokerLifecycle esperBrokerLifecycle(Broker broker) {
        return new BrokerLifecycle(broker);
    }

    /** The servlet, in a servlet web application. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    static class ServletConfiguration {
        /**
         * The esper servlet at {@code esper.path}: async-supported, loaded at start-up (so its log line says
         * which sides are open), serving the broker bean with the configuration and access policy beans.
         */
        @Bean
        @ConditionalOnMissingBean(value = EsperServlet.class, parameterizedContainer = ServletRegistrationBean.class)
        ServletRegistrationBean<EsperServlet> esperServletRegistration(Broker broker, EsperConfig config,
                AccessPolicy policy, Environment environment) {
            ServletRegistrationBean<EsperServlet> registration = new ServletRegistrationBean<>(
                    new EsperServlet(broker, config, policy), EsperProperties.path(environment));
            registration.setName("esper");
            registration.setAsyncSupported(true);
            registration.setLoadOnStartup(1);
            return registration;
        }
    }

    /** Tomcat's connection cap raised for the streams, when the application runs on Tomcat. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory")
    static class TomcatConfiguration {
        /** See {@link TomcatStreamsCustomizer}; define a bean of this name to replace it. */
        @Bean
        @ConditionalOnMissingBean(name = "esperTomcatStreamsCustomizer")
        TomcatStreamsCustomizer esperTomcatStreamsCustomizer(EsperConfig config, Environment environment) {
            return new TomcatStreamsCustomizer(config, environment);
        }
    }

    /** Says once, at start-up, that there is no servlet to serve, when the application has no servlet web server. */
    @Configuration(proxyBeanMethods = false)
    @Conditional(NotServletWebApplication.class)
    static class NoServletConfiguration {
        @Bean
        SmartInitializingSingleton esperNoServletNotice() {
            return () -> LOG.log(Level.INFO, "esper: not a servlet web application, so esper's HTTP API is not"
                    + " served; the Broker bean publishes in-process (and to other nodes with esper.redis-url). To"
                    + " serve it, add a servlet web server (spring-boot-starter-webmvc, or spring-boot-starter-tomcat"
                    + " or spring-boot-starter-jetty).");
        }
    }

    /** Matches when the application is not a servlet web application (none, or reactive). */
    static final class NotServletWebApplication extends NoneNestedConditions {
        NotServletWebApplication() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
        static final class Servlet {
        }
    }

    /** The Redis transport, when esper-redis is on the class path and {@code esper.redis-url} is set. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "dev.esper.redis.RedisTransport")
    @Conditional(RedisUrlCondition.class)
    static class RedisConfiguration {
        /**
         * The transport to the Redis of the configuration, retaining what the broker retains. Not closed by
         * the context: the broker that uses it closes it.
         */
        @Bean(destroyMethod = "")
        @ConditionalOnMissingBean
        Transport esperTransport(EsperConfig config) {
            String uri = config.redis().orElseThrow(() -> new InvalidEsperPropertyException("esper.redis-url",
                    "esper.redis-url is set, but the EsperConfig bean names no Redis: set it there too", null));
            return RedisTransport.builder(uri).config(config).build();
        }
    }
}
