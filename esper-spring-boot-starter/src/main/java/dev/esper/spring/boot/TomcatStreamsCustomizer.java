package dev.esper.spring.boot;

import dev.esper.config.EsperConfig;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;
import org.springframework.core.env.Environment;

/**
 * Room for esper's streams on Tomcat: Tomcat accepts at most 8,192 connections unless told otherwise (Spring
 * Boot's {@code server.tomcat.max-connections} defaults to that too), so the streams past it would wait unaccepted
 * until their clients gave up. This raises Tomcat's cap to esper's {@code max-subscribers} plus 10% (at least
 * 64 more) for the application's other requests, unless the application sets {@code server.tomcat.max-connections}
 * itself, which then wins. It runs last, after Spring Boot's own settings. Tomcat's per-connection buffers are left
 * as they are: they serve the application's other requests too (docs/servlet.md says how to shrink them for very
 * many streams). The open-files limit still applies: see docs/servlet.md.
 */
final class TomcatStreamsCustomizer implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {
    static final String MAX_CONNECTIONS_PROPERTY = "server.tomcat.max-connections";

    private final EsperConfig config;
    private final Environment environment;

    TomcatStreamsCustomizer(EsperConfig config, Environment environment) {
        this.config = config;
        this.environment = environment;
    }

    /** The connection cap for esper's subscriber limit: that many streams and room for other requests. */
    static int connectionsFor(int maxSubscribers) {
        long cap = (long) maxSubscribers + Math.max(64, maxSubscribers / 10);
        return (int) Math.min(Integer.MAX_VALUE, cap);
    }

    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        if (environment.containsProperty(MAX_CONNECTIONS_PROPERTY)) {
            return;
        }
        int cap = connectionsFor(config.maxSubscribers());
        factory.addConnectorCustomizers(connector -> connector.setProperty("maxConnections", Integer.toString(cap)));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
