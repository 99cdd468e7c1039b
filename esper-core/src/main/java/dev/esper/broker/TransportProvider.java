package dev.esper.broker;

import dev.esper.config.EsperConfig;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Makes the cross-node {@link Transport} a configuration asks for with {@link EsperConfig#redis()}, so that a
 * front end can join nodes without depending on the module that implements it. esper-redis registers one
 * in {@code META-INF/services/dev.esper.broker.TransportProvider}.
 *
 * <p>Implementations are stateless and thread-safe, with a public no-argument constructor.
 */
public interface TransportProvider {
    /**
     * Makes a transport (not yet started: the broker starts it) that retains what the configuration's
     * broker retains ({@link EsperConfig#historySize()}, {@link EsperConfig#historyTtl()}).
     *
     * @param config the configuration, with {@link EsperConfig#redis()} present; not null
     * @return the transport
     * @throws IllegalArgumentException if the configuration cannot make one
     */
    Transport create(EsperConfig config);

    /**
     * The transport for {@code config}: none when it names no Redis, else one made by the first provider on
     * the class path.
     *
     * @param config the configuration; not null
     * @param loader where to look for providers
     * @return the transport, or empty when the configuration runs alone
     * @throws IllegalStateException if a Redis is configured and no provider is on the class path (the
     *     message says to add esper-redis)
     */
    static Optional<Transport> forConfig(EsperConfig config, ClassLoader loader) {
        if (config.redis().isEmpty()) {
            return Optional.empty();
        }
        TransportProvider provider = ServiceLoader.load(TransportProvider.class, loader).findFirst()
                .orElseThrow(() -> new IllegalStateException("redis is set, but no transport for it is on the class path: add the "
                + "dev.esper:esper-redis dependency (or leave redis unset to run alone)"));
        return Optional.of(provider.create(config));
    }
}
