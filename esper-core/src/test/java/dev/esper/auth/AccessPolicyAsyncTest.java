package dev.esper.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.topic.TopicId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The non-blocking checks of {@link AccessPolicy}: the same rules, the failure in the stage, never thrown. */
class AccessPolicyAsyncTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");
    private final MutableInstantSource clock = new MutableInstantSource(java.time.Instant.ofEpochSecond(1_800_000_000L));
    private final FakeTokenVerifier verifier = new FakeTokenVerifier()
            .accept("good", Map.of("sub", "abcdef123", "exp", 1_800_000_060L))
            .accept("expired", Map.of("sub", "abcdef123", "exp", 1_799_999_000L))
            .accept("stats", Map.of("exp", 1_800_000_060L));
    private final AccessPolicy policy = AccessPolicy.builder().protect(Side.SUBSCRIBER, verifier)
            .protect(Side.PUBLISHER, verifier).clock(clock).build();

    private static Throwable failure(java.util.concurrent.CompletionStage<Void> stage) {
        CompletableFuture<Void> f = stage.toCompletableFuture();
        assertThat(f).as("a verifier with its keys at hand decides at once").isDone();
        try {
            f.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    @Test
    void aVerifierWithItsKeysAtHandDecidesBeforeTheCallReturns() {
        assertThat(failure(policy.checkSubscribeAsync(List.of(TOPIC), "good"))).isNull();
        assertThat(failure(policy.checkPublishAsync(TOPIC, "good"))).isNull();
        assertThat(failure(policy.checkStatsAsync("stats"))).isNull();
    }

    @Test
    void theFailuresAreTheBlockingChecksExceptionsInTheStage() {
        assertThat(failure(policy.checkSubscribeAsync(List.of(TOPIC), null)))
                .isInstanceOfSatisfying(AuthenticationException.class, e -> assertThat(e.tokenPresent()).isFalse());
        assertThat(failure(policy.checkSubscribeAsync(List.of(TOPIC), "expired")))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("expired");
        assertThat(failure(policy.checkSubscribeAsync(List.of(TOPIC), "forged")))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("signature");
        assertThat(failure(policy.checkPublishAsync(TopicId.of("othertopic1"), "good")))
                .isInstanceOf(AccessDeniedException.class).hasMessageContaining("othertopic1");
        assertThat(failure(policy.checkStatsAsync("stats"))).isNull();
        assertThat(failure(policy.checkSubscribeAsync(List.of(TOPIC), "stats")))
                .isInstanceOf(AuthenticationException.class).hasMessageContaining("neither 'sub'");
    }

    @Test
    void anOpenSideAdmitsAtOnce() {
        AccessPolicy open = AccessPolicy.openToAll();
        assertThat(failure(open.checkSubscribeAsync(List.of(TOPIC), null))).isNull();
        assertThat(failure(open.checkStatsAsync(null))).isNull();
    }
}
