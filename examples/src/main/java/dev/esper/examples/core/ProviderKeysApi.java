package dev.esper.examples.core;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Secret;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.http.HttpApi;
import dev.esper.jwt.JwtVerifier;
import java.net.URI;

/**
 * esper's HTTP API whose subscribers bring tokens from an identity provider (verified with the provider's JWK Set)
 * and whose publisher, a backend, signs its own with a secret: for a front end of your own, as {@link ProtectedApi}.
 */
public final class ProviderKeysApi {
    private ProviderKeysApi() {
    }

    /**
     * Makes the API, once, for a broker; fetches the provider's JWK Set now.
     *
     * @param broker the broker the API publishes to and subscribes at; not null
     * @param config the largest body, the CORS origins, the token cookie; not null
     * @param jwks the provider's JWK Set, e.g. {@code https://sso.example.com/realms/app/protocol/openid-connect/certs}
     * @param issuer the provider's {@code iss}, e.g. {@code https://sso.example.com/realms/app}
     * @param publisherSecret HMAC secret for publish and stats tokens, at least 32 bytes; not null
     * @return the API, thread-safe
     * @throws IllegalStateException if the JWK Set cannot be fetched
     */
    public static HttpApi create(Broker broker, EsperConfig config, URI jwks, String issuer, String publisherSecret) {
        // snippet:provider-keys
        AccessPolicy policy = AccessPolicy.builder()
                .protect(Side.SUBSCRIBER, JwtVerifier.jwks(jwks)          // the provider's jwks_uri
                        .issuer(issuer)                                 // tokens' iss must equal it
                        .audience("esper")                              // tokens' aud must hold it
                        .build())                                       // fetches the set; throws if it cannot
                .protect(Side.PUBLISHER, JwtVerifier.hmac(Secret.of("ESPER_PUBLISHER_SECRET", publisherSecret)))
                .build();
        // end-snippet:provider-keys
        return HttpApi.create(broker, config, policy);
    }
}
