package dev.esper.examples.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.config.EsperConfig;
import dev.esper.testing.EsperExtension;
import dev.esper.testing.KeyPairType;
import dev.esper.testing.SseTestClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** esper keyed like production by an identity provider's keys: here a key pair the extension serves itself. */
class ProviderTokensTest {
    // snippet:with-key-pair
    @RegisterExtension
    static EsperExtension esper = EsperExtension.withKeyPair(KeyPairType.RSA, EsperConfig.builder()
            .jwtIssuer("https://sso.example.com/realms/app").jwtAudience("esper").noQueryToken(true));
    // end-snippet:with-key-pair

    @Test
    void theHelpersSignLikeTheProvider() {
        SseTestClient scores = esper.subscribe("match2026final");
        esper.publish("match2026final", "data: kick-off");

        assertThat(scores.awaitEvent(Duration.ofSeconds(5)).data()).isEqualTo("kick-off");
    }

    @Test
    void aGrantOpensTheTopicsItListsFromTheCookie() {
        // snippet:grant
        String token = esper.subscriberToken(List.of("match2026final", "match2026semi"));
        try (SseTestClient semi = SseTestClient.connect(esper.baseUri().resolve("subscribe/match2026semi"),
                Map.of("Cookie", "esper_token=" + token), Duration.ofSeconds(5))) {
            assertThat(semi.status()).isEqualTo(200);
        }
        // end-snippet:grant
        try (SseTestClient other = SseTestClient.connect(esper.baseUri().resolve("subscribe/match2026other"),
                Map.of("Cookie", "esper_token=" + token), Duration.ofSeconds(5));
                SseTestClient inTheUrl = SseTestClient.connect(esper.baseUri().resolve("subscribe/match2026semi?token="
                        + token), Map.of(), Duration.ofSeconds(5))) {
            assertThat(other.status()).isEqualTo(403);
            assertThat(inTheUrl.status()).isEqualTo(401);
        }
    }
}
