package dev.esper.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.broker.Broker;
import dev.esper.broker.CapacityExceededException;
import dev.esper.broker.PublishResult;
import dev.esper.broker.Transport;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@link Publishing}: the answer to a publish body, whatever happens to it (SPEC 2.2). */
class PublishingTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");

    private static Answer publish(Broker broker, String body) {
        byte[] bytes = ("xx" + body + "yy").getBytes(StandardCharsets.UTF_8);
        return Publishing.publish(broker, new HttpApi.Cors("*"), TOPIC, bytes, 2, bytes.length - 4, null).toCompletableFuture().join();
    }

    @Test
    void aValidBodyIsPublishedAndAnswered200WithTheIds() {
        try (Broker broker = Broker.builder().build()) {
            Answer r = publish(broker, "id: a1\ndata: one\n\ndata: two\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).startsWith("{").contains("\"a1\"");
            assertThat(broker.stats().published()).isEqualTo(2);
        }
    }

    @Test
    void onlyTheGivenRangeOfTheArrayIsTheBody() {
        try (Broker broker = Broker.builder().build()) {
            // The bytes around the range ("xx", "yy") would be a data line's tail if they were read.
            Answer r = publish(broker, "data: inside\n");
            assertThat(r.status()).isEqualTo(200);
            assertThat(broker.stats().published()).isEqualTo(1);
        }
    }

    @Test
    void aBodyTheParserRejectsIs400WithItsReasonAndPublishesNothing() {
        try (Broker broker = Broker.builder().build()) {
            Answer r = publish(broker, "");
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.bodyText()).startsWith("{\"error\":\"");
            assertThat(broker.stats().published()).isZero();
        }
    }

    @Test
    void aTransportRefusalBecomesItsStatusNotAFailure() {
        try (Broker broker = Broker.builder().transport(new FailingTransport(() -> CompletableFuture.failedFuture(
                new CapacityExceededException("cluster is unreachable")))).build()) {
            Answer r = publish(broker, "data: x\n");
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.bodyText()).contains("cluster is unreachable");
        }
    }

    @Test
    void anUnexpectedFailureIs500WithoutDetails() {
        try (Broker broker = Broker.builder().transport(new FailingTransport(() -> {
            throw new IllegalStateException("secret internals");
        })).build()) {
            Answer r = publish(broker, "data: x\n");
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.bodyText()).contains("publish failed inside the server").doesNotContain("secret internals");
        }
    }

    @Test
    void theBodyMessagesNameTheLimitAndTheTime() {
        assertThat(Publishing.bodyTooLarge(100)).isEqualTo("publish body is larger than 100 bytes (the max-body limit)");
        assertThat(Publishing.bodyTimedOut(Duration.ofSeconds(30).toMillis()))
                .isEqualTo("publish body was not received within 30 seconds");
        assertThat(Publishing.bodyUnreadable(new java.io.EOFException("x")))
                .isEqualTo("publish body could not be read: EOFException");
    }

    /** A transport whose every publish ends as {@code outcome} says. */
    private static final class FailingTransport implements Transport {
        private final Supplier<CompletionStage<PublishResult>> outcome;

        FailingTransport(Supplier<CompletionStage<PublishResult>> outcome) {
            this.outcome = outcome;
        }

        @Override
        public void start(Sink sink) {
            // Never appends.
        }

        @Override
        public CompletionStage<PublishResult> publish(TopicId topic, List<Event> events) {
            return outcome.get();
        }
    }
}
