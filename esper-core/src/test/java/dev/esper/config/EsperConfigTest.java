package dev.esper.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.broker.Broker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EsperConfigTest {
    private static final String SECRET = "a-secret-of-thirty-two-bytes-000";

    @Test
    void theDefaultsAreThoseOfTheSpec() {
        EsperConfig c = EsperConfig.defaults();

        assertThat(c.bind()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(3000);
        assertThat(c.threads()).isEqualTo(2);
        assertThat(c.noAuth()).isFalse();
        assertThat(c.historySize()).isEqualTo(100);
        assertThat(c.historyTtl()).isEqualTo(Duration.ofSeconds(300));
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(15));
        assertThat(c.maxBody()).isEqualTo(65536);
        assertThat(c.subscriberBuffer()).isEqualTo(1024 * 1024);
        assertThat(c.maxTopics()).isEqualTo(100_000);
        assertThat(c.maxSubscribers()).isEqualTo(100_000);
        assertThat(c.maxStreamTopics()).isEqualTo(32);
        assertThat(c.maxRetainedBytes()).isEqualTo(256L * 1024 * 1024);
        assertThat(c.corsOrigins()).containsExactly("*");
        assertThat(c.clockSkew()).isZero();
        assertThat(c.redis()).isEmpty();
        assertThat(c.subscriberSecret()).isEmpty();
        assertThat(c.publisherSecret()).isEmpty();
    }

    @ParameterizedTest(name = "{0}={1} is good")
    @CsvSource({"port,1", "port,65535", "threads,1", "threads,64", "history-size,0", "history-size,2147483647",
        "history-ttl,0", "history-ttl,2147483647", "heartbeat,0", "clock-skew,0", "max-body,1",
        "max-body,2147483646", "subscriber-buffer,1", "subscriber-buffer,4611686018427387903", "max-topics,1",
        "max-topics,2147483647", "max-subscribers,1", "max-stream-topics,1", "max-stream-topics,255", "max-retained-bytes,1", "no-auth,TRUE", "no-auth,false"})
    void acceptsEachRangeAtItsBounds(String name, String value) {
        EsperConfig.builder().set(name, value, "test").build();
    }

    @ParameterizedTest(name = "{0}={1} is bad")
    @CsvSource({"port,0", "port,65536", "threads,0", "threads,65", "history-size,-1", "history-size,2147483648",
        "history-ttl,-1", "history-ttl,2147483648", "heartbeat,-1", "clock-skew,-1", "max-body,0",
        "max-body,2147483647", "subscriber-buffer,0", "subscriber-buffer,4611686018427387904", "max-topics,0",
        "max-subscribers,0", "max-stream-topics,0", "max-stream-topics,256", "max-retained-bytes,0", "history-size,+3", "history-size,' 3'", "history-size,1.5",
        "history-size,''", "no-auth,yes"})
    void refusesEachRangeJustPastItsBounds(String name, String value) {
        assertThatThrownBy(() -> EsperConfig.builder().set(name, value, "test").build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining(Setting.byKey(name).orElseThrow().label())
                .hasMessageContaining("'" + value + "'");
    }

    @Test
    void namesTheEnvironmentVariableOfABadValue() {
        assertThatThrownBy(() -> EsperConfig.builder()
                .set("history-size", "-1", "environment variable ESPER_HISTORY_SIZE").build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("history size must be a whole number from 0 to 2147483647, was '-1' "
                        + "(environment variable ESPER_HISTORY_SIZE)")
                .satisfies(e -> {
                    InvalidConfigException ice = (InvalidConfigException) e;
                    assertThat(ice.setting()).isEqualTo(Setting.HISTORY_SIZE);
                    assertThat(ice.source()).isEqualTo("environment variable ESPER_HISTORY_SIZE");
                    assertThat(ice.problem()).startsWith("must be");
                });
    }

    @Test
    void aTypedValueIsCheckedByTheSameRule() {
        assertThatThrownBy(() -> EsperConfig.builder().historySize(-1).build())
                .hasMessage("history size must be a whole number from 0 to 2147483647, was '-1'");
        assertThatThrownBy(() -> EsperConfig.builder().heartbeat(Duration.ofSeconds(-2)).build())
                .hasMessageContaining("heartbeat must be a whole number of seconds").hasMessageContaining("'-2'");
    }

    @Test
    void aLaterValueReplacesAnEarlierOneAndItsSource() {
        EsperConfig c = EsperConfig.builder().set("history-size", "-1", "environment variable X").historySize(7)
                .build();

        assertThat(c.historySize()).isEqualTo(7);
    }

    @Test
    void readsEveryKindOfTextValue() {
        EsperConfig c = EsperConfig.builder()
                .set("bind", "localhost", "t").set("history-ttl", "60", "t").set("cors-origins",
                        "https://a.example, https://b.example", "t")
                .set("redis", "redis://127.0.0.1:6379/0", "t").set("subscriber-secret", SECRET, "t").build();

        assertThat(c.bind()).isEqualTo("localhost");
        assertThat(c.historyTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.corsOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(c.redis()).contains("redis://127.0.0.1:6379/0");
        assertThat(c.subscriberSecret()).isPresent();
        assertThat(c.publisherSecret()).isEmpty();
    }

    @Test
    void keepsSubSecondDurationsGivenByType() {
        assertThat(EsperConfig.builder().heartbeat(Duration.ofMillis(50)).build().heartbeat())
                .isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void corsOriginsAreAStarAloneOrAListOfOrigins() {
        assertThat(EsperConfig.builder().corsOrigins(List.of("https://a.example")).build().corsOrigins())
                .containsExactly("https://a.example");
        assertThatThrownBy(() -> EsperConfig.builder().set("cors-origins", "*,https://a.example", "--cors-origins")
                .build()).hasMessageContaining("cannot be combined").hasMessageContaining("(--cors-origins)");
        assertThatThrownBy(() -> EsperConfig.builder().corsOrigins(List.of()).build())
                .hasMessageContaining("at least one origin");
        assertThatThrownBy(() -> EsperConfig.builder().corsOrigins(List.of("https://a.example x")).build())
                .hasMessageContaining("cors origins must each be");
    }

    @Test
    void aShortSecretIsRefusedNamingItsSourceButNotItsValue() {
        assertThatThrownBy(() -> EsperConfig.builder()
                .set("publisher-secret", "too-short-secret", "environment variable ESPER_PUBLISHER_SECRET").build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("publisher secret must be at least 32 bytes, was 16 bytes "
                        + "(environment variable ESPER_PUBLISHER_SECRET)")
                .hasMessageNotContaining("too-short-secret");
    }

    @Test
    void noAuthIgnoresEvenShortSecrets() {
        EsperConfig c = EsperConfig.builder().noAuth(true).subscriberSecret("short").publisherSecret(SECRET).build();

        assertThat(c.subscriberSecret()).isEmpty();
        assertThat(c.publisherSecret()).isEmpty();
    }

    @Test
    void toStringShowsNeitherSecretsNorTheRedisPassword() {
        String s = EsperConfig.builder().subscriberSecret(SECRET).redis("redis://user:hunter2@redis.example:6379")
                .build().toString();

        assertThat(s).doesNotContain(SECRET).doesNotContain("hunter2").contains("Secret[32 bytes]")
                .contains("redis://***@redis.example:6379");
    }

    @Test
    void aBadRedisUriIsShownWithoutItsPassword() {
        assertThatThrownBy(() -> EsperConfig.builder().redis("http://user:hunter2@host").build())
                .hasMessageContaining("redis must be a URI").hasMessageNotContaining("hunter2");
    }

    @Test
    void aBadRedisUriNeverShowsItsPasswordWhateverItHolds() {
        for (String uri : List.of("redis://LEAKH@127.0.0.1:99999", "redis://:LEAKB/PW@127.0.0.1:6379",
                "redis://:A:LEAKC@127.0.0.1:99999", "redis://u:LE@AKD@127.0.0.1:0", "redis://:LEAKE@",
                "redis://:LEAKF@host:6379/x", "rediss://user:LEAKG@ho st:6379")) {
            assertThatThrownBy(() -> EsperConfig.builder().redis(uri).build()).as(uri)
                    .isInstanceOf(InvalidConfigException.class)
                    .hasMessageContaining("redis must be a URI")
                    .hasMessageNotContaining("LE").hasMessageNotContaining("AK");
        }
    }

    @Test
    void aRedisPortOutsideOneTo65535IsRefusedNamingTheRange() {
        assertThatThrownBy(() -> EsperConfig.builder().redis("redis://127.0.0.1:99999").build())
                .hasMessageContaining("the port must be from 1 to 65535");
        assertThat(EsperConfig.builder().redis("rediss://:p%2Fw@[::1]:6380/2").build().redis()).isPresent();
        assertThat(EsperConfig.builder().redis("redis://user:p%40ss@redis.example").build().redis()).isPresent();
    }

    @Test
    void tlsTakesTwoReadableFilesTogetherAndNotWithCleartextHttp2(@TempDir Path dir) throws Exception {
        Path cert = Files.writeString(dir.resolve("cert.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PRIVATE KEY-----\n");

        EsperConfig tls = EsperConfig.builder().tls(cert, key).build();
        assertThat(tls.tlsCert()).contains(cert);
        assertThat(tls.tlsKey()).contains(key);
        assertThat(EsperConfig.defaults().tlsCert()).isEmpty();
        assertThat(EsperConfig.defaults().h2c()).isFalse();
        assertThat(EsperConfig.defaults().shutdownDelay()).isZero();

        assertThatThrownBy(() -> EsperConfig.builder().set("tls-cert", cert.toString(), "--tls-cert").build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("tls cert needs --tls-key too: HTTPS takes the certificate chain and its private key "
                        + "(--tls-cert)");
        assertThatThrownBy(() -> EsperConfig.builder().set("tls-key", key.toString(), "ESPER_TLS_KEY").build())
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("tls key needs --tls-cert too");
        assertThatThrownBy(() -> EsperConfig.builder().tls(cert, dir.resolve("missing.pem")).build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("tls key must be the path of a readable file, was '" + dir.resolve("missing.pem")
                        + "', which does not exist");
        assertThatThrownBy(() -> EsperConfig.builder().tls(cert, dir).build())
                .isInstanceOf(InvalidConfigException.class).hasMessageEndingWith("which is not a regular file");
        assertThatThrownBy(() -> EsperConfig.builder().tls(cert, key).h2c(true).build())
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("h2c cannot be combined with --tls-cert");
        assertThat(EsperConfig.builder().h2c(true).build().h2c()).isTrue();
    }

    @Test
    void theShutdownDelayIsZeroToAnHourOfSeconds() {
        assertThat(EsperConfig.builder().set("shutdown-delay", "5", "t").build().shutdownDelay())
                .isEqualTo(Duration.ofSeconds(5));
        assertThatThrownBy(() -> EsperConfig.builder().set("shutdown-delay", "3601", "t").build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("shutdown delay must be a whole number of seconds from 0 to 3600, was '3601' (t)");
    }

    @Test
    void theWarmUpIsFiveSecondsByDefaultAndAtMostAMinute() {
        assertThat(EsperConfig.defaults().warmUp()).isEqualTo(Duration.ofSeconds(5));
        assertThat(EsperConfig.builder().set("warm-up", "0", "t").build().warmUp()).isEqualTo(Duration.ZERO);
        assertThatThrownBy(() -> EsperConfig.builder().set("warm-up", "61", "t").build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("warm up must be a whole number of seconds from 0 to 60, was '61' (t)");
    }

    @Test
    void anUnknownSettingNameIsRefusedAtOnce() {
        assertThatThrownBy(() -> EsperConfig.builder().set("history", "1", "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown setting 'history'");
    }

    @Test
    void everySettingHasAFlagAVariableAndAnInitParameterDerivedFromItsName() {
        for (Setting s : Setting.values()) {
            assertThat(Setting.byKey(s.key())).contains(s);
            assertThat(s.flag()).isEqualTo("--" + s.key());
            assertThat(s.environmentVariable()).matches("ESPER_[A-Z][A-Z0-9_]*");
            assertThat(s.initParameter()).matches("[a-z][A-Za-z0-9]+").doesNotContain("-");
            assertThat(s.description()).isNotBlank();
            assertThat(s.onCommandLine()).as(s.key()).isEqualTo(!s.isSecret());
        }
        assertThat(Setting.HISTORY_SIZE.environmentVariable()).isEqualTo("ESPER_HISTORY_SIZE");
        assertThat(Setting.MAX_RETAINED_BYTES.initParameter()).isEqualTo("maxRetainedBytes");
        assertThat(Setting.REDIS.environmentVariables()).containsExactly("ESPER_REDIS_URL", "ESPER_REDIS");
    }

    @Test
    void readsRedisFromEitherOfItsVariablesAndRefusesTwoDifferentValues() {
        assertThat(Setting.REDIS.variableSetIn(Map.of("ESPER_REDIS", "redis://a:1")::get)).contains("ESPER_REDIS");
        assertThat(Setting.REDIS.variableSetIn(Map.of("ESPER_REDIS_URL", "redis://a:1", "ESPER_REDIS",
                "redis://a:1")::get)).contains("ESPER_REDIS_URL");
        assertThat(Setting.REDIS.variableSetIn(Map.of("ESPER_REDIS", "")::get)).isEmpty();
        assertThatThrownBy(() -> Setting.REDIS.variableSetIn(Map.of("ESPER_REDIS_URL", "redis://:pw1@a:1",
                "ESPER_REDIS", "redis://:pw2@b:1")::get))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("ESPER_REDIS_URL and ESPER_REDIS").hasMessageNotContaining("pw1")
                .hasMessageNotContaining("pw2");
    }

    @Test
    void theBrokerBuilderChecksItsValuesWithTheSameRules() {
        assertThatThrownBy(() -> Broker.builder().maxTopics(0).build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("max topics must be a whole number from 1 to 2147483647, was '0'");
        try (Broker broker = Broker.builder().config(EsperConfig.builder().historySize(0).threads(1).build())
                .build()) {
            assertThat(broker.isClosed()).isFalse();
        }
    }

    // ---- SPEC 9.2, 9.3: public keys, iss/aud, the token cookie, no-query-token -------------------

    @Test
    void theTokenSettingsDefaultToNoKeysNoClaimChecksTheEsperTokenCookieAndQueryTokensAllowed() {
        EsperConfig c = EsperConfig.defaults();

        assertThat(c.subscriberJwks()).isEmpty();
        assertThat(c.publisherJwks()).isEmpty();
        assertThat(c.jwtIssuer()).isEmpty();
        assertThat(c.jwtAudience()).isEmpty();
        assertThat(c.tokenCookie()).isEqualTo("esper_token");
        assertThat(c.noQueryToken()).isFalse();
    }

    @Test
    void readsKeySourcesIssuerAudienceCookieAndNoQueryToken(@TempDir Path dir) throws IOException {
        Path pem = Files.writeString(dir.resolve("key.pem"), "-----BEGIN PUBLIC KEY-----\n");
        EsperConfig c = EsperConfig.builder()
                .set("subscriber-jwks", "https://idp.example.com/realms/app/protocol/openid-connect/certs", "t")
                .set("publisher-jwks", pem.toString(), "t")
                .set("jwt-issuer", "https://idp.example.com/realms/app", "t").set("jwt-audience", "esper", "t")
                .set("token-cookie", "__Host-sse", "t").set("no-query-token", "true", "t").build();

        assertThat(c.subscriberJwks()).contains("https://idp.example.com/realms/app/protocol/openid-connect/certs");
        assertThat(c.publisherJwks()).contains(pem.toString());
        assertThat(c.jwtIssuer()).contains("https://idp.example.com/realms/app");
        assertThat(c.jwtAudience()).contains("esper");
        assertThat(c.tokenCookie()).isEqualTo("__Host-sse");
        assertThat(c.noQueryToken()).isTrue();
        assertThat(Setting.SUBSCRIBER_JWKS.environmentVariable()).isEqualTo("ESPER_SUBSCRIBER_JWKS");
        assertThat(Setting.NO_QUERY_TOKEN.initParameter()).isEqualTo("noQueryToken");
        assertThat(Setting.JWT_AUDIENCE.flag()).isEqualTo("--jwt-audience");
    }

    @ParameterizedTest(name = "subscriber-jwks={0} is bad")
    @ValueSource(strings = {"ftp://idp.example.com/jwks", "https://", "https:///jwks.json", "https://a b/jwks",
        "https://idp.example.com/jwks#x", "file:///etc/jwks.json", "/no/such/file.json", " "})
    void refusesAKeySourceThatIsNeitherAnHttpUrlNorAReadableFile(String value) {
        assertThatThrownBy(() -> EsperConfig.builder().set("subscriber-jwks", value, "--subscriber-jwks").build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("subscriber jwks must be an https:// or http:// URL of a JWK Set, or the path "
                        + "of a JWK Set or PEM public key file, was '")
                .hasMessageEndingWith("(--subscriber-jwks)");
    }

    @Test
    void aKeySourceUrlShowsNoPassword() {
        assertThatThrownBy(() -> EsperConfig.builder().subscriberJwks("ftp://user:pw@idp.example.com/jwks").build())
                .hasMessageContaining("***@idp.example.com").hasMessageNotContaining("pw");
        assertThat(EsperConfig.builder().subscriberJwks("https://user:pw@idp.example.com/jwks").build().toString())
                .contains("subscriberJwks=https://***@idp.example.com/jwks").doesNotContain("pw");
    }

    @Test
    void aSideKeyedByASecretAndPublicKeysIsRefusedNamingBothAndShowingNeither() {
        assertThatThrownBy(() -> EsperConfig.builder()
                .set("subscriber-secret", SECRET, "environment variable ESPER_SUBSCRIBER_SECRET")
                .set("subscriber-jwks", "https://idp.example.com/jwks", "--subscriber-jwks").build())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("subscriber jwks (--subscriber-jwks) and subscriber secret (environment variable "
                        + "ESPER_SUBSCRIBER_SECRET) are both set: a side is keyed by an HMAC secret or by public keys, "
                        + "never both; unset one")
                .satisfies(e -> assertThat(((InvalidConfigException) e).source()).isNull());
        assertThatThrownBy(() -> EsperConfig.builder().publisherSecret(SECRET)
                .publisherJwks("https://idp.example.com/jwks").build())
                .hasMessage("publisher jwks and publisher secret are both set: a side is keyed by an HMAC secret or by "
                        + "public keys, never both; unset one");
    }

    @Test
    void eachSideMayBeKeyedItsOwnWayAndNoAuthIgnoresPublicKeysLikeSecrets() {
        EsperConfig mixed = EsperConfig.builder().subscriberJwks("https://idp.example.com/jwks")
                .publisherSecret(SECRET).build();
        EsperConfig open = EsperConfig.builder().noAuth(true).subscriberSecret(SECRET)
                .subscriberJwks("/no/such/file.json").publisherJwks("https://idp.example.com/jwks").build();

        assertThat(mixed.subscriberJwks()).isPresent();
        assertThat(mixed.publisherSecret()).isPresent();
        assertThat(open.subscriberJwks()).isEmpty();
        assertThat(open.publisherJwks()).isEmpty();
        assertThat(open.subscriberSecret()).isEmpty();
    }

    @ParameterizedTest(name = "token-cookie={0} is bad")
    @ValueSource(strings = {"", "esper token", "esper;token", "t=x", "caf\u00e9", "a\"b", "x,y"})
    void refusesACookieNameThatIsNotAnHttpToken(String value) {
        assertThatThrownBy(() -> EsperConfig.builder().set("token-cookie", value, "t").build())
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("token cookie must be a cookie name");
    }

    @Test
    void refusesAnIssuerOrAudienceWithAControlCharacterOrTooLong() {
        assertThatThrownBy(() -> EsperConfig.builder().jwtIssuer("https://idp\nexample").build())
                .hasMessageStartingWith("jwt issuer must be at most 1024 characters and hold no control character");
        assertThatThrownBy(() -> EsperConfig.builder().jwtAudience("a".repeat(1025)).build())
                .hasMessageStartingWith("jwt audience must be at most 1024 characters");
        assertThat(EsperConfig.builder().jwtAudience("").build().jwtAudience()).isEmpty();
    }
}
