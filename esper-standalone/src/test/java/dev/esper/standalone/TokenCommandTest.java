package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.AuthenticationException;
import dev.esper.auth.Secret;
import dev.esper.auth.Side;
import dev.esper.jwt.JwtVerifier;
import dev.esper.topic.TopicId;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code esper token}: a token for a topic, minted from the secret in the environment, as the server reads it. */
class TokenCommandTest {
    private static final String SUB = "subscriber-secret-0123456789abcdef";
    private static final String PUB = "publisher-secret-0123456789abcdef!!";
    private static final Map<String, String> ENV = Map.of("ESPER_SUBSCRIBER_SECRET", SUB, "ESPER_PUBLISHER_SECRET", PUB);

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(Map<String, String> env, String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "token";
        System.arraycopy(args, 0, all, 1, args.length);
        Cli.Parsed parsed = Cli.parse(all, env, new PrintWriter(out), new PrintWriter(err));
        assertThat(parsed.config()).as("a token command never starts a server").isNull();
        return parsed.exitCode();
    }

    private static AccessPolicy policy() {
        return AccessPolicy.builder()
                .protect(Side.SUBSCRIBER, JwtVerifier.hmac(Secret.of("ESPER_SUBSCRIBER_SECRET", SUB)))
                .protect(Side.PUBLISHER, JwtVerifier.hmac(Secret.of("ESPER_PUBLISHER_SECRET", PUB)))
                .build();
    }

    @Test
    void printsASubscriberTokenTheServerAcceptsForTheTopic() {
        assertThat(run(ENV, "--topic=ABCdef123")).isZero();
        String token = out.toString().strip();
        assertThat(token.split("\\.")).hasSize(3);
        policy().checkSubscribe(TopicId.of("abcdef123"), token);
        assertThatThrownBy(() -> policy().checkPublish(TopicId.of("abcdef123"), token))
                .isInstanceOf(AuthenticationException.class);
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void withPublisherTheTokenPublishesAndReadsStats() {
        assertThat(run(ENV, "--topic", "abcdef123", "--publisher", "--ttl=60")).isZero();
        String token = out.toString().strip();
        policy().checkPublish(TopicId.of("abcdef123"), token);
        policy().checkStats(token);
    }

    @Test
    void aMissingSecretExits2NamingTheVariable() {
        assertThat(run(Map.of("ESPER_SUBSCRIBER_SECRET", SUB), "--topic=abcdef123", "--publisher")).isEqualTo(2);
        assertThat(err.toString()).startsWith("esper token: ESPER_PUBLISHER_SECRET is not set");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aShortSecretExits2WithoutShowingIt() {
        assertThat(run(Map.of("ESPER_SUBSCRIBER_SECRET", "tooshort-secret"), "--topic=abcdef123")).isEqualTo(2);
        assertThat(err.toString()).contains("ESPER_SUBSCRIBER_SECRET").doesNotContain("tooshort-secret");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void aBadTopicExits2SayingWhatAValidIdIs() {
        assertThat(run(ENV, "--topic=short")).isEqualTo(2);
        assertThat(err.toString()).contains("--topic: topic id must be 8-64 ASCII letters or digits");
    }

    @Test
    void aBadOrMissingTtlOrTopicExits2() {
        assertThat(run(ENV, "--topic=abcdef123", "--ttl=0")).isEqualTo(2);
        assertThat(err.toString()).contains("token ttl must be from 1 second to 366 days");
        assertThat(run(ENV, "--topic=abcdef123", "--ttl=soon")).isEqualTo(2);
        assertThat(err.toString()).contains("--ttl must be a whole number of seconds, was 'soon'");
        assertThat(run(ENV)).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--topic=<id>'");
    }

    @Test
    void helpExplainsTheCommandAndExits0() {
        assertThat(run(ENV, "--help")).isZero();
        assertThat(out.toString()).contains("esper token").contains("--publisher").contains("ESPER_PUBLISHER_SECRET");
    }
}
