package dev.esper.standalone;

import dev.esper.broker.Broker;
import dev.esper.http.MetricsRenderer;
import dev.esper.micrometer.EsperMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.server.AbstractConnector;

/**
 * The standalone server's {@code GET /metrics} (SPEC 10): esper's meters ({@link EsperMetrics}), the JVM's
 * memory, GC, thread and class-loading metrics, the process's CPU, uptime and open files, and
 * {@code esper_connections} (open client connections), in one Prometheus registry, rendered in the Prometheus
 * text format, or OpenMetrics when the scrape's {@code Accept} asks for {@code application/openmetrics-text}.
 *
 * <p>Thread-safe: renders on the request's thread. {@link #close()} unhooks the GC listener and the broker's.
 */
final class PrometheusMetrics implements MetricsRenderer, AutoCloseable {
    /** The Prometheus text format's media type. */
    static final String TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /** OpenMetrics' media type. */
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final EsperMetrics esper;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    PrometheusMetrics(Broker broker, AbstractConnector connector) {
        esper = new EsperMetrics(broker);
        esper.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        Gauge.builder("esper.connections", connector, c -> c.getConnectedEndPoints().size())
                .description("Open client connections, each carrying HTTP/1.1 requests or HTTP/2 streams")
                .register(registry);
    }

    @Override
    public Rendered render(String accept) {
        String type = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS : TEXT;
        return new Rendered(type, registry.scrape(type));
    }

    @Override
    public void close() {
        esper.close();
        gc.close();
        registry.close();
    }
}
