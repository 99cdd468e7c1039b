package dev.esper.examples.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.auth.AccessDeniedException;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.http.HttpApi;
import dev.esper.testing.EsperTestServer;
import dev.esper.testing.KeyPairType;
import dev.esper.topic.TopicId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ProviderKeysApi} against a key pair and JWK Set that a test server serves like an identity provider. */
class ProviderKeysApiTest {
    private static final String ISSUER = "https://sso.example.com/realms/app";

    @Test
    void subscribersNeedTheProvidersTokensAndPublishersTheSecret() {
        try (EsperTestServer provider = EsperTestServer.startWithKeyPair(KeyPairType.EC, EsperConfig.builder()
                .jwtIssuer(ISSUER).jwtAudience("esper"));
                Broker broker = Broker.builder().build()) {
            HttpApi api = ProviderKeysApi.create(broker, EsperConfig.defaults(), provider.jwksUri(), ISSUER,
                    "a publisher secret, at least 32 bytes long");
            String grant = provider.subscriberToken(List.of("match2026final", "match2026semi"));

            api.accessPolicy().checkSubscribe(List.of(TopicId.of("match2026semi"), TopicId.of("match2026final")),
                    grant);
            assertThatThrownBy(() -> api.accessPolicy().checkSubscribe(TopicId.of("match2026other"), grant))
                    .isInstanceOf(AccessDeniedException.class);
            assertThat(api.accessPolicy().verifier(Side.SUBSCRIBER).orElseThrow().status())
                    .containsEntry("keys", "jwks").containsEntry("loaded", 1);
        }
    }
}
