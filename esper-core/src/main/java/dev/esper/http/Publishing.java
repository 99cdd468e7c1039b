package dev.esper.http;

import dev.esper.EsperException;
import dev.esper.broker.Broker;
import dev.esper.broker.Json;
import dev.esper.event.Event;
import dev.esper.event.SseParser;
import dev.esper.topic.TopicId;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The publish half of esper's HTTP API once the body is read (SPEC 2.2): parse it all-or-nothing, publish it,
 * and the answer to send. Every front end (the servlet, the standalone server's Jetty handler, your own)
 * answers with it, after {@link Admission} said {@link Admission.Action#PUBLISH}; the messages for a body
 * that is too large, too slow or unreadable are here too, so every front end words them alike.
 *
 * <p>Stateless and thread-safe.
 */
public final class Publishing {
    private static final System.Logger LOG = System.getLogger(Publishing.class.getName());

    private Publishing() {
    }

    /**
     * An answer to a publish: its status and JSON body ({@link dev.esper.broker.PublishResult#toJson()} for
     * {@code 200}, else {@code {"error":"..."}}).
     *
     * @param status the HTTP status
     * @param body the JSON body
     */
    public record Reply(int status, String body) {
    }

    /**
     * Parses a publish body and publishes it. Never completes exceptionally: a body the parser rejects, a full
     * broker or a failed transport become the error answer the SPEC gives them ({@code 400}, {@code 503}, ...),
     * and anything unexpected a {@code 500} (logged, without the body). The bytes are read before this returns.
     *
     * @param broker where to publish
     * @param topic the admitted topic
     * @param body the body's bytes
     * @param offset where the body starts in {@code body}
     * @param length the body's length
     * @return the answer, once the broker (or its transport) has taken the events or refused them
     */
    public static CompletionStage<Reply> publish(Broker broker, TopicId topic, byte[] body, int offset, int length) {
        CompletionStage<Reply> stage;
        try {
            List<Event> events = SseParser.parse(body, offset, length);
            stage = broker.publishAsync(topic, events).handle((result, failure) -> failure == null
                    ? new Reply(200, result.toJson()) : failed(topic, failure));
        } catch (RuntimeException e) {
            stage = CompletableFuture.completedFuture(failed(topic, e));
        }
        return stage;
    }

    private static Reply failed(TopicId topic, Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (cause instanceof EsperException) {
            EsperException e = (EsperException) cause;
            return new Reply(e.status(), Json.error(e.reason()));
        }
        LOG.log(Level.WARNING, "publish to " + topic + " failed: " + cause);
        return new Reply(500, Json.error("publish failed inside the server"));
    }

    /** The reason of a {@code 413}: the body is larger than {@code maxBody} bytes. */
    public static String bodyTooLarge(int maxBody) {
        return "publish body is larger than " + maxBody + " bytes (the max-body limit)";
    }

    /** The reason of a {@code 408}: the body did not arrive within {@code millis}. */
    public static String bodyTimedOut(long millis) {
        return "publish body was not received within " + millis / 1000 + " seconds";
    }

    /** The reason of a {@code 400} for a body that could not be read (a client that left, a broken chunk). */
    public static String bodyUnreadable(Throwable failure) {
        return "publish body could not be read: " + failure.getClass().getSimpleName();
    }
}
