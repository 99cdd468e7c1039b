package dev.esper.redis;

import dev.esper.broker.Transport;
import dev.esper.broker.TransportProvider;
import dev.esper.config.EsperConfig;

/**
 * Makes a {@link RedisTransport} for a configuration's {@link EsperConfig#redis()}; registered for
 * {@link java.util.ServiceLoader}, so that the servlet joins nodes when esper-redis is on its class path.
 * Stateless and thread-safe.
 */
public final class RedisTransportProvider implements TransportProvider {
    /** For {@link java.util.ServiceLoader}. */
    public RedisTransportProvider() {
    }

    /**
     * A transport on the configuration's Redis, retaining what its broker retains.
     *
     * @throws IllegalArgumentException if the configuration names no Redis, or a bad URI
     */
    @Override
    public Transport create(EsperConfig config) {
        String uri = config.redis().orElseThrow(() -> new IllegalArgumentException("redis is not set"));
        return RedisTransport.builder(uri).config(config).build();
    }
}
