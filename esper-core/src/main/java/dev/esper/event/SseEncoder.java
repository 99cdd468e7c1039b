package dev.esper.event;

import java.nio.charset.StandardCharsets;

/**
 * Encodes events into their {@code text/event-stream} wire frame: {@code id:}, {@code event:},
 * {@code retry:} and one {@code data:} line per line of the payload, each as {@code field: value}, then
 * a blank line. A standard EventSource reading the frame gets back exactly the event's fields (the
 * space after the colon is the one the reader drops, so values that start with a space survive).
 *
 * <p>Stateless and thread-safe. The broker encodes each published event once and shares the bytes
 * with every subscriber.
 */
public final class SseEncoder {
    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] RETRY = "retry: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

    private SseEncoder() {
    }

    /**
     * Encodes one event, with the given id in place of the event's own.
     *
     * @param event the event
     * @param id the id to write, or null to write none
     * @return a new array holding the frame, ending with a blank line
     */
    public static byte[] encode(Event event, String id) {
        byte[] data = event.data().getBytes(StandardCharsets.UTF_8);
        byte[] name = event.name() == null ? null : event.name().getBytes(StandardCharsets.UTF_8);
        byte[] idBytes = id == null ? null : id.getBytes(StandardCharsets.UTF_8);
        byte[] retry = event.retry() == null ? null : event.retry().getBytes(StandardCharsets.US_ASCII);
        int lines = 1;
        for (byte b : data) {
            if (b == '\n') {
                lines++;
            }
        }
        // The payload's own line feeds are not copied: each line gets its own "data: " and "\n".
        int size = data.length - (lines - 1) + lines * (DATA.length + 1) + 1;
        if (idBytes != null) {
            size += ID.length + idBytes.length + 1;
        }
        if (name != null) {
            size += EVENT.length + name.length + 1;
        }
        if (retry != null) {
            size += RETRY.length + retry.length + 1;
        }
        byte[] out = new byte[size];
        int p = 0;
        if (idBytes != null) {
            p = line(out, p, ID, idBytes, 0, idBytes.length);
        }
        if (name != null) {
            p = line(out, p, EVENT, name, 0, name.length);
        }
        if (retry != null) {
            p = line(out, p, RETRY, retry, 0, retry.length);
        }
        int start = 0;
        for (int i = 0; i <= data.length; i++) {
            if (i == data.length || data[i] == '\n') {
                p = line(out, p, DATA, data, start, i - start);
                start = i + 1;
            }
        }
        out[p++] = '\n';
        assert p == size;
        return out;
    }

    /** Encodes one event with its own id (or none). */
    public static byte[] encode(Event event) {
        return encode(event, event.id());
    }

    /**
     * Encodes a comment frame ({@code : text} and a blank line), as used for heartbeats.
     *
     * @param text the comment; must not contain a line break
     * @throws IllegalArgumentException if {@code text} contains a line break
     */
    public static byte[] comment(String text) {
        if (Event.hasLineBreak(text)) {
            throw new IllegalArgumentException("an SSE comment must not contain a line break");
        }
        return (text.isEmpty() ? ":\n\n" : ": " + text + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static int line(byte[] out, int p, byte[] prefix, byte[] src, int from, int len) {
        System.arraycopy(prefix, 0, out, p, prefix.length);
        p += prefix.length;
        System.arraycopy(src, from, out, p, len);
        p += len;
        out[p++] = '\n';
        return p;
    }
}
