package dev.esper.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.AuthenticationException;
import dev.esper.auth.Claims;
import dev.esper.auth.Side;
import dev.esper.auth.TokenVerifier;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link HttpApi} with a verifier that answers later (one fetching a key): the request is decided when the
 * verifier's stage completes, on the thread that completes it, and {@code handle} returns at once without answering.
 */
class PendingTokenCheckTest {
    private final Broker broker = Broker.builder().deliveryExecutor(Runnable::run).build();
    private final LaterVerifier verifier = new LaterVerifier();
    private final HttpApi api = HttpApi.create(broker, EsperConfig.builder().build(),
            AccessPolicy.builder().protect(Side.SUBSCRIBER, verifier).protect(Side.PUBLISHER, verifier).build());

    /** Answers every token with a stage the test completes. */
    static final class LaterVerifier implements TokenVerifier {
        final List<CompletableFuture<Claims>> pending = new ArrayList<>();

        @Override
        public Claims verify(String token) {
            throw new AssertionError("the HTTP API must not call the blocking verify");
        }

        @Override
        public CompletionStage<Claims> verifyAsync(String token) {
            CompletableFuture<Claims> later = new CompletableFuture<>();
            pending.add(later);
            return later;
        }
    }

    @AfterEach
    void close() {
        broker.close(Duration.ZERO);
    }

    private static Claims claims(String sub) {
        return Claims.of(Map.of("sub", sub, "exp", Tokens.inAnHour()));
    }

    private FakeExchange subscribe(String topic) {
        FakeExchange ex = new FakeExchange("GET", "/subscribe/" + topic, null).header("Authorization", "Bearer t");
        api.handle(ex);
        return ex;
    }

    @Test
    void aSubscribeWaitsForTheVerifierWithoutAnAnswerThenOpensItsStream() {
        FakeExchange ex = subscribe("abcdef123");
        assertThat(ex.answers).isEmpty();
        assertThat(ex.head).isNull();

        verifier.pending.get(0).complete(claims("abcdef123"));

        assertThat(ex.answers).isEmpty();
        assertThat(ex.head.status()).isEqualTo(200);
        assertThat(ex.streamed.toString()).startsWith(":ok");
        assertThat(broker.stats().clients()).isEqualTo(1);
    }

    @Test
    void theRulesApplyOnceTheClaimsArrive401And403() {
        FakeExchange rejected = subscribe("abcdef123");
        FakeExchange otherTopic = subscribe("abcdef123");

        verifier.pending.get(0).completeExceptionally(AuthenticationException.invalidToken("token kid 'k' names no key"));
        verifier.pending.get(1).complete(claims("othertopic1"));

        assertThat(rejected.answer().status()).isEqualTo(401);
        assertThat(rejected.answer().header("WWW-Authenticate")).contains("error=\"invalid_token\"")
                .contains("names no key");
        assertThat(otherTopic.answer().status()).isEqualTo(403);
        assertThat(otherTopic.answer().bodyText()).contains("token does not grant topic 'abcdef123'");
        assertThat(broker.stats().clients()).isZero();
    }

    @Test
    void aVerifierThatFailsUnexpectedlyIs500NamingNoInternals() {
        FakeExchange ex = new FakeExchange("GET", "/stats", null).header("Authorization", "Bearer t");
        api.handle(ex);

        verifier.pending.get(0).completeExceptionally(new IllegalStateException("secret internals"));

        assertThat(ex.answer().status()).isEqualTo(500);
        assertThat(ex.answer().bodyText()).isEqualTo("{\"error\":\"checking the token failed inside the server\"}\n");
    }

    /** Expiry times for claims. */
    static final class Tokens {
        static long inAnHour() {
            return System.currentTimeMillis() / 1000 + 3600;
        }
    }
}
