package dev.esper.examples.metrics;

// snippet:micrometer
import dev.esper.broker.Broker;
import dev.esper.broker.Health;
import dev.esper.micrometer.EsperMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** esper's meters in the registry an app already exports (here Prometheus), and its readiness. */
public final class BrokerMetrics {
    private BrokerMetrics() {
    }

    /** Prints the scrape and the readiness of a broker. */
    public static void main(String[] args) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        try (Broker broker = Broker.builder().build();
                EsperMetrics metrics = new EsperMetrics(broker)) {
            metrics.bindTo(registry);                  // esper_subscribers, esper_published_events_total, ...

            Health ready = broker.health();            // UP, or DOWN with a reason (Redis lost, shutting down)
            System.out.println(registry.scrape());
            System.out.println("ready: " + ready.isUp() + (ready.isUp() ? "" : " (" + ready.reason() + ")"));
        }
    }
}
// end-snippet:micrometer
