package dev.esper.http;

import dev.esper.broker.Broker;
import dev.esper.event.Event;
import dev.esper.event.SseParser;
import dev.esper.topic.TopicId;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The publish half of the API once the body is read (SPEC 2.2): parse it all-or-nothing, publish it, and the
 * answer to send; and the wording of every body error, so that all answers word them alike.
 *
 * <p>Stateless and thread-safe.
 */
final class Publishing {
    private Publishing() {
    }

    /**
     * Parses a publish body and publishes it. Never completes exceptionally: a body the parser rejects, a full
     * broker or a failed transport become the error answer the SPEC gives them ({@code 400}, {@code 503}, ...),
     * and anything unexpected a {@code 500} (logged, without the body). The bytes are read before this returns.
     * With an idempotency key (or null for none) it publishes at most once per key ({@link Broker#publishAsync}).
     *
     * @return the answer ({@code 200} with {@code published}, {@code ids} and {@code subscribers}), once the
     *     broker (or its transport) has taken the events or refused them
     */
    static CompletionStage<Answer> publish(Broker broker, HttpApi.Cors cors, TopicId topic, byte[] body, int offset,
            int length, String idempotencyKey) {
        try {
            List<Event> events = SseParser.parse(body, offset, length);
            return broker.publishAsync(topic, events, idempotencyKey).handle((result, failure) -> failure == null
                    ? cors.answer(200).json(result.toJson()).build()
                    : HttpApi.failed(cors, "publish", topic, failure, false));
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(HttpApi.failed(cors, "publish", topic, e, false));
        }
    }

    /** The reason of a {@code 413}: the body is larger than {@code maxBody} bytes. */
    static String bodyTooLarge(int maxBody) {
        return "publish body is larger than " + maxBody + " bytes (the max-body limit)";
    }

    /** The reason of a {@code 408}: the body did not arrive within {@code millis}. */
    static String bodyTimedOut(long millis) {
        return "publish body was not received within " + millis / 1000 + " seconds";
    }

    /** The reason of a {@code 400} for a body that could not be read (a client that left, a broken chunk). */
    static String bodyUnreadable(Throwable failure) {
        return "publish body could not be read: " + failure.getClass().getSimpleName();
    }
}
