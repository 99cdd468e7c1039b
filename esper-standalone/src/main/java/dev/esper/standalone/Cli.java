package dev.esper.standalone;

import dev.esper.config.EsperConfig;
import dev.esper.config.InvalidConfigException;
import dev.esper.config.Setting;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The command line of SPEC 6 on picocli, built from the {@link Setting} table: a flag per setting (secrets
 * excepted), whose default is its {@code ESPER_<NAME>} environment variable when that is set, so a flag wins
 * over its variable. Values are not converted here: every one, from a flag or a variable, goes to
 * {@link EsperConfig.Builder#set} with where it came from, and {@link EsperConfig.Builder#build()} checks them.
 *
 * <p>Stateless; the environment is passed in, so tests can run it in-process.
 */
final class Cli {
    /** Exit code of a bad flag, value or configuration. */
    static final int EXIT_USAGE = 2;

    private Cli() {
    }

    /** What a parse decided: run with this configuration, or exit with this code. */
    static final class Parsed {
        private final EsperConfig config;
        private final int exitCode;

        private Parsed(EsperConfig config, int exitCode) {
            this.config = config;
            this.exitCode = exitCode;
        }

        /** The configuration to run with, or null if the process should exit. */
        EsperConfig config() {
            return config;
        }

        /** The exit code when {@link #config()} is null. */
        int exitCode() {
            return exitCode;
        }
    }

    /**
     * The command line for an environment: one option per {@link Setting#onCommandLine()} setting, its
     * default taken from the setting's variable in {@code env} when set and not empty.
     *
     * @throws InvalidConfigException if a setting's variables disagree ({@code ESPER_REDIS_URL} and
     *     {@code ESPER_REDIS})
     */
    static CommandLine commandLine(Map<String, String> env) {
        CommandSpec spec = CommandSpec.create().name("esper").interpolateVariables(false)
                .versionProvider(() -> new String[] {"esper " + Version.get()});
        spec.usageMessage()
                .customSynopsis("esper [--bind=<bind>] [--port=<port>] [--threads=<n>] [--no-auth] [options]",
                        "       esper token --topic=<id> [--ttl=<seconds>] [--publisher]",
                        "       esper (-h | --help)",
                        "       esper --version")
                .description("",
                        "Server-Sent Events pub/sub broker. Subscribe with GET /subscribe/<topic> (or to several",
                        "topics on one stream with GET /subscribe?topic=<a>&topic=<b>), publish with",
                        "POST /publish/<topic>, read counters with GET /stats.",
                        "")
                .optionListHeading("Options (each also read from the environment variable named after it;"
                        + " a flag wins over its variable):%n")
                .footer("",
                        "Tokens: " + Setting.SUBSCRIBER_SECRET.environmentVariable() + " protects /subscribe, "
                                + Setting.PUBLISHER_SECRET.environmentVariable() + " protects /publish and",
                        "/stats (JWT, HS256/384/512, at least 32 bytes). Or, instead of a secret, --subscriber-jwks /",
                        "--publisher-jwks: your identity provider's JWK Set URL, or a JWK Set or PEM public key file",
                        "(RS/PS/ES256-512, EdDSA). A side with neither is open.",
                        "'esper token --topic=<id>' prints a token for a topic (see 'esper token --help').",
                        "",
                        "Example:",
                        "  esper --port=3000 &",
                        "  curl -N http://localhost:3000/subscribe/abcdef123",
                        "  curl -X POST http://localhost:3000/publish/abcdef123 -d $'event: testing\\ndata: {\"some\":\"data\"}'")
                .sortOptions(false)
                .width(100);
        for (Setting s : Setting.values()) {
            if (!s.onCommandLine()) {
                continue;
            }
            String[] names = s.shortFlag().map(f -> new String[] {f, s.flag()}).orElse(new String[] {s.flag()});
            OptionSpec.Builder option = OptionSpec.builder(names).type(String.class).paramLabel(s.valueLabel())
                    .description(help(s));
            if (s.isSwitch()) {
                option.arity("0..1").fallbackValue("true");
            }
            s.variableSetIn(env::get).ifPresent(v -> option.defaultValue(env.get(v)));
            spec.addOption(option.build());
        }
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Print this help and exit.")
                .build());
        spec.addOption(OptionSpec.builder("--version").versionHelp(true).description("Print the version and exit.")
                .build());
        return new CommandLine(spec);
    }

    /** A flag's help: what it does, its default, its variable. */
    private static String help(Setting s) {
        String text = s.description();
        if (!s.defaultText().isEmpty() && !s.isSwitch()) {
            text += " Default: " + s.defaultText() + ".";
        }
        return text + " Env: " + String.join(" or ", s.environmentVariables()) + ".";
    }

    /**
     * Parses a command line against an environment. Prints help, the version or an error (one line naming
     * the flag or variable, then the usage) itself.
     */
    static Parsed parse(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        if (args.length > 0 && args[0].equals("token")) {
            return new Parsed(null, TokenCommand.run(Arrays.copyOfRange(args, 1, args.length), env, out, err));
        }
        CommandLine cl;
        try {
            cl = commandLine(env);
        } catch (InvalidConfigException e) {
            // Two variables for one setting disagree: no command line to show usage from, so say just that.
            return refuse(err, null, e.getMessage());
        }
        cl.setOut(out);
        cl.setErr(err);
        Map<Setting, String> sources = new EnumMap<>(Setting.class);
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
            EsperConfig.Builder config = EsperConfig.builder();
            for (Setting s : Setting.values()) {
                OptionSpec option = s.onCommandLine() ? cl.getCommandSpec().findOption(s.flag()) : null;
                if (option != null && result.hasMatchedOption(option)) {
                    sources.put(s, s.flag());
                    config.set(s.key(), option.getValue(), s.flag());
                } else {
                    s.variableSetIn(env::get).ifPresent(v -> {
                        sources.put(s, v);
                        config.set(s.key(), env.get(v), "environment variable " + v);
                    });
                }
            }
            return new Parsed(config.build(), 0);
        } catch (ParameterException e) {
            return refuse(err, cl, e.getMessage());
        } catch (InvalidConfigException e) {
            String where = sources.get(e.setting());
            if (e.source() == null) {
                // Two settings that cannot go together (a secret and public keys for one side): the message names
                // both and where each came from.
                return refuse(err, null, e.getMessage() + "; refusing to start");
            }
            if (e.setting().isSecret()) {
                return refuse(err, null, where + " " + e.problem() + "; refusing to start. Use a longer secret, "
                        + "leave it unset to keep that side open, or pass --no-auth.");
            }
            if (where == null) {
                return refuse(err, cl, e.getMessage());
            }
            return refuse(err, cl, where.startsWith("-") ? "Invalid value for option '" + where + "': " + e.problem()
                    : "Invalid value for " + where + " (" + e.setting().flag() + "): " + e.problem());
        }
    }

    /** Prints {@code esper: <message>} on one line, then the usage if there is a command line to show. */
    private static Parsed refuse(PrintWriter err, CommandLine cl, String message) {
        err.println("esper: " + Objects.toString(message, "invalid command line")
                .replaceAll("\\s*[\\r\\n]+\\s*", " ").trim());
        if (cl != null) {
            err.println();
            cl.usage(err);
        }
        err.flush();
        return new Parsed(null, EXIT_USAGE);
    }
}
