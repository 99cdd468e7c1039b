package dev.esper.testing;

import java.util.Objects;

/**
 * One dispatched Server-Sent Event, as a browser's {@code EventSource} would see it, and the esper topic it came
 * from.
 *
 * @param id the last event id at dispatch (it carries over from earlier events, as in the HTML standard);
 *     empty if the stream never set one
 * @param event the event type; {@code message} when the event had no {@code event:} field
 * @param data the data lines joined with {@code \n}
 * @param topic the topic the event was published to, as esper's stream tells it: on {@code /subscribe/{topic}}
 *     that topic, on {@code /subscribe?topic=…&topic=…} the topic its id starts with (SPEC 8); empty for an
 *     {@code esper-gap} event, and for a stream that is neither
 */
public record SseEvent(String id, String event, String data, String topic) {
    /** Checks that no component is null. */
    public SseEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(topic, "topic");
    }

    /** An event with no topic (see {@link #topic()}). */
    public SseEvent(String id, String event, String data) {
        this(id, event, data, "");
    }

    /** Whether this is esper's {@code esper-gap} event (SPEC 8.1): its data names topics that may have lost events. */
    public boolean isGap() {
        return "esper-gap".equals(event);
    }
}
