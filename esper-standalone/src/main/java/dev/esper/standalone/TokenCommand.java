package dev.esper.standalone;

import dev.esper.auth.Secret;
import dev.esper.config.Setting;
import dev.esper.jwt.JwtMinter;
import dev.esper.topic.InvalidTopicIdException;
import dev.esper.topic.TopicId;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code esper token --topic=<id> [--ttl=<seconds>] [--publisher]}: prints a token the server accepts for a
 * topic, signed with the subscriber secret ({@code ESPER_SUBSCRIBER_SECRET}) or, with {@code --publisher}, the
 * publisher secret ({@code ESPER_PUBLISHER_SECRET}), read from the environment like the server reads them, so a
 * secret never appears on a command line. A publisher token also reads {@code /stats}, whatever its topic.
 *
 * <p>One instance per run; not thread-safe.
 */
@Command(name = "esper token", sortOptions = false, usageHelpWidth = 100,
        description = {
            "Prints a token (JWT, HS256) for a topic, signed with ESPER_SUBSCRIBER_SECRET, or with",
            "ESPER_PUBLISHER_SECRET when --publisher is given. Example:",
            "  TOKEN=$(esper token --topic=abcdef123 --publisher)",
            "  curl -X POST http://localhost:3000/publish/abcdef123 -H \"Authorization: Bearer $TOKEN\" -d 'data: hi'",
            ""})
final class TokenCommand {
    /** Default lifetime of a token, in seconds. */
    static final long DEFAULT_TTL_SECONDS = 3600;

    @Option(names = "--topic", required = true, paramLabel = "<id>", description = "The topic the token grants.")
    String topic;

    @Option(names = "--ttl", paramLabel = "<seconds>", description = "How long the token is valid. Default: 3600.")
    String ttl = Long.toString(DEFAULT_TTL_SECONDS);

    @Option(names = "--publisher", description = "Sign with the publisher secret: the token publishes (and reads "
            + "/stats) instead of subscribing.")
    boolean publisher;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Print this help and exit.")
    boolean help;

    private TokenCommand() {
    }

    /**
     * Runs {@code esper token}: prints the token on {@code out}, or one line saying what is wrong on {@code err}.
     *
     * @param args the arguments after {@code token}
     * @return the exit code: 0, or {@link Cli#EXIT_USAGE}
     */
    static int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err) {
        TokenCommand command = new TokenCommand();
        CommandLine cl = new CommandLine(command);
        try {
            cl.parseArgs(args);
            if (cl.isUsageHelpRequested()) {
                cl.usage(out);
                out.flush();
                return 0;
            }
            out.println(command.mint(env));
            out.flush();
            return 0;
        } catch (ParameterException e) {
            err.println("esper token: " + e.getMessage());
            err.println();
            cl.usage(err);
            err.flush();
            return Cli.EXIT_USAGE;
        } catch (IllegalArgumentException e) {
            err.println("esper token: " + e.getMessage());
            err.flush();
            return Cli.EXIT_USAGE;
        }
    }

    private String mint(Map<String, String> env) {
        TopicId id;
        try {
            id = TopicId.of(topic);
        } catch (InvalidTopicIdException e) {
            throw new IllegalArgumentException("--topic: " + e.reason(), e);
        }
        long seconds;
        try {
            seconds = Long.parseLong(ttl);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--ttl must be a whole number of seconds, was '" + ttl + "'", e);
        }
        Setting side = publisher ? Setting.PUBLISHER_SECRET : Setting.SUBSCRIBER_SECRET;
        String variable = side.environmentVariable();
        String value = env.get(variable);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(variable + " is not set: set it to the secret the server uses for "
                    + (publisher ? "publishing" : "subscribing"));
        }
        return JwtMinter.hmac(Secret.of(variable, value)).mint(id, Duration.ofSeconds(seconds));
    }
}
