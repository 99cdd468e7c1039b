package dev.esper.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A publish with an {@code Idempotency-Key}: a repeat answers like the first and publishes nothing. */
class IdempotentPublishTest {
    private static final TopicId TOPIC = TopicId.of("abcdef123");

    private final ManualClock clock = new ManualClock();
    private Broker broker = Broker.builder().clock(clock).historyTtl(Duration.ofSeconds(60))
            .deliveryExecutor(Runnable::run).manualMaintenance().build();

    @AfterEach
    void close() {
        broker.close(Duration.ZERO);
    }

    private PublishResult publish(String data, String key) {
        return broker.publishAsync(TOPIC, List.of(Event.of(data)), key).toCompletableFuture().join();
    }

    @Test
    void aRepeatWithTheSameKeyGetsTheFirstAnswerAndPublishesNothing() {
        RecordingSubscriber sub = RecordingSubscriber.ready();
        broker.subscribe(TOPIC, null, sub);

        PublishResult first = publish("once", "order-42");
        PublishResult again = publish("once", "order-42");

        assertThat(again).isEqualTo(first);
        assertThat(broker.stats().published()).isEqualTo(1);
        assertThat(sub.dataList()).containsExactly("once");
    }

    @Test
    void anotherKeyOrAnotherTopicOrNoKeyPublishes() {
        publish("a", "k1");
        publish("b", "k2");
        publish("c", null);
        broker.publishAsync(TopicId.of("othertopic1"), List.of(Event.of("d")), "k1").toCompletableFuture().join();

        assertThat(broker.stats().published()).isEqualTo(4);
    }

    @Test
    void aKeyIsForgottenAfterTheRetentionWindow() {
        publish("first", "k1");
        clock.advance(Duration.ofSeconds(61));

        publish("later", "k1");

        assertThat(broker.stats().published()).isEqualTo(2);
    }

    @Test
    void aPublishThatFailedIsForgottenSoTryingAgainPublishes() {
        broker.close(Duration.ZERO);
        List<Boolean> fail = new ArrayList<>(List.of(true));
        broker = Broker.builder().clock(clock).deliveryExecutor(Runnable::run).manualMaintenance()
                .transport(new Transport() {
                    private Sink sink;

                    @Override
                    public void start(Sink sink) {
                        this.sink = sink;
                    }

                    @Override
                    public CompletionStage<PublishResult> publish(TopicId topic, List<Event> events) {
                        if (fail.remove(Boolean.TRUE)) {
                            return CompletableFuture.failedFuture(new CapacityExceededException("down for now"));
                        }
                        return CompletableFuture.completedFuture(sink.append(topic, events));
                    }
                }).build();

        assertThatThrownBy(() -> publish("x", "k1")).hasCauseInstanceOf(CapacityExceededException.class);
        PublishResult second = publish("x", "k1");

        assertThat(second.published()).isEqualTo(1);
        assertThat(broker.stats().published()).isEqualTo(1);
    }

    @Test
    void concurrentRepeatsPublishOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<PublishResult>> results = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                results.add(pool.submit(() -> publish("race", "same-key")));
            }
            PublishResult first = results.get(0).get();
            for (Future<PublishResult> r : results) {
                assertThat(r.get().ids()).isEqualTo(first.ids());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(broker.stats().published()).isEqualTo(1);
    }

    @Test
    void aKeyMustBeOneTo255VisibleAsciiCharacters() {
        assertThat(Broker.isValidIdempotencyKey("a")).isTrue();
        assertThat(Broker.isValidIdempotencyKey("x".repeat(255))).isTrue();
        assertThat(Broker.isValidIdempotencyKey("")).isFalse();
        assertThat(Broker.isValidIdempotencyKey("x".repeat(256))).isFalse();
        assertThat(Broker.isValidIdempotencyKey("has space")).isFalse();
        assertThat(Broker.isValidIdempotencyKey("caf\u00e9")).isFalse();
        assertThatThrownBy(() -> publish("x", "bad key")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(Broker.IDEMPOTENCY_KEY_RULE);
    }

    @Test
    void theKeysRememberedAreBounded() {
        IdempotencyKeys keys = new IdempotencyKeys(60_000, clock);
        for (int i = 0; i <= IdempotencyKeys.MAX_KEYS; i++) {
            keys.claim(TOPIC, "k" + i, new CompletableFuture<>());
        }
        assertThat(keys.size()).isEqualTo(IdempotencyKeys.MAX_KEYS);
        assertThat(keys.claim(TOPIC, "k0", new CompletableFuture<>())).as("the oldest was forgotten").isNull();
    }
}
