package dev.esper.it;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An EventSource-like subscriber on a plain socket: sends {@code GET /subscribe/{topic}} (with
 * {@code Last-Event-ID} and a token if given), checks the {@code 200}, then parses events from the chunked
 * stream as the HTML standard does (id carried, data lines joined, comments skipped). Reading happens only
 * when the test calls a read method, so a subscriber can also be left unread on purpose. Test code only;
 * one thread at a time.
 */
final class RawSubscriber implements AutoCloseable {
    /** One received event. */
    record Event(String id, String data) {
    }

    private final RawHttp conn;
    private final RawHttp.Response head;
    /** The chunked decoder (null if the stream is not chunked), and a buffer over it. */
    private final RawHttp.ChunkedInput chunked;
    private final InputStream body;
    private final List<Event> received = new ArrayList<>();
    private final StringBuilder data = new StringBuilder();
    private String lastId;
    /** Read buffer: bytes [pos, lim) are unread. */
    private final byte[] buf = new byte[64 * 1024];
    private int pos;
    private int lim;
    private boolean hasData;

    private RawSubscriber(RawHttp conn, RawHttp.Response head, InputStream body) {
        this.conn = conn;
        this.head = head;
        this.chunked = body instanceof RawHttp.ChunkedInput ? (RawHttp.ChunkedInput) body : null;
        this.body = body;
    }

    /** Sends the subscribe request without reading anything back. */
    static RawHttp send(int port, String topic, String lastEventId, String token, Duration timeout) {
        return sendTo(port, "/subscribe/" + topic, lastEventId, token, timeout);
    }

    /** Sends a subscribe request to {@code target} (such as {@code /subscribe?topic=…}) without reading anything back. */
    static RawHttp sendTo(int port, String target, String lastEventId, String token, Duration timeout) {
        RawHttp c = RawHttp.connect(port, timeout);
        List<String> headers = new ArrayList<>(List.of("Accept: text/event-stream"));
        if (lastEventId != null) {
            headers.add("Last-Event-ID: " + lastEventId);
        }
        if (token != null) {
            headers.add("Authorization: Bearer " + token);
        }
        try {
            c.write(RawHttp.request("GET", target, headers, null));
        } catch (IOException e) {
            c.close();
            throw new UncheckedIOException("cannot send a subscribe", e);
        }
        return c;
    }

    /** Reads the response head of a sent subscribe; fails unless it is a {@code 200} event stream. */
    static RawSubscriber accept(RawHttp c) {
        try {
            RawHttp.Response head = c.readHead();
            if (head.status() != 200) {
                c.close();
                throw new AssertionError("subscribe answered " + head.status());
            }
            InputStream body = "chunked".equalsIgnoreCase(head.header("transfer-encoding"))
                    ? new RawHttp.ChunkedInput(c.input()) : c.input();
            return new RawSubscriber(c, head, body);
        } catch (IOException e) {
            c.close();
            throw new UncheckedIOException("subscribe failed", e);
        }
    }

    static RawSubscriber open(int port, String topic, String lastEventId) {
        return accept(send(port, topic, lastEventId, null, RawHttp.DEFAULT_TIMEOUT));
    }

    static RawSubscriber open(int port, String topic, String lastEventId, String token) {
        return accept(send(port, topic, lastEventId, token, RawHttp.DEFAULT_TIMEOUT));
    }

    RawHttp.Response head() {
        return head;
    }

    RawHttp connection() {
        return conn;
    }

    /** Every event read so far, in order. */
    List<Event> received() {
        return received;
    }

    /** Reads until at least {@code n} events have been received in all; fails at EOF or timeout. */
    List<Event> awaitEvents(int n) throws IOException {
        while (received.size() < n) {
            if (!readEvent()) {
                throw new EOFException("stream ended after " + received.size() + " of " + n + " events");
            }
        }
        return received;
    }

    /** Reads until the stream ends; returns true if the server ended it cleanly (final chunk). */
    boolean readToEnd() throws IOException {
        try {
            while (readEvent()) {
                // keep reading
            }
        } catch (EOFException e) {
            return false;
        }
        return chunked == null || chunked.finished();
    }

    /**
     * Reads one event (skipping comments); false at a clean end of stream.
     *
     * @throws SocketTimeoutException if nothing arrives within the read timeout
     */
    boolean readEvent() throws IOException {
        for (int lines = 0; lines < 1_000_000; lines++) {
            String line = readLine();
            if (line == null) {
                return false;
            }
            if (line.isEmpty()) {
                if (hasData) {
                    String d = data.toString();
                    received.add(new Event(lastId, d.endsWith("\n") ? d.substring(0, d.length() - 1) : d));
                    data.setLength(0);
                    hasData = false;
                    return true;
                }
                continue;
            }
            if (line.startsWith(":")) {
                continue;
            }
            int colon = line.indexOf(':');
            String field = colon < 0 ? line : line.substring(0, colon);
            String value = colon < 0 ? "" : line.substring(colon + 1);
            if (value.startsWith(" ")) {
                value = value.substring(1);
            }
            if (field.equals("data")) {
                data.append(value).append('\n');
                hasData = true;
            } else if (field.equals("id")) {
                lastId = value;
            }
        }
        throw new IOException("no event within a million lines");
    }

    /** A line without its LF (UTF-8), or null at the end of the stream; scans the buffer, no per-byte calls. */
    private String readLine() throws IOException {
        java.io.ByteArrayOutputStream longLine = null;
        for (int rounds = 0; rounds < 1 << 16; rounds++) {
            for (int i = pos; i < lim; i++) {
                if (buf[i] == '\n') {
                    String line;
                    if (longLine == null) {
                        line = new String(buf, pos, i - pos, java.nio.charset.StandardCharsets.UTF_8);
                    } else {
                        longLine.write(buf, pos, i - pos);
                        line = longLine.toString(java.nio.charset.StandardCharsets.UTF_8);
                    }
                    pos = i + 1;
                    return line;
                }
            }
            if (lim > pos) {
                if (longLine == null) {
                    longLine = new java.io.ByteArrayOutputStream(2 * (lim - pos));
                }
                longLine.write(buf, pos, lim - pos);
            }
            pos = 0;
            lim = 0;
            int n = body.read(buf, 0, buf.length);
            if (n < 0) {
                return longLine == null ? null : longLine.toString(java.nio.charset.StandardCharsets.UTF_8);
            }
            lim = n;
        }
        throw new IOException("line longer than 1 GiB");
    }

    /** Closes with a FIN. */
    @Override
    public void close() {
        conn.close();
    }

    /** Closes with an RST (SO_LINGER 0), as a crashed client or a dropped NAT entry would. */
    void reset() {
        conn.resetOnClose();
        conn.close();
    }
}
