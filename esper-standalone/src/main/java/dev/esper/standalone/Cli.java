package dev.esper.standalone;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line of SPEC 6, on picocli: every option also read from an {@code ESPER_<NAME>}
 * environment variable, a flag winning over its variable, and every value checked the same way wherever it
 * came from.
 *
 * <p>One instance per parse; not thread-safe. The environment is passed in, so tests can run it in-process.
 */
@Command(name = "esper",
        customSynopsis = {
            "esper [--bind=<bind>] [--port=<port>] [--threads=<n>] [--no-auth] [options]",
            "       esper (-h | --help)",
            "       esper --version"},
        description = {
            "",
            "Server-Sent Events pub/sub broker. Subscribe with GET /subscribe/<topic>, publish with",
            "POST /publish/<topic>, read counters with GET /stats.",
            ""},
        optionListHeading = "Options (each also read from the environment variable named after it;"
                + " a flag wins over its variable):%n",
        footer = {
            "",
            "Tokens: ESPER_SUBSCRIBER_SECRET protects /subscribe, ESPER_PUBLISHER_SECRET protects /publish and",
            "/stats (JWT, HS256/384/512, at least 32 bytes). A side whose secret is unset or empty is open.",
            "",
            "Example:",
            "  esper --port=3000 &",
            "  curl -N http://localhost:3000/subscribe/abcdef123",
            "  curl -X POST http://localhost:3000/publish/abcdef123 -d $'event: testing\\ndata: {\"some\":\"data\"}'"},
        sortOptions = false,
        usageHelpWidth = 100,
        versionProvider = Cli.VersionProvider.class)
final class Cli {
    /** Exit code of a bad flag, value or configuration. */
    static final int EXIT_USAGE = 2;
    /** Prefix of every option's environment variable. */
    static final String ENV_PREFIX = "ESPER_";

    @Option(names = {"-b", "--bind"}, paramLabel = "<bind>", converter = HostConverter.class,
            description = "Address to listen on; 0.0.0.0 for every interface. Default: ${DEFAULT-VALUE}. "
                    + "Env: ESPER_BIND.")
    String bind = EsperSettings.DEFAULT_BIND;

    @Option(names = {"-p", "--port"}, paramLabel = "<port>", converter = PortConverter.class,
            description = "Port to listen on, 1-65535. Default: ${DEFAULT-VALUE}. Env: ESPER_PORT.")
    int port = EsperSettings.DEFAULT_PORT;

    @Option(names = {"-t", "--threads"}, paramLabel = "<n>", converter = ThreadsConverter.class,
            description = "I/O threads, 1-64: Jetty's selector threads (n), its worker pool (at most 8n, "
                    + "at least 8) and the broker's delivery threads (n). Open streams hold no thread. "
                    + "Default: ${DEFAULT-VALUE}. Env: ESPER_THREADS.")
    int threads = EsperSettings.DEFAULT_THREADS;

    @Option(names = "--no-auth",
            description = "Open both sides to anyone, ignoring the secrets (logged as a warning). "
                    + "Env: ESPER_NO_AUTH=true.")
    boolean noAuth;

    @Option(names = "--history-size", paramLabel = "<n>", converter = CountOrZeroConverter.class,
            description = "Events retained per topic for resumes; 0 = none. Default: ${DEFAULT-VALUE}. "
                    + "Env: ESPER_HISTORY_SIZE.")
    int historySize = dev.esper.config.EsperConfig.defaults().historySize();

    @Option(names = "--history-ttl", paramLabel = "<seconds>", converter = SecondsConverter.class,
            description = "Age after which a retained event is dropped; 0 = no age limit. Default: 300. "
                    + "Env: ESPER_HISTORY_TTL.")
    Duration historyTtl = dev.esper.config.EsperConfig.defaults().historyTtl();

    @Option(names = "--heartbeat", paramLabel = "<seconds>", converter = SecondsConverter.class,
            description = "Idle interval before a heartbeat comment; 0 = off. Default: 15. "
                    + "Env: ESPER_HEARTBEAT.")
    Duration heartbeat = dev.esper.config.EsperConfig.defaults().heartbeat();

    @Option(names = "--max-body", paramLabel = "<bytes>", converter = CountConverter.class,
            description = "Largest publish body. Default: ${DEFAULT-VALUE}. Env: ESPER_MAX_BODY.")
    int maxBody = EsperSettings.DEFAULT_MAX_BODY;

    @Option(names = "--subscriber-buffer", paramLabel = "<bytes>", converter = BytesConverter.class,
            description = "Unsent live bytes before a slow subscriber is dropped. Default: ${DEFAULT-VALUE}. "
                    + "Env: ESPER_SUBSCRIBER_BUFFER.")
    long subscriberBuffer = dev.esper.config.EsperConfig.defaults().subscriberBuffer();

    @Option(names = "--max-topics", paramLabel = "<n>", converter = CountConverter.class,
            description = "Topics held at once. Default: ${DEFAULT-VALUE}. Env: ESPER_MAX_TOPICS.")
    int maxTopics = dev.esper.config.EsperConfig.defaults().maxTopics();

    @Option(names = "--max-subscribers", paramLabel = "<n>", converter = CountConverter.class,
            description = "Open subscriber streams; also caps connections at this + 10%%. "
                    + "Default: ${DEFAULT-VALUE}. Env: ESPER_MAX_SUBSCRIBERS.")
    int maxSubscribers = dev.esper.config.EsperConfig.defaults().maxSubscribers();

    @Option(names = "--max-retained-bytes", paramLabel = "<bytes>", converter = BytesConverter.class,
            description = "Bytes of retained events over all topics. Default: ${DEFAULT-VALUE}. "
                    + "Env: ESPER_MAX_RETAINED_BYTES.")
    long maxRetainedBytes = dev.esper.config.EsperConfig.defaults().maxRetainedBytes();

    @Option(names = "--cors-origins", paramLabel = "<list>", converter = OriginsConverter.class,
            description = "Allowed origins, comma-separated, or * for any. Default: ${DEFAULT-VALUE}. "
                    + "Env: ESPER_CORS_ORIGINS.")
    String corsOrigins = "*";

    @Option(names = "--clock-skew", paramLabel = "<seconds>", converter = SecondsConverter.class,
            description = "Leeway for token exp and nbf. Default: 0. Env: ESPER_CLOCK_SKEW.")
    Duration clockSkew = Duration.ZERO;

    @Option(names = "--redis", paramLabel = "<uri>", converter = RedisConverter.class,
            description = "Join other esper nodes through the Redis at this URI, e.g. redis://127.0.0.1:6379: "
                    + "one order, ids and resume across nodes. Default: run alone. Env: ESPER_REDIS_URL.")
    String redis;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Print the version and exit.")
    boolean version;

    /** What a parse decided: run with these settings, or exit with this code. */
    static final class Parsed {
        private final EsperSettings settings;
        private final int exitCode;

        private Parsed(EsperSettings settings, int exitCode) {
            this.settings = settings;
            this.exitCode = exitCode;
        }

        /** The settings to run with, or null if the process should exit. */
        EsperSettings settings() {
            return settings;
        }

        /** The exit code when {@link #settings()} is null. */
        int exitCode() {
            return exitCode;
        }
    }

    /**
     * Parses a command line against an environment. Prints help, the version or an error (one line naming
     * the flag or variable, then the usage) itself.
     */
    static Parsed parse(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        Cli cli = new Cli();
        CommandLine cl = new CommandLine(cli);
        cl.setOut(out);
        cl.setErr(err);
        try {
            ParseResult result = cl.parseArgs(args);
            if (cl.isUsageHelpRequested()) {
                cl.usage(out);
                out.flush();
                return new Parsed(null, 0);
            }
            if (cl.isVersionHelpRequested()) {
                cl.printVersionHelp(out);
                out.flush();
                return new Parsed(null, 0);
            }
            applyEnvironment(cl, result, env);
            return new Parsed(cli.toSettings(env), 0);
        } catch (ParameterException e) {
            err.println("esper: " + oneLine(e.getMessage()));
            err.println();
            cl.usage(err);
            err.flush();
            return new Parsed(null, EXIT_USAGE);
        } catch (IllegalArgumentException e) {
            // Values are range-checked by the converters; what is left here is a secret that is too short.
            err.println("esper: " + oneLine(e.getMessage()) + "; refusing to start. Use a longer secret, leave it "
                    + "unset to keep that side open, or pass --no-auth.");
            err.flush();
            return new Parsed(null, EXIT_USAGE);
        }
    }

    /** The environment variable of an option: {@code --history-size} is {@code ESPER_HISTORY_SIZE}. */
    static String envName(OptionSpec option) {
        if (option.longestName().equals("--redis")) {
            return ENV_PREFIX + "REDIS_URL";
        }
        return ENV_PREFIX + option.longestName().replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Sets every option not given as a flag from its variable, converted and checked like the flag. */
    private static void applyEnvironment(CommandLine cl, ParseResult result, Map<String, String> env) {
        for (OptionSpec option : cl.getCommandSpec().options()) {
            if (option.usageHelp() || option.versionHelp() || result.hasMatchedOption(option)) {
                continue;
            }
            String name = envName(option);
            String raw = env.get(name);
            if (raw == null || raw.isEmpty()) {
                continue;
            }
            try {
                option.setValue(convert(option, raw));
            } catch (TypeConversionException e) {
                throw new ParameterException(cl, "Invalid value for " + name + " (" + option.longestName() + "): "
                        + e.getMessage(), e, option, raw);
            } catch (Exception e) {
                throw new ParameterException(cl, "Invalid value for " + name + " (" + option.longestName() + "): '"
                        + raw + "'", e, option, raw);
            }
        }
    }

    private static Object convert(OptionSpec option, String raw) throws Exception {
        if (option.type() == boolean.class) {
            switch (raw.toLowerCase(Locale.ROOT)) {
                case "true":
                    return true;
                case "false":
                    return false;
                default:
                    throw new TypeConversionException("must be true or false, was '" + raw + "'");
            }
        }
        ITypeConverter<?>[] converters = option.converters();
        if (converters.length == 0) {
            throw new IllegalStateException("option " + option.longestName() + " has no converter");
        }
        return converters[0].convert(raw);
    }

    private EsperSettings toSettings(Map<String, String> env) {
        return EsperSettings.builder()
                .bind(bind)
                .port(port)
                .threads(threads)
                .noAuth(noAuth)
                .historySize(historySize)
                .historyTtl(historyTtl)
                .heartbeat(heartbeat)
                .maxBody(maxBody)
                .subscriberBuffer(subscriberBuffer)
                .maxTopics(maxTopics)
                .maxSubscribers(maxSubscribers)
                .maxRetainedBytes(maxRetainedBytes)
                .corsOrigins(splitOrigins(corsOrigins))
                .clockSkew(clockSkew)
                .redis(redis)
                .subscriberSecret(env.get(EsperSettings.SUBSCRIBER_SECRET_ENV))
                .publisherSecret(env.get(EsperSettings.PUBLISHER_SECRET_ENV))
                .build();
    }

    static List<String> splitOrigins(String list) {
        return Arrays.stream(list.split(",", -1)).map(String::trim).collect(Collectors.toList());
    }

    private static String oneLine(String message) {
        return Objects.toString(message, "invalid command line").replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    // ---------------------------------------------------------------------------------------------
    // Converters: each names the rule and the bad value; picocli or applyEnvironment adds the flag.

    /** Digits only (so no sign), within [min, max]. */
    static long wholeNumber(String raw, long min, long max, String what) {
        String rule = "must be " + what + " from " + min + " to " + max + ", was '" + raw + "'";
        if (raw.isEmpty() || raw.length() > 19 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new TypeConversionException(rule);
        }
        long v = Long.parseLong(raw);
        if (v < min || v > max) {
            throw new TypeConversionException(rule);
        }
        return v;
    }

    /** {@code --port}: 1-65535. */
    static final class PortConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) wholeNumber(value, 1, 65535, "a port number");
        }
    }

    /** {@code --threads}: 1-{@value EsperSettings#MAX_THREADS}. */
    static final class ThreadsConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) wholeNumber(value, 1, EsperSettings.MAX_THREADS, "a whole number");
        }
    }

    /** Counts where 0 is a bad value. */
    static final class CountConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) wholeNumber(value, 1, Integer.MAX_VALUE, "a whole number");
        }
    }

    /** Counts where 0 turns the feature off. */
    static final class CountOrZeroConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            return (int) wholeNumber(value, 0, Integer.MAX_VALUE, "a whole number");
        }
    }

    /** Byte sizes where 0 is a bad value. */
    static final class BytesConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return wholeNumber(value, 1, Long.MAX_VALUE / 2, "a whole number of bytes");
        }
    }

    /** Whole seconds, 0 or more (what 0 means is the option's to say). */
    static final class SecondsConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return Duration.ofSeconds(wholeNumber(value, 0, Integer.MAX_VALUE, "a whole number of seconds"));
        }
    }

    /** A host name or IP literal that resolves. */
    static final class HostConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (value.isBlank()) {
                throw new TypeConversionException("must be a host name or IP address, was '" + value + "'");
            }
            try {
                InetAddress.getByName(value);
            } catch (UnknownHostException e) {
                throw new TypeConversionException("must be a host name or IP address of this machine, "
                        + "'" + value + "' does not resolve");
            }
            return value;
        }
    }

    /** Comma-separated origins, or {@code *}. */
    static final class OriginsConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                EsperSettings.Builder.checkOrigins(splitOrigins(value));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            return value;
        }
    }

    /** {@code --redis}: a Redis URI. */
    static final class RedisConverter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            try {
                EsperSettings.Builder.checkRedis(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            return value;
        }
    }

    /** {@code --version}: the project version. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"esper " + Version.get()};
        }
    }
}
