package dev.esper.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.config.EsperConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link EsperExtension#withKeyPair}: esper keyed by a JWK Set the extension serves, tokens signed as a provider's. */
class KeyPairExtensionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @RegisterExtension
    static EsperExtension esper = EsperExtension.withKeyPair(KeyPairType.RSA, EsperConfig.builder()
            .jwtIssuer("https://idp.example.com/realms/app").jwtAudience("esper"));

    @Test
    void theHelpersSignWithTheKeyPairAndEsperVerifiesWithTheServedSet() {
        SseTestClient events = esper.subscribe("scores2026");

        esper.publish("scores2026", "data: goal");

        assertThat(events.awaitEvent(TIMEOUT).data()).isEqualTo("goal");
        assertThat(esper.server().stats()).contains("\"keys\":\"jwks\"").contains("\"source\":\"JWK Set "
                + esper.jwksUri() + "\"");
    }

    @Test
    void theJwkSetIsServedOnLoopbackAndHoldsOnlyThePublicKey() throws Exception {
        URI jwks = esper.jwksUri();
        HttpResponse<String> set = HttpClient.newHttpClient().send(HttpRequest.newBuilder(jwks).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(jwks.getHost()).isEqualTo("127.0.0.1");
        assertThat(set.statusCode()).isEqualTo(200);
        assertThat(set.body()).startsWith("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"esper-test-").contains("\"n\":")
                .doesNotContain("\"d\":").doesNotContain("\"p\":");
    }

    @Test
    void aGrantTokenOpensEveryTopicItListsAndNoOther() {
        String grant = esper.subscriberToken(List.of("scores2026", "news12345"));

        try (SseTestClient ok = SseTestClient.connect(esper.baseUri().resolve("subscribe/news12345"),
                Map.of("Authorization", "Bearer " + grant), TIMEOUT);
                SseTestClient refused = SseTestClient.connect(esper.baseUri().resolve("subscribe/weather123"),
                        Map.of("Authorization", "Bearer " + grant), TIMEOUT);
                SseTestClient cookie = SseTestClient.connect(esper.baseUri().resolve("subscribe/scores2026"),
                        Map.of("Cookie", "esper_token=" + grant), TIMEOUT)) {
            assertThat(ok.status()).isEqualTo(200);
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.body()).contains("weather123");
            assertThat(cookie.status()).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(KeyPairType.class)
    void aPlainServerPlaysTheProviderWithEitherKindOfKeyAndKeepsAGivenSecret(KeyPairType type) {
        try (EsperTestServer server = EsperTestServer.startWithKeyPair(type, EsperConfig.builder()
                .publisherSecret("publisher-secret-0123456789abcdefgh"))) {
            SseTestClient events = server.subscribe("abcdef123");
            server.publish("abcdef123", "data: signed");

            assertThat(events.awaitEvent(TIMEOUT).data()).isEqualTo("signed");
            assertThat(server.config().subscriberJwks()).contains(server.jwksUri().toString());
            assertThat(server.config().publisherJwks()).isEmpty();
            assertThat(server.subscriberToken("abcdef123").split("\\.")).hasSize(3);
        }
    }

    @Test
    void aServerWithoutAKeyPairHasNoJwkSetAndSaysSo() {
        try (EsperTestServer server = EsperTestServer.start(EsperConfig.builder())) {
            assertThatThrownBy(server::jwksUri).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("startWithKeyPair");
        }
    }
}
