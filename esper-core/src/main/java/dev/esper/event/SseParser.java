package dev.esper.event;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a publish body in the {@code text/event-stream} format into events, all or nothing.
 *
 * <p>The rules (SPEC 2.2, following the HTML standard's event-stream interpretation):
 * <ul>
 *   <li>the body is UTF-8; a leading byte-order mark is skipped; invalid UTF-8 is rejected;</li>
 *   <li>lines end with LF, CRLF or CR; a blank line ends an event; the end of the body ends the last
 *       event, so a body need not end with a blank line;</li>
 *   <li>a line is {@code field:value}, {@code field: value} (one space after the colon is dropped) or
 *       a bare {@code field} (empty value); lines starting with {@code :} are comments;</li>
 *   <li>fields are {@code data} (one or more; several lines join with {@code \n}), {@code event},
 *       {@code id} (no NUL or unpaired surrogate; the last one wins) and {@code retry} (ASCII digits, the
 *       last one wins); any other field name is rejected. An {@code id} or {@code retry} line is checked
 *       against {@link Event}'s rule for the field at once, even if a later line would replace it;</li>
 *   <li>an event needs at least one {@code data} line; a body with no event at all is rejected.</li>
 * </ul>
 * Every rejection is an {@link InvalidEventException} whose message names the problem and the line.
 *
 * <p>Stateless and thread-safe.
 */
public final class SseParser {
    private SseParser() {
    }

    /**
     * Parses a UTF-8 body.
     *
     * @param body the raw request body
     * @return the events, in order; never empty
     * @throws InvalidEventException if the body is not valid UTF-8 or breaks a rule above
     */
    public static List<Event> parse(byte[] body) {
        return parse(body, 0, body.length);
    }

    /**
     * Parses {@code length} bytes of UTF-8 starting at {@code offset}.
     *
     * @throws InvalidEventException if the bytes are not valid UTF-8 or break a rule of this class
     */
    public static List<Event> parse(byte[] body, int offset, int length) {
        return parse(decode(body, offset, length));
    }

    /** Strict UTF-8 decoding; pure ASCII (the common case) skips the decoder. */
    private static String decode(byte[] body, int offset, int length) {
        boolean ascii = true;
        for (int i = offset, end = offset + length; i < end; i++) {
            if (body[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            return new String(body, offset, length, StandardCharsets.ISO_8859_1);
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body, offset, length);
        CharBuffer chars = CharBuffer.allocate(length);
        CoderResult result = decoder.decode(in, chars, true);
        if (!result.isError()) {
            result = decoder.flush(chars);
        }
        if (result.isError()) {
            throw new InvalidEventException("publish body is not valid UTF-8 (bad byte sequence at byte "
                    + (in.position() - offset) + ")");
        }
        chars.flip();
        return chars.toString();
    }

    /**
     * Parses text already decoded.
     *
     * @throws InvalidEventException if the text breaks a rule of this class
     */
    public static List<Event> parse(CharSequence input) {
        String text = input.toString();
        List<Event> events = new ArrayList<>();
        Block block = new Block();
        int n = text.length();
        int pos = 0;
        if (n > 0 && text.charAt(0) == '\uFEFF') {
            pos = 1;
        }
        int lineNo = 0;
        while (pos < n) {
            int end = pos;
            while (end < n) {
                char c = text.charAt(end);
                if (c == '\n' || c == '\r') {
                    break;
                }
                end++;
            }
            lineNo++;
            processLine(text, pos, end, lineNo, block, events);
            if (end < n && text.charAt(end) == '\r' && end + 1 < n && text.charAt(end + 1) == '\n') {
                pos = end + 2;
            } else {
                pos = end + 1;
            }
        }
        block.finish(lineNo, events);
        if (events.isEmpty()) {
            throw new InvalidEventException(n == 0
                    ? "publish body is empty; send at least one 'data:' line"
                    : "publish body holds no event; send at least one 'data:' line");
        }
        return List.copyOf(events);
    }

    private static void processLine(String text, int start, int end, int lineNo, Block block,
            List<Event> events) {
        if (start == end) {
            block.finish(lineNo, events);
            return;
        }
        if (text.charAt(start) == ':') {
            return;
        }
        int colon = -1;
        for (int i = start; i < end; i++) {
            if (text.charAt(i) == ':') {
                colon = i;
                break;
            }
        }
        String field;
        String value;
        if (colon < 0) {
            field = text.substring(start, end);
            value = "";
        } else {
            field = text.substring(start, colon);
            int v = colon + 1;
            if (v < end && text.charAt(v) == ' ') {
                v++;
            }
            value = text.substring(v, end);
        }
        if (block.startLine == 0) {
            block.startLine = lineNo;
        }
        switch (field) {
            case "data":
                if (block.data == null) {
                    block.data = new StringBuilder(value);
                } else {
                    block.data.append('\n').append(value);
                }
                break;
            case "event":
                block.name = value;
                break;
            case "id":
                block.id = checked(lineNo, "id", value, Event.idProblem(value));
                break;
            case "retry":
                block.retry = checked(lineNo, "retry", value, Event.retryProblem(value));
                break;
            default:
                throw new InvalidEventException("line " + lineNo + ": unknown field '" + printable(field)
                        + "'; allowed fields are data, event, id, retry");
        }
    }

    /**
     * A field's value, once {@link Event}'s rule for the field found no {@code problem}: the rule is checked at
     * the line (so a value that a later line would replace is rejected too) and the message names the line.
     */
    private static String checked(int lineNo, String field, String value, String problem) {
        if (problem != null) {
            throw new InvalidEventException("line " + lineNo + ": '" + field + "' " + problem);
        }
        return value;
    }

    private static String printable(String field) {
        StringBuilder sb = new StringBuilder();
        String shown = Event.shorten(field);
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** The fields of the event being read. Confined to one parse call. */
    private static final class Block {
        StringBuilder data;
        String name;
        String id;
        String retry;
        int startLine;

        void finish(int lineNo, List<Event> events) {
            if (startLine != 0) {
                if (data == null) {
                    throw new InvalidEventException("event starting at line " + startLine
                            + " has no 'data' field; every event needs at least one 'data:' line");
                }
                events.add(new Event(data.toString(), name, id, retry));
            }
            data = null;
            name = null;
            id = null;
            retry = null;
            startLine = 0;
        }
    }
}
