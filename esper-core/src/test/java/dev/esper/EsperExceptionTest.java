package dev.esper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class EsperExceptionTest {
    private final EsperException full = new EsperException(503, "broker is full");

    @Test
    void unwrapsTheCauseOfACompletionException() {
        assertThat(EsperException.unwrap(new CompletionException(full))).isSameAs(full);
    }

    @Test
    void unwrapsTheCauseOfAnExecutionException() {
        assertThat(EsperException.unwrap(new ExecutionException(full))).isSameAs(full);
    }

    @Test
    void unwrapsNestedWrappersDownToTheFailureThrown() {
        Throwable nested = new CompletionException(new ExecutionException(new CompletionException(full)));

        assertThat(EsperException.unwrap(nested)).isSameAs(full);
    }

    @Test
    void returnsAFailureThatIsNoWrapperAsItIs() {
        IllegalStateException failure = new IllegalStateException("x", new CompletionException(full));

        assertThat(EsperException.unwrap(failure)).isSameAs(failure);
    }

    @Test
    void returnsAWrapperWithoutACauseAsItIs() {
        CompletionException bare = new CompletionException("no cause", null);

        assertThat(EsperException.unwrap(bare)).isSameAs(bare);
    }

    @Test
    void findsWhatAFailedStageWasCompletedWith() {
        CompletableFuture<Void> stage = CompletableFuture.failedFuture(full);

        assertThatThrownBy(stage::join).satisfies(e -> assertThat(EsperException.unwrap(e)).isSameAs(full));
        assertThatThrownBy(stage::get).satisfies(e -> assertThat(EsperException.unwrap(e)).isSameAs(full));
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> EsperException.unwrap(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("failure");
    }
}
