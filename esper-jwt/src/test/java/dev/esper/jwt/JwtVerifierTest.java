package dev.esper.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.AuthenticationException;
import dev.esper.auth.Claims;
import dev.esper.auth.Secret;
import dev.esper.auth.Side;
import dev.esper.config.EsperConfig;
import dev.esper.topic.TopicId;
import dev.esper.testsupport.Tokens;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link JwtVerifier} on its own: what it returns and how it refuses. */
class JwtVerifierTest {
    private static final String SECRET = Tokens.SUBSCRIBER_SECRET;
    private final JwtVerifier verifier = JwtVerifier.hmac(Secret.of("secret", SECRET));

    @Test
    void returnsTheClaimsAsRawJsonTypes() {
        Claims claims = verifier.verify(Tokens.hmac("HS256", SECRET,
                "{\"sub\":\"abcdef123\",\"exp\":\"1795977266\",\"nbf\":12.5,\"n\":null}"));

        assertThat(claims.get("exp")).isEqualTo("1795977266");
        assertThat(claims.get("nbf")).isInstanceOf(Number.class);
        assertThat(claims.has("n")).isTrue();
        assertThat(claims.get("sub")).isEqualTo("abcdef123");
    }

    @Test
    void handsOnAnExpiredTokenWhoseSignatureVerifiesSoThePolicyAppliesItsClockSkew() {
        Claims claims = verifier.verify(Tokens.hmac("HS256", SECRET, "{\"sub\":\"abcdef123\",\"exp\":1}"));

        assertThat(((Number) claims.get("exp")).longValue()).isEqualTo(1);
    }

    @Test
    void checksTheSignatureOfAnExpiredTokenToo() {
        String expiredWrongKey = Tokens.hmac("HS256", "another-secret-0123456789abcdefghij", "{\"exp\":1}");

        assertThatThrownBy(() -> verifier.verify(expiredWrongKey)).isInstanceOf(AuthenticationException.class)
                .hasMessageContaining("signature");
    }

    @Test
    void refusesAnAlgorithmTheSecretIsTooShortFor() {
        assertThatThrownBy(() -> verifier.verify(Tokens.hmac("HS384", SECRET, Tokens.claims("abcdef123"))))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("'HS384' is not accepted");
    }

    @Test
    void refusesEncryptedTokensByName() {
        assertThatThrownBy(() -> verifier.verify(Tokens.jwe(SECRET, "abcdef123")))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("JWE");
    }

    @Test
    void refusesASymmetricKeyEmbeddedInTheJwkHeaderAsMalformed() {
        // RFC 7515 4.1.3: 'jwk' is a public key; jjwt refuses a secret one. A public one is ignored.
        String token = Tokens.hmacWithHeader("{\"alg\":\"HS256\",\"jwk\":{\"kty\":\"oct\",\"k\":\"AAAA\"}}", "HS256",
                SECRET, Tokens.claims("abcdef123"));

        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void refusesHeadersItDoesNotUnderstand() {
        for (String header : new String[] {"{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", "{\"alg\":\"HS256\",\"zip\":\"DEF\"}",
                "{\"alg\":\"HS256\",\"b64\":false,\"crit\":[\"b64\"]}"}) {
            String token = Tokens.hmacWithHeader(header, "HS256", SECRET, Tokens.claims("abcdef123"));
            assertThatThrownBy(() -> verifier.verify(token)).as(header).isInstanceOf(AuthenticationException.class);
        }
    }

    @Test
    void neverPutsTheTokenInItsMessage() {
        String[] bad = {Tokens.unsecured("none", "abcdef123"), "x".repeat(40), "a.b.c", Tokens.hs256("wrong-secret-"
                + "0123456789abcdefghijk", "abcdef123"), Tokens.hmac("HS256", SECRET, "[1,2]"), "a".repeat(9000)};
        for (String token : bad) {
            assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(AuthenticationException.class)
                    .satisfies(e -> {
                        assertThat(e.getMessage()).doesNotContain(token);
                        for (String part : token.split("\\.")) {
                            if (part.length() > 8) {
                                assertThat(e.getMessage()).doesNotContain(part);
                            }
                        }
                    });
        }
    }

    @Test
    void toStringDoesNotShowTheSecret() {
        assertThat(verifier.toString()).doesNotContain(SECRET);
    }

    @Test
    void aConfigurationWithOneSecretProtectsThatSideOnlyWithItsClockSkew() {
        AccessPolicy policy = JwtVerifier.accessPolicy(EsperConfig.builder().publisherSecret(SECRET)
                .clockSkew(Duration.ofSeconds(7)).build());

        assertThat(policy.isProtected(Side.PUBLISHER)).isTrue();
        assertThat(policy.isProtected(Side.SUBSCRIBER)).isFalse();
        assertThat(policy.clockSkew()).isEqualTo(Duration.ofSeconds(7));
        policy.checkPublish(TopicId.of("abcdef123"), Tokens.hs256(SECRET, "abcdef123"));
    }

    @Test
    void noAuthOpensBothSidesWhateverSecretsAreSet() {
        AccessPolicy policy = JwtVerifier.accessPolicy(EsperConfig.builder().noAuth(true).subscriberSecret(SECRET)
                .publisherSecret(SECRET).build());

        assertThat(policy.isProtected(Side.SUBSCRIBER)).isFalse();
        assertThat(policy.isProtected(Side.PUBLISHER)).isFalse();
    }
}
