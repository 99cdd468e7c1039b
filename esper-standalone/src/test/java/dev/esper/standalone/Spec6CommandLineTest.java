package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.config.EsperConfig;
import dev.esper.config.Setting;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** SPEC 6 and 7: the command line and its environment variables, parsed in-process. */
class Spec6CommandLineTest {
    private static final String SECRET_A = "a-subscriber-secret-of-32-bytes!";
    private static final String SECRET_B = "a-publisher-secret-of-32-bytes!!";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Cli.Parsed parse(Map<String, String> env, String... args) {
        return Cli.parse(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    private EsperConfig settings(Map<String, String> env, String... args) {
        Cli.Parsed parsed = parse(env, args);
        assertThat(parsed.config()).as("settings; stderr was: %s", err).isNotNull();
        return parsed.config();
    }

    @Test
    void withoutFlagsOrVariablesTheDefaultsAreThoseOfTheSpec() {
        EsperConfig s = settings(Map.of());

        assertThat(s.bind()).isEqualTo("127.0.0.1");
        assertThat(s.port()).isEqualTo(3000);
        assertThat(s.threads()).isEqualTo(2);
        assertThat(s.noAuth()).isFalse();
        assertThat(s.historySize()).isEqualTo(100);
        assertThat(s.historyTtl()).isEqualTo(Duration.ofSeconds(300));
        assertThat(s.heartbeat()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.maxBody()).isEqualTo(65536);
        assertThat(s.subscriberBuffer()).isEqualTo(1048576);
        assertThat(s.maxTopics()).isEqualTo(100_000);
        assertThat(s.maxSubscribers()).isEqualTo(100_000);
        assertThat(s.corsOrigins()).containsExactly("*");
        assertThat(s.clockSkew()).isZero();
        assertThat(s.subscriberSecret()).isEmpty();
        assertThat(s.publisherSecret()).isEmpty();
    }

    @Test
    void everyFlagSetsItsValue() {
        EsperConfig s = settings(Map.of(), "-b", "0.0.0.0", "-p", "8080", "-t", "4", "--no-auth",
                "--history-size=7", "--history-ttl=60", "--heartbeat=5", "--max-body=1024",
                "--subscriber-buffer=2048", "--max-topics=10", "--max-subscribers=20", "--max-retained-bytes=4096",
                "--cors-origins=https://a.example, https://b.example", "--clock-skew=3", "--max-stream-topics=8");

        assertThat(s.bind()).isEqualTo("0.0.0.0");
        assertThat(s.port()).isEqualTo(8080);
        assertThat(s.threads()).isEqualTo(4);
        assertThat(s.noAuth()).isTrue();
        assertThat(s.historySize()).isEqualTo(7);
        assertThat(s.historyTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.heartbeat()).isEqualTo(Duration.ofSeconds(5));
        assertThat(s.maxBody()).isEqualTo(1024);
        assertThat(s.subscriberBuffer()).isEqualTo(2048);
        assertThat(s.maxTopics()).isEqualTo(10);
        assertThat(s.maxSubscribers()).isEqualTo(20);
        assertThat(s.maxRetainedBytes()).isEqualTo(4096);
        assertThat(s.corsOrigins()).containsExactly("https://a.example", "https://b.example");
        assertThat(s.clockSkew()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.maxStreamTopics()).isEqualTo(8);
    }

    @Test
    void everyOptionIsAlsoReadFromItsEnvironmentVariable() {
        Map<String, String> env = Map.ofEntries(
                Map.entry("ESPER_BIND", "localhost"), Map.entry("ESPER_PORT", "8081"),
                Map.entry("ESPER_THREADS", "3"), Map.entry("ESPER_NO_AUTH", "true"),
                Map.entry("ESPER_HISTORY_SIZE", "0"), Map.entry("ESPER_HISTORY_TTL", "0"),
                Map.entry("ESPER_HEARTBEAT", "0"), Map.entry("ESPER_MAX_BODY", "10"),
                Map.entry("ESPER_SUBSCRIBER_BUFFER", "11"), Map.entry("ESPER_MAX_TOPICS", "12"),
                Map.entry("ESPER_MAX_SUBSCRIBERS", "13"), Map.entry("ESPER_MAX_RETAINED_BYTES", "14"),
                Map.entry("ESPER_CORS_ORIGINS", "https://x.example"), Map.entry("ESPER_CLOCK_SKEW", "15"),
                Map.entry("ESPER_MAX_STREAM_TOPICS", "16"));

        EsperConfig s = settings(env);

        assertThat(s.bind()).isEqualTo("localhost");
        assertThat(s.port()).isEqualTo(8081);
        assertThat(s.threads()).isEqualTo(3);
        assertThat(s.noAuth()).isTrue();
        assertThat(s.historySize()).isZero();
        assertThat(s.historyTtl()).isZero();
        assertThat(s.heartbeat()).isZero();
        assertThat(s.maxBody()).isEqualTo(10);
        assertThat(s.subscriberBuffer()).isEqualTo(11);
        assertThat(s.maxTopics()).isEqualTo(12);
        assertThat(s.maxSubscribers()).isEqualTo(13);
        assertThat(s.maxRetainedBytes()).isEqualTo(14);
        assertThat(s.corsOrigins()).containsExactly("https://x.example");
        assertThat(s.clockSkew()).isEqualTo(Duration.ofSeconds(15));
        assertThat(s.maxStreamTopics()).isEqualTo(16);
    }

    @Test
    void everySettingButTheSecretsHasAFlagAndAVariableFromTheOneTableAndTheHelpSaysSo() {
        CommandLine cl = Cli.commandLine(Map.of());
        String help = cl.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
        for (Setting s : Setting.values()) {
            OptionSpec option = cl.getCommandSpec().findOption(s.flag());
            if (s.isSecret()) {
                assertThat(option).as(s.flag()).isNull();
                continue;
            }
            assertThat(option).as(s.flag()).isNotNull();
            assertThat(String.join(" ", option.description())).as(s.flag())
                    .contains("Env: " + s.environmentVariable()).contains(s.description());
        }
        assertThat(cl.getCommandSpec().options()).hasSize((int) java.util.Arrays.stream(Setting.values())
                .filter(Setting::onCommandLine).count() + 2);
        assertThat(help).contains("ESPER_HISTORY_SIZE", "ESPER_BIND", "ESPER_PORT", "ESPER_THREADS", "ESPER_NO_AUTH")
                .contains("this + 10%.").doesNotContain("%%");
    }

    @Test
    void theHelpSaysWhatThreadsSizes() {
        String help = Cli.commandLine(Map.of()).getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");

        assertThat(help).contains("-t, --threads=<n>").contains("selector threads").contains("delivery threads");
    }

    @Test
    void aFlagWinsOverItsVariable() {
        EsperConfig s = settings(Map.of("ESPER_PORT", "9000", "ESPER_HISTORY_SIZE", "5"), "--port=9001");

        assertThat(s.port()).isEqualTo(9001);
        assertThat(s.historySize()).isEqualTo(5);
    }

    @Test
    void aFlagWinsOverABadValueInItsVariable() {
        EsperConfig s = settings(Map.of("ESPER_PORT", "not-a-port"), "--port=9001");

        assertThat(s.port()).isEqualTo(9001);
    }

    @Test
    void anEmptyVariableCountsAsUnset() {
        EsperConfig s = settings(Map.of("ESPER_PORT", "", "ESPER_SUBSCRIBER_SECRET", ""));

        assertThat(s.port()).isEqualTo(3000);
        assertThat(s.subscriberSecret()).isEmpty();
    }

    @Test
    void anUnknownFlagExitsNonZeroWithOneLineNamingItThenTheUsage() {
        Cli.Parsed parsed = parse(Map.of(), "--bogus");

        assertThat(parsed.config()).isNull();
        assertThat(parsed.exitCode()).isEqualTo(Cli.EXIT_USAGE);
        String[] lines = err.toString().split("\\R");
        assertThat(lines[0]).isEqualTo("esper: Unknown option: '--bogus'");
        assertThat(err.toString()).contains("Usage: esper [--bind=<bind>]");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--port", "--threads", "--history-size", "--history-ttl", "--heartbeat", "--max-body",
        "--subscriber-buffer", "--max-topics", "--max-subscribers", "--max-retained-bytes", "--clock-skew", "--max-stream-topics"})
    void negativeNumbersAreBadValues(String flag) {
        Cli.Parsed parsed = parse(Map.of(), flag + "=-1");

        assertThat(parsed.exitCode()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString().split("\\R")[0])
                .startsWith("esper: Invalid value for option '" + flag + "'")
                .contains("'-1'");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"--port", "--threads", "--max-body", "--subscriber-buffer", "--max-topics",
        "--max-subscribers", "--max-retained-bytes", "--max-stream-topics"})
    void zeroIsABadValueForSizesAndLimits(String flag) {
        Cli.Parsed parsed = parse(Map.of(), flag + "=0");

        assertThat(parsed.exitCode()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).contains(flag);
    }

    @Test
    void zeroTurnsOffHistoryRetentionAgeLimitAndHeartbeats() {
        EsperConfig s = settings(Map.of(), "--history-size=0", "--history-ttl=0", "--heartbeat=0", "--clock-skew=0");

        assertThat(s.historySize()).isZero();
        assertThat(s.historyTtl()).isZero();
        assertThat(s.heartbeat()).isZero();
        assertThat(s.clockSkew()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"abc", "1.5", "+3", " 3", "99999999999999999999", ""})
    void nonNumbersAreBadValues(String value) {
        Cli.Parsed parsed = parse(Map.of(), "--history-size=" + value);

        assertThat(parsed.exitCode()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).contains("--history-size");
    }

    @Test
    void aBadValueInAVariableIsAsBadAsInAFlagAndTheMessageNamesBoth() {
        Cli.Parsed parsed = parse(Map.of("ESPER_HISTORY_SIZE", "-5"));

        assertThat(parsed.config()).isNull();
        assertThat(parsed.exitCode()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString().split("\\R")[0]).isEqualTo(
                "esper: Invalid value for ESPER_HISTORY_SIZE (--history-size): must be a whole number from 0 to "
                        + Integer.MAX_VALUE + ", was '-5'");
        assertThat(err.toString()).contains("Usage: esper");
    }

    @ParameterizedTest(name = "ESPER_NO_AUTH={0}")
    @ValueSource(strings = {"yes", "1", "on", "tru"})
    void noAuthFromTheEnvironmentIsTrueOrFalse(String value) {
        Cli.Parsed parsed = parse(Map.of("ESPER_NO_AUTH", value));

        assertThat(parsed.exitCode()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).contains("ESPER_NO_AUTH (--no-auth): must be true or false");
    }

    @Test
    void noAuthFalseFromTheEnvironmentKeepsAuth() {
        EsperConfig s = settings(Map.of("ESPER_NO_AUTH", "FALSE", "ESPER_SUBSCRIBER_SECRET", SECRET_A));

        assertThat(s.noAuth()).isFalse();
        assertThat(s.subscriberSecret()).isPresent();
    }

    @Test
    void secretsComeFromTheEnvironmentPerSide() {
        EsperConfig s = settings(Map.of("ESPER_SUBSCRIBER_SECRET", SECRET_A, "ESPER_PUBLISHER_SECRET", SECRET_B));

        assertThat(s.subscriberSecret()).isPresent();
        assertThat(s.publisherSecret()).isPresent();
        assertThat(s.toString()).contains("subscriberSecret=Secret[32 bytes]", "publisherSecret=Secret[32 bytes]")
                .doesNotContain(SECRET_A, SECRET_B);
    }

    @Test
    void aSecretShorterThan32BytesRefusesToStartWithoutPrintingIt() {
        Cli.Parsed parsed = parse(Map.of("ESPER_PUBLISHER_SECRET", "too-short-secret"));

        assertThat(parsed.config()).isNull();
        assertThat(parsed.exitCode()).isNotZero();
        assertThat(err.toString()).contains("ESPER_PUBLISHER_SECRET must be at least 32 bytes, was 16 bytes")
                .doesNotContain("too-short-secret");
        assertThat(out.toString()).doesNotContain("too-short-secret");
    }

    @Test
    void noAuthIgnoresEvenShortSecrets() {
        EsperConfig s = settings(Map.of("ESPER_SUBSCRIBER_SECRET", "short"), "--no-auth");

        assertThat(s.noAuth()).isTrue();
        assertThat(s.subscriberSecret()).isEmpty();
        assertThat(s.publisherSecret()).isEmpty();
    }

    @Test
    void corsOriginsRejectsAStarMixedWithOrigins() {
        Cli.Parsed parsed = parse(Map.of(), "--cors-origins=*,https://a.example");

        assertThat(parsed.exitCode()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString().split("\\R")[0]).contains("--cors-origins").contains("cannot be combined");
    }

    @Test
    void aBindAddressThatDoesNotResolveIsABadValue() {
        Cli.Parsed parsed = parse(Map.of(), "--bind=no-such-host.invalid");

        assertThat(parsed.exitCode()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString().split("\\R")[0]).contains("--bind").contains("no-such-host.invalid");
    }

    @Test
    void helpAndVersionExitZeroOnStandardOutput() {
        assertThat(parse(Map.of(), "--help").exitCode()).isZero();
        assertThat(out.toString()).startsWith("Usage: esper [--bind=<bind>] [--port=<port>] [--threads=<n>] "
                + "[--no-auth] [options]");
        out.getBuffer().setLength(0);

        assertThat(parse(Map.of("ESPER_PORT", "bad"), "--version").exitCode()).isZero();
        assertThat(out.toString().trim()).isEqualTo("esper " + Version.get());
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void theVersionComesFromTheBuild() {
        assertThat(Version.get()).isNotEqualTo("unknown").doesNotContain("${").matches("\\d+\\.\\d+\\.\\d+.*");
    }

    @Test
    void theEnvironmentIsOnlyReadFromTheMapGiven() {
        Map<String, String> env = new HashMap<>();
        env.put("ESPER_PORT", "4242");

        assertThat(settings(env).port()).isEqualTo(4242);
        assertThat(settings(Map.of()).port()).isEqualTo(3000);
    }

    @Test
    void redisIsAlsoReadFromEsperRedisAndTwoDifferentValuesAreRefusedWithoutShowingThem() {
        assertThat(settings(Map.of("ESPER_REDIS", "redis://10.0.0.5:6380")).redis()).contains("redis://10.0.0.5:6380");

        Cli.Parsed parsed = parse(Map.of("ESPER_REDIS", "redis://:pw1@a:1", "ESPER_REDIS_URL", "redis://:pw2@b:1"));

        assertThat(parsed.config()).isNull();
        assertThat(parsed.exitCode()).isEqualTo(Cli.EXIT_USAGE);
        assertThat(err.toString()).contains("ESPER_REDIS_URL and ESPER_REDIS").doesNotContain("pw1", "pw2");
    }
}
