package dev.esper.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC 3: HMAC secrets, their minimum length and the algorithms they allow (RFC 7518 §3.2). */
class SecretTest {

    @Test
    void refusesASecretShorterThan32BytesWithoutPrintingIt() {
        String value = "0123456789abcdefghijklmnopqrstu"; // 31 bytes
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> Secret.of("ESPER_PUBLISHER_SECRET", value));
        assertThat(e).isNotNull();
        assertThat(e.getMessage()).contains("ESPER_PUBLISHER_SECRET").contains("32").contains("31 bytes")
                .doesNotContain(value).doesNotContain("0123456789").doesNotContain("mnopqrstu");
    }

    @Test
    void refusesAnEmptySecret() {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> Secret.of("ESPER_SUBSCRIBER_SECRET", ""));
        assertThat(e.getMessage()).contains("ESPER_SUBSCRIBER_SECRET").contains("0 bytes");
    }

    @Test
    void accepts32Bytes() {
        Secret secret = Secret.of("s", "a".repeat(32));
        assertThat(secret.length()).isEqualTo(32);
    }

    @Test
    void countsUtf8BytesNotCharacters() {
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> Secret.of("s", "\u00e9".repeat(15))); // 15 characters, 30 bytes
        assertThat(e.getMessage()).contains("30 bytes").doesNotContain("\u00e9");
        Secret secret = Secret.of("s", "\u00e9".repeat(16)); // 16 characters, 32 bytes
        assertThat(secret.length()).isEqualTo(32);
        assertThat(secret.bytes()).isEqualTo("\u00e9".repeat(16).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void hs256IsAllowedForEverySecret() {
        assertThat(Secret.of("s", "a".repeat(32)).allows("HS256")).isTrue();
        assertThat(Secret.of("s", "a".repeat(100)).allows("HS256")).isTrue();
    }

    @Test
    void hs384NeedsAtLeast48Bytes() {
        assertThat(Secret.of("s", "a".repeat(32)).allows("HS384")).isFalse();
        assertThat(Secret.of("s", "a".repeat(47)).allows("HS384")).isFalse();
        assertThat(Secret.of("s", "a".repeat(48)).allows("HS384")).isTrue();
        assertThat(Secret.of("s", "a".repeat(64)).allows("HS384")).isTrue();
    }

    @Test
    void hs512NeedsAtLeast64Bytes() {
        assertThat(Secret.of("s", "a".repeat(48)).allows("HS512")).isFalse();
        assertThat(Secret.of("s", "a".repeat(63)).allows("HS512")).isFalse();
        assertThat(Secret.of("s", "a".repeat(64)).allows("HS512")).isTrue();
    }

    @ParameterizedTest(name = "refuses alg {0}")
    @NullSource
    @ValueSource(strings = {"none", "None", "NONE", "nOnE", "", "RS256", "RS384", "RS512", "PS256", "ES256",
        "ES384", "ES512", "EdDSA", "Ed25519", "hs256", "HS256 ", "HS1024", "dir", "A256GCMKW"})
    void refusesEveryOtherAlgorithm(String alg) {
        assertThat(Secret.of("s", "a".repeat(64)).allows(alg)).isFalse();
    }

    @Test
    void toStringHidesTheValue() {
        String value = "super-secret-value-that-is-long-enough";
        Secret secret = Secret.of("s", value);
        assertThat(secret.toString()).doesNotContain(value).doesNotContain("super").contains(
                String.valueOf(value.length()));
    }

    @Test
    void bytesAreACopy() {
        Secret secret = Secret.of("s", "a".repeat(32));
        byte[] bytes = secret.bytes();
        bytes[0] = 'X';
        assertThat(secret.bytes()[0]).isEqualTo((byte) 'a');
    }

    @Test
    void secretsWithTheSameBytesAreEqual() {
        Secret a = Secret.of("a", "x".repeat(40));
        Secret b = Secret.of("b", "x".repeat(40));
        Secret c = Secret.of("c", "y".repeat(40));
        assertThat(a.sameAs(b)).isTrue();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
        assertThat(a.sameAs(c)).isFalse();
        assertThat(a.sameAs(null)).isFalse();
    }
}
