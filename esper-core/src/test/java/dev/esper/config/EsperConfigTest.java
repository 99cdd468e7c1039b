package dev.esper.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.broker.Broker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
    void anUnknownSettingNameIsRefusedAtOnce() {
        assertThatThrownBy(() -> EsperConfig.builder().set("history", "1", "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown setting 'history'");
    }

    @Test
    void everySettingHasAFlagAVariableAndAnInitParameterDerivedFromItsName() {
        for (Setting s : Setting.values()) {
            assertThat(Setting.byKey(s.key())).contains(s);
            assertThat(s.flag()).isEqualTo("--" + s.key());
            assertThat(s.environmentVariable()).matches("ESPER_[A-Z_]+");
            assertThat(s.initParameter()).matches("[a-z][A-Za-z]+").doesNotContain("-");
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
}
