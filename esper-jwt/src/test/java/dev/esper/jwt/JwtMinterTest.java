package dev.esper.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.AuthenticationException;
import dev.esper.auth.Claims;
import dev.esper.auth.Secret;
import dev.esper.auth.Side;
import dev.esper.topic.TopicId;
import dev.esper.testsupport.SigningKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JwtMinter}: the tokens it makes are the ones esper accepts, for the topic and time they say. */
class JwtMinterTest {
    private static final Secret SECRET = Secret.of("ESPER_SUBSCRIBER_SECRET", "subscriber-secret-0123456789abcdef");
    private static final TopicId TOPIC = TopicId.of("ABCdef123");

    @Test
    void aMintedTokenVerifiesWithTheSameSecretAndNamesTheCanonicalTopic() {
        String token = JwtMinter.hmac(SECRET).mint(TOPIC, Duration.ofMinutes(5));
        Claims claims = JwtVerifier.hmac(SECRET).verify(token);
        assertThat(claims.get("sub")).isEqualTo("abcdef123");
    }

    @Test
    void theTokenIsHs256WithIssuedAtAndAnExpiryTheTtlLaterAsJsonNumbers() {
        Instant now = Instant.parse("2030-01-01T00:00:00.750Z");
        String token = JwtMinter.hmac(SECRET, () -> now).mint(TOPIC, Duration.ofSeconds(90));
        String[] parts = token.split("\\.");
        String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(header).contains("\"alg\":\"HS256\"");
        assertThat(payload).contains("\"sub\":\"abcdef123\"")
                .contains("\"iat\":" + now.getEpochSecond())
                .contains("\"exp\":" + (now.getEpochSecond() + 90));
    }

    @Test
    void aTokenSignedWithAnotherSecretIsRefused() {
        Secret other = Secret.of("ESPER_PUBLISHER_SECRET", "publisher-secret-0123456789abcdef!");
        String token = JwtMinter.hmac(other).mint(TOPIC, Duration.ofMinutes(5));
        assertThatThrownBy(() -> JwtVerifier.hmac(SECRET).verify(token)).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void aMintedTokenPassesTheSubscribeRulesUntilItExpires() {
        AccessPolicy policy = AccessPolicy.builder().protect(Side.SUBSCRIBER, JwtVerifier.hmac(SECRET))
                .open(Side.PUBLISHER).build();
        policy.checkSubscribe(TOPIC, JwtMinter.hmac(SECRET).mint(TOPIC, Duration.ofHours(1)));
        Instant past = Instant.now().minus(Duration.ofHours(2));
        String expired = JwtMinter.hmac(SECRET, () -> past).mint(TOPIC, Duration.ofHours(1));
        assertThatThrownBy(() -> policy.checkSubscribe(TOPIC, expired)).isInstanceOf(AuthenticationException.class);
    }

    @Test
    void aTtlOutsideOneSecondToAYearIsRefusedNamingTheRange() {
        JwtMinter minter = JwtMinter.hmac(SECRET);
        assertThatThrownBy(() -> minter.mint(TOPIC, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("token ttl must be from 1 second to 366 days, was 0 s");
        assertThatThrownBy(() -> minter.mint(TOPIC, Duration.ofDays(367)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPrivateKeyMinterSignsWithTheAlgorithmOfItsKeyAndNamesItsKid(@TempDir Path dir) throws Exception {
        for (SigningKey key : List.of(SigningKey.rsa("r"), SigningKey.ec("e", "P-384"), SigningKey.ed25519("d"))) {
            JwtVerifier verifier = JwtVerifier.keyFile(Files.writeString(dir.resolve(key.kid() + ".json"),
                    SigningKey.jwkSet(key))).build();

            String token = JwtMinter.privateKey(key.privateKey(), key.kid()).mint(TOPIC, Duration.ofMinutes(1));

            assertThat(verifier.verify(token).get("sub")).isEqualTo("abcdef123");
            assertThat(new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]), StandardCharsets.UTF_8))
                    .contains("\"kid\":\"" + key.kid() + "\"");
        }
        assertThatThrownBy(() -> JwtMinter.privateKey(java.security.KeyPairGenerator.getInstance("DSA")
                .generateKeyPair().getPrivate(), "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aGrantNamesItsTopicsOrEveryTopicAndPassesTheGrantRule() {
        AccessPolicy policy = AccessPolicy.builder().protect(Side.SUBSCRIBER, JwtVerifier.hmac(SECRET))
                .open(Side.PUBLISHER).build();
        JwtMinter minter = JwtMinter.hmac(SECRET);
        String two = minter.mintGrant(List.of(TOPIC, TopicId.of("scores2026")), Duration.ofMinutes(1));
        String all = minter.mintAllTopics(Duration.ofMinutes(1));

        assertThat(JwtVerifier.hmac(SECRET).verify(two).get("topics")).isEqualTo(List.of("abcdef123", "scores2026"));
        assertThat(JwtVerifier.hmac(SECRET).verify(two).has("sub")).isFalse();
        policy.checkSubscribe(List.of(TopicId.of("scores2026"), TOPIC), two);
        assertThatThrownBy(() -> policy.checkSubscribe(TopicId.of("othertopic"), two))
                .hasMessage("token does not grant topic 'othertopic'");
        policy.checkSubscribe(TopicId.of("othertopic"), all);
        assertThatThrownBy(() -> minter.mintGrant(List.of(), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anIssuerAndAudienceGoIntoTheTokenAndPassTheChecks() {
        String token = JwtMinter.hmac(SECRET).withIssuer("backend").withAudience("esper").mint(TOPIC,
                Duration.ofMinutes(1));

        Claims claims = JwtVerifier.secret(SECRET).issuer("backend").audience("esper").build().verify(token);

        assertThat(claims.get("iss")).isEqualTo("backend");
        assertThat(claims.get("aud")).isIn("esper", List.of("esper"));
    }
}
