package dev.esper.event;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An independent reader of {@code text/event-stream} bytes, written from the WHATWG HTML standard,
 * section 9.2.6 "Interpreting an event stream", step by step, and sharing no code with
 * {@link SseParser}. It plays the part of a browser's {@code EventSource}: what it dispatches is what a
 * page's listener would receive.
 *
 * <p>Deliberately literal: unknown fields are ignored, an {@code id} with NUL is ignored, a
 * {@code retry} that is not all ASCII digits is ignored, an event with an empty data buffer is not
 * dispatched, and an incomplete event at the end of the stream is discarded.
 *
 * <p>Not thread-safe; one instance reads one stream.
 */
final class EventStreamInterpreter {

    /** A {@code MessageEvent} as dispatched: its {@code type}, {@code data} and {@code lastEventId}. */
    record Dispatched(String type, String data, String lastEventId) {
    }

    // The buffers of the standard: "data buffer", "event type buffer", "last event ID buffer".
    private final StringBuilder dataBuffer = new StringBuilder();
    private final StringBuilder eventTypeBuffer = new StringBuilder();
    private String lastEventIdBuffer = "";
    // The EventSource's "last event ID string" and the event stream's "reconnection time".
    private String lastEventIdString = "";
    private BigInteger reconnectionTime;

    private final List<Dispatched> dispatched = new ArrayList<>();

    private EventStreamInterpreter() {
    }

    /** Reads a whole stream, from its first byte to its end. */
    static EventStreamInterpreter read(byte[] stream) {
        EventStreamInterpreter reader = new EventStreamInterpreter();
        reader.interpret(utf8Decode(stream));
        return reader;
    }

    /** The events dispatched, in order. */
    List<Dispatched> dispatched() {
        return List.copyOf(dispatched);
    }

    /** The last {@code retry} value that was all ASCII digits, or null if none was. */
    BigInteger reconnectionTime() {
        return reconnectionTime;
    }

    /** The EventSource's last event ID string after the stream (what a reconnect would send). */
    String lastEventId() {
        return lastEventIdString;
    }

    /**
     * The Encoding standard's "UTF-8 decode": strip one leading byte-order mark, then decode, replacing
     * each invalid sequence with U+FFFD (never failing).
     */
    private static String utf8Decode(byte[] bytes) {
        int start = 0;
        if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB
                && (bytes[2] & 0xFF) == 0xBF) {
            start = 3;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .replaceWith("\uFFFD");
        try {
            return decoder.decode(ByteBuffer.wrap(bytes, start, bytes.length - start)).toString();
        } catch (CharacterCodingException e) {
            throw new AssertionError("a replacing decoder does not throw", e);
        }
    }

    /**
     * "The stream must then be parsed by reading everything line by line, with a U+000D CARRIAGE RETURN
     * U+000A LINE FEED (CRLF) character pair, a single U+000A LINE FEED (LF) character not preceded by a
     * U+000D CARRIAGE RETURN (CR) character, and a single U+000D CARRIAGE RETURN (CR) character not
     * followed by a U+000A LINE FEED (LF) character being the ways in which a line can end."
     *
     * <p>A final line with no end-of-line is not a line: "Once the end of the file is reached, any
     * pending data must be discarded."
     */
    private void interpret(String stream) {
        int lineStart = 0;
        int i = 0;
        int n = stream.length();
        while (i < n) {
            char c = stream.charAt(i);
            if (c == '\r') {
                processLine(stream.substring(lineStart, i));
                i += (i + 1 < n && stream.charAt(i + 1) == '\n') ? 2 : 1;
                lineStart = i;
            } else if (c == '\n') {
                processLine(stream.substring(lineStart, i));
                i++;
                lineStart = i;
            } else {
                i++;
            }
        }
        // Anything from lineStart to n is an unterminated line: discarded, as is a pending event.
    }

    private void processLine(String line) {
        // "If the line is empty (a blank line): Dispatch the event."
        if (line.isEmpty()) {
            dispatchTheEvent();
            return;
        }
        // "If the line starts with a U+003A COLON character (:): Ignore the line."
        if (line.charAt(0) == ':') {
            return;
        }
        int colon = line.indexOf(':');
        if (colon >= 0) {
            // "Collect the characters on the line before the first U+003A COLON character (:), and let
            // field be that string. Collect the characters on the line after the first U+003A COLON
            // character (:), and let value be that string. If value starts with a U+0020 SPACE
            // character, remove it from value."
            String field = line.substring(0, colon);
            String value = line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            processField(field, value);
        } else {
            // "Otherwise, the string is not empty but does not contain a U+003A COLON character (:):
            // Process the field using the whole line as the field name, and the empty string as the
            // field value."
            processField(line, "");
        }
    }

    private void processField(String field, String value) {
        switch (field) {
            case "event":
                // "Set the event type buffer to field value."
                eventTypeBuffer.setLength(0);
                eventTypeBuffer.append(value);
                break;
            case "data":
                // "Append the field value to the data buffer, then append a single U+000A LINE FEED (LF)
                // character to the data buffer."
                dataBuffer.append(value).append('\n');
                break;
            case "id":
                // "If the field value does not contain U+0000 NULL, then set the last event ID buffer to
                // the field value. Otherwise, ignore the field."
                if (value.indexOf('\u0000') < 0) {
                    lastEventIdBuffer = value;
                }
                break;
            case "retry":
                // "If the field value consists of only ASCII digits, then interpret the field value as an
                // integer in base ten, and set the event stream's reconnection time to that integer.
                // Otherwise, ignore the field."
                if (!value.isEmpty() && value.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    reconnectionTime = new BigInteger(value);
                }
                break;
            default:
                // "Otherwise: The field is ignored."
                break;
        }
    }

    private void dispatchTheEvent() {
        // 1. "Set the last event ID string of the event source to the value of the last event ID
        //    buffer. The buffer does not get reset, so the last event ID string of the event source
        //    remains set to this value until the next time it is set by the server."
        lastEventIdString = lastEventIdBuffer;
        // 2. "If the data buffer is an empty string, set the data buffer and the event type buffer to
        //    the empty string and return."
        if (dataBuffer.length() == 0) {
            eventTypeBuffer.setLength(0);
            return;
        }
        // 3. "If the data buffer's last character is a U+000A LINE FEED (LF) character, then remove the
        //    last character from the data buffer."
        if (dataBuffer.charAt(dataBuffer.length() - 1) == '\n') {
            dataBuffer.setLength(dataBuffer.length() - 1);
        }
        // 4. "Let event be the result of creating an event using MessageEvent ... type attribute
        //    initialized to 'message', data attribute initialized to the value of the data buffer,
        //    ... lastEventId attribute initialized to the last event ID string of the event source."
        String type = "message";
        // 5. "If the event type buffer has a value other than the empty string, change the type of the
        //    newly created event to equal the value of the event type buffer."
        if (eventTypeBuffer.length() > 0) {
            type = eventTypeBuffer.toString();
        }
        Dispatched event = new Dispatched(type, dataBuffer.toString(), lastEventIdString);
        // 6. "Set the data buffer and the event type buffer to the empty string."
        dataBuffer.setLength(0);
        eventTypeBuffer.setLength(0);
        // 7. "Queue a task which, if the readyState attribute is set to a value other than CLOSED,
        //    dispatches the newly created event at the EventSource object."
        dispatched.add(event);
    }
}
