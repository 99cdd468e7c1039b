package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.esper.config.EsperConfig;
import dev.esper.config.Setting;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.PropertiesPropertySourceLoader;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.mock.env.MockEnvironment;

/** The {@code esper.*} properties: one per setting of the table, read through esper's one validator. */
class EsperPropertiesTest {
    private static final String SECRET = "a-secret-of-at-least-thirty-two-bytes";

    private static MockEnvironment env(String... nameValues) {
        MockEnvironment env = new MockEnvironment();
        for (int i = 0; i < nameValues.length; i += 2) {
            env.setProperty(nameValues[i], nameValues[i + 1]);
        }
        return env;
    }

    @Test
    void everySettingTheServletReadsIsAPropertyNamedAfterItsEnvironmentVariable() {
        assertThat(EsperProperties.settings()).isNotEmpty().allSatisfy(s -> {
            assertThat(s.inServlet()).isTrue();
            assertThat(EsperProperties.propertyName(s)).isEqualTo("esper." + s.environmentVariable()
                    .substring("ESPER_".length()).toLowerCase(Locale.ROOT).replace('_', '-'));
        });
        assertThat(EsperProperties.settings()).doesNotContain(Setting.BIND, Setting.PORT);
        assertThat(EsperProperties.propertyName(Setting.HISTORY_SIZE)).isEqualTo("esper.history-size");
        assertThat(EsperProperties.propertyName(Setting.SUBSCRIBER_SECRET)).isEqualTo("esper.subscriber-secret");
        assertThat(EsperProperties.names(Setting.REDIS)).containsExactly("esper.redis-url", "esper.redis");
    }

    @Test
    void everyPropertyReachesTheConfiguration() {
        String defaults = EsperConfig.builder().build().toString();
        for (Setting s : EsperProperties.settings()) {
            String name = EsperProperties.propertyName(s);
            // A value no setting takes as it is: either the validator names the property, or the value is in.
            MockEnvironment env = env(name, "\u0001 not a value \u0001");
            InvalidEsperPropertyException e = catchThrowableOfType(InvalidEsperPropertyException.class,
                    () -> assertThat(EsperProperties.config(env).toString()).as(name).isNotEqualTo(defaults));
            if (e != null) {
                assertThat(e.property()).isEqualTo(name);
                assertThat(e.getMessage()).as(name).startsWith(s.label() + " ").contains("(property " + name);
            }
        }
    }

    @Test
    void typedValuesArriveTyped() {
        EsperConfig config = EsperProperties.config(env(
                "esper.history-size", "7", "esper.heartbeat", "2", "esper.max-body", "1024",
                "esper.cors-origins", "https://a.example.com, https://b.example.com",
                "esper.subscriber-secret", SECRET, "esper.redis-url", "redis://127.0.0.1:6399"));
        assertThat(config.historySize()).isEqualTo(7);
        assertThat(config.heartbeat()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.maxBody()).isEqualTo(1024);
        assertThat(config.corsOrigins()).containsExactly("https://a.example.com", "https://b.example.com");
        assertThat(config.subscriberSecret()).isPresent();
        assertThat(config.publisherSecret()).isEmpty();
        assertThat(config.redis()).contains("redis://127.0.0.1:6399");
    }

    @Test
    void relaxedNamesAndListsAsInYamlWork() {
        EsperConfig config = EsperProperties.config(env("esper.historySize", "7",
                "esper.cors-origins[0]", "https://a.example.com", "esper.cors-origins[1]", "https://b.example.com"));
        assertThat(config.historySize()).isEqualTo(7);
        assertThat(config.corsOrigins()).containsExactly("https://a.example.com", "https://b.example.com");
    }

    @Test
    void theEnvironmentVariablesOfTheServletAndStandaloneServerWorkToo() {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        Map.of("ESPER_HISTORY_SIZE", "7", "ESPER_REDIS_URL", "redis://127.0.0.1:6399",
                                "ESPER_PUBLISHER_SECRET", SECRET, "ESPER_HOME", "/opt/something-else")));
        EsperConfig config = EsperProperties.config(env);
        assertThat(config.historySize()).isEqualTo(7);
        assertThat(config.redis()).contains("redis://127.0.0.1:6399");
        assertThat(config.publisherSecret()).isPresent();
    }

    @Test
    void placeholdersAreResolvedAndValuesOtherThanSecretsTrimmed() {
        EsperConfig config = EsperProperties.config(env("esper.publisher-secret", "${APP_PUBLISHER_SECRET}",
                "APP_PUBLISHER_SECRET", SECRET, "esper.history-size", " 7 "));
        assertThat(config.publisherSecret()).isPresent();
        assertThat(config.historySize()).isEqualTo(7);
    }

    @Test
    void theRedisUrlAlsoAnswersToItsShortNameButNotToTwoDifferentValues() {
        assertThat(EsperProperties.config(env("esper.redis", "redis://127.0.0.1:6399")).redis())
                .contains("redis://127.0.0.1:6399");
        assertThat(EsperProperties.redisUrl(env("esper.redis", "redis://127.0.0.1:6399")))
                .contains("redis://127.0.0.1:6399");
        assertThatThrownBy(() -> EsperProperties.config(env("esper.redis-url", "redis://127.0.0.1:6399",
                "esper.redis", "redis://127.0.0.1:6400"))).isInstanceOf(InvalidEsperPropertyException.class)
                .hasMessage("esper.redis-url and esper.redis are both set, to different values; set only"
                        + " esper.redis-url");
    }

    @Test
    void aBadValueIsReportedWithTheFileAndLineItCameFrom() throws Exception {
        StandardEnvironment env = new StandardEnvironment();
        byte[] file = "server.port=0\nesper.history-size=-1\n".getBytes(StandardCharsets.UTF_8);
        new PropertiesPropertySourceLoader().load("application", new ByteArrayResource(file, "application.properties"))
                .forEach(env.getPropertySources()::addFirst);

        assertThatThrownBy(() -> EsperProperties.config(env)).isInstanceOf(InvalidEsperPropertyException.class)
                .hasMessageStartingWith("history size must be a whole number from 0 to 2147483647, was '-1'"
                        + " (property esper.history-size, ")
                .hasMessageContaining("application.properties").hasMessageEndingWith(" - 2:20)");
    }

    @Test
    void theSettingsOfTheStandaloneServerAreNotPropertiesAndSaySo() {
        assertThatThrownBy(() -> EsperProperties.config(env("esper.bind", "0.0.0.0")))
                .isInstanceOf(InvalidEsperPropertyException.class)
                .hasMessage("esper.bind is not used by the esper servlet in Spring Boot (--bind is the standalone"
                        + " server's; the web server's own settings are server.*)");
    }

    @Test
    void anUnknownNameListsTheKnownOnesWithoutItsValue() {
        InvalidEsperPropertyException e = catchThrowableOfType(InvalidEsperPropertyException.class,
                () -> EsperProperties.config(env("esper.histroy-size", "12345")));
        assertThat(e.property()).isEqualTo("esper.histroy-size");
        assertThat(e.getMessage()).startsWith("esper.histroy-size is not a property of esper; they are ")
                .contains("esper.enabled", "esper.path", "esper.history-size", "esper.redis-url")
                .doesNotContain("12345");
    }

    @Test
    void thePathMustBeAPrefixMapping() {
        assertThat(EsperProperties.path(env())).isEqualTo("/esper/*");
        assertThat(EsperProperties.path(env("esper.path", "/*"))).isEqualTo("/*");
        assertThat(EsperProperties.path(env("esper.path", "/api/events/*"))).isEqualTo("/api/events/*");
        for (String bad : List.of("/events", "events/*", "/ev*nts/*", "*.sse", "//*", "")) {
            assertThatThrownBy(() -> EsperProperties.path(env("esper.path", bad)))
                    .isInstanceOf(InvalidEsperPropertyException.class)
                    .hasMessageStartingWith("esper.path must be a path mapping that ends in /*");
        }
    }
}
