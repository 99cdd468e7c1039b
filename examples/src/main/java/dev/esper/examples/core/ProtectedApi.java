package dev.esper.examples.core;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Secret;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.http.HttpApi;
import dev.esper.jwt.JwtVerifier;

/**
 * esper's HTTP API with both sides protected, for a front end of your own: every request of that server
 * goes to {@code api.handle(exchange)}, with an {@link dev.esper.http.Exchange} written for it.
 */
public final class ProtectedApi {
    private ProtectedApi() {
    }

    /**
     * Makes the API, once, for a broker.
     *
     * @param broker the broker the API publishes to and subscribes at; not null
     * @param config the largest body and the CORS origins; not null
     * @param subscriberSecret HMAC secret for subscribe tokens, at least 32 bytes; not null
     * @param publisherSecret HMAC secret for publish and stats tokens, at least 32 bytes; not null
     * @return the API, thread-safe
     */
    public static HttpApi create(Broker broker, EsperConfig config, String subscriberSecret, String publisherSecret) {
        // snippet:access-policy
        AccessPolicy policy = AccessPolicy.builder()
                .protect(Side.SUBSCRIBER, JwtVerifier.hmac(Secret.of("ESPER_SUBSCRIBER_SECRET", subscriberSecret)))
                .protect(Side.PUBLISHER, JwtVerifier.hmac(Secret.of("ESPER_PUBLISHER_SECRET", publisherSecret)))
                .build();                                   // or AccessPolicy.openToAll(), by name
        // end-snippet:access-policy
        return HttpApi.create(broker, config, policy);
    }
}
