package dev.esper.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The event-stream interpretation of the HTML standard (WHATWG, "9.2.6 Interpreting an event stream"):
 * UTF-8, a leading BOM dropped, lines ended by CRLF, LF or CR, {@code :} comments, {@code field: value}
 * with one leading space dropped, {@code data} lines joined with LF, {@code id} persisting across events and
 * ignored when it holds NUL, {@code retry} only when all ASCII digits, unknown fields ignored, and an event
 * cut off by the end of the stream never dispatched.
 *
 * <p>Pure: bytes in, events out. Not thread-safe; one reader thread feeds it.
 */
final class SseParser {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final Consumer<SseEvent> sink;
    /** Where each event's topic comes from (see {@link SseEvent#topic()}). */
    private final Topics topics;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final StringBuilder data = new StringBuilder();
    private String eventType = "";
    private String lastEventId = "";
    /** The {@code id} field of the event being read, or null when it has none of its own. */
    private String ownId;
    private long retry = -1;
    private boolean afterCr;
    private int bomBytesSeen;
    private boolean bomChecked;

    /** Where an event's topic comes from. */
    interface Topics {
        /**
         * The topic of an event.
         *
         * @param type the event type
         * @param ownId the event's own {@code id} field, or null
         * @return the topic, or empty
         */
        String of(String type, String ownId);

        /** Every event has no topic. */
        Topics NONE = (type, ownId) -> "";

        /** A stream of one topic ({@code /subscribe/{topic}}): every event but esper-gap is that topic's. */
        static Topics one(String topic) {
            return (type, ownId) -> "esper-gap".equals(type) ? "" : topic;
        }

        /** A stream of several ({@code /subscribe?topic=…}): an event's topic starts its own id, {@code <topic>:}. */
        Topics FROM_IDS = (type, ownId) -> {
            int colon = ownId == null ? -1 : ownId.indexOf(':');
            return colon > 0 ? ownId.substring(0, colon) : "";
        };
    }

    SseParser(Consumer<SseEvent> sink) {
        this(sink, Topics.NONE);
    }

    SseParser(Consumer<SseEvent> sink, Topics topics) {
        this.sink = sink;
        this.topics = topics;
    }

    /** Feeds bytes; complete lines are interpreted at once. */
    void feed(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (!bomChecked && skipBom(b)) {
                continue;
            }
            if (b == LF && afterCr) {
                afterCr = false;
                continue;
            }
            afterCr = b == CR;
            if (b == CR || b == LF) {
                processLine(new String(line.toByteArray(), StandardCharsets.UTF_8));
                line.reset();
            } else {
                line.write(b);
            }
        }
    }

    /** The last event id string (persists across events). */
    String lastEventId() {
        return lastEventId;
    }

    /** The last valid {@code retry} value in milliseconds, or -1 if none was sent. */
    long retry() {
        return retry;
    }

    private boolean skipBom(byte b) {
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        if (b == bom[bomBytesSeen]) {
            bomBytesSeen++;
            if (bomBytesSeen == bom.length) {
                bomChecked = true;
            }
            return true;
        }
        bomChecked = true;
        for (int i = 0; i < bomBytesSeen; i++) {
            line.write(bom[i]);
        }
        return false;
    }

    private void processLine(String text) {
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') {
            return;
        }
        int colon = text.indexOf(':');
        String field;
        String value;
        if (colon < 0) {
            field = text;
            value = "";
        } else {
            field = text.substring(0, colon);
            value = text.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
        }
        switch (field) {
            case "event":
                eventType = value;
                break;
            case "data":
                data.append(value).append('\n');
                break;
            case "id":
                if (value.indexOf('\0') < 0) {
                    lastEventId = value;
                    ownId = value;
                }
                break;
            case "retry":
                if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    try {
                        retry = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        // Too large for a long: ignored, like any invalid retry.
                    }
                }
                break;
            default:
                break;
        }
    }

    private void dispatch() {
        String own = ownId;
        ownId = null;
        if (data.length() == 0) {
            eventType = "";
            return;
        }
        data.setLength(data.length() - 1);
        String type = eventType.isEmpty() ? "message" : eventType;
        SseEvent event = new SseEvent(lastEventId, type, data.toString(), topics.of(type, own));
        data.setLength(0);
        eventType = "";
        sink.accept(event);
    }
}
