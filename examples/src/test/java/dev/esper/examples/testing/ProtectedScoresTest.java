package dev.esper.examples.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.config.EsperConfig;
import dev.esper.testing.EsperExtension;
import dev.esper.testing.SseTestClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** esper with both sides protected: the helpers sign their own tokens, and hand out tokens for the rest. */
class ProtectedScoresTest {
    private static final String SUBSCRIBER_SECRET = "a subscriber secret, at least 32 bytes long";
    private static final String PUBLISHER_SECRET = "a publisher secret, at least 32 bytes long";

    // snippet:with-settings
    @RegisterExtension
    static EsperExtension esper = EsperExtension.with(EsperConfig.builder()
            .subscriberSecret(SUBSCRIBER_SECRET).publisherSecret(PUBLISHER_SECRET).historySize(5));
    // end-snippet:with-settings

    @Test
    void theHelpersSignTheirOwnTokens() {
        SseTestClient scores = esper.subscribe("match2026final");
        esper.publish("match2026final", "data: kick-off");

        assertThat(scores.awaitEvent(Duration.ofSeconds(5)).data()).isEqualTo("kick-off");
    }

    @Test
    void aRequestOfYourOwnNeedsTheTokenTheExtensionGives() {
        String topic = "match2026final";
        try (SseTestClient without = SseTestClient.connect(esper.baseUri().resolve("subscribe/" + topic), Map.of(),
                Duration.ofSeconds(5));
                SseTestClient with = SseTestClient.connect(esper.baseUri().resolve("subscribe/" + topic),
                        Map.of("Authorization", "Bearer " + esper.subscriberToken(topic)), Duration.ofSeconds(5))) {
            assertThat(without.status()).isEqualTo(401);
            assertThat(with.status()).isEqualTo(200);
        }
    }
}
