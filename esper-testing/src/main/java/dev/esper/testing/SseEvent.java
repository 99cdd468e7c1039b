package dev.esper.testing;

import java.util.Objects;

/**
 * One dispatched Server-Sent Event, as a browser's {@code EventSource} would see it.
 *
 * @param id the last event id at dispatch (it carries over from earlier events, as in the HTML standard);
 *     empty if the stream never set one
 * @param event the event type; {@code message} when the event had no {@code event:} field
 * @param data the data lines joined with {@code \n}
 */
public record SseEvent(String id, String event, String data) {
    /** Checks that no component is null. */
    public SseEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(data, "data");
    }
}
