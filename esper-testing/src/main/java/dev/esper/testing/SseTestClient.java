package dev.esper.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A small blocking SSE client for tests: opens a {@code GET} over HTTP/1.1, reads the stream on its own
 * daemon thread, and hands over events parsed by the HTML standard's rules, each with the esper topic it came
 * from ({@link SseEvent#topic()}: a stream of {@code /subscribe/{topic}} is that topic's; on a stream of
 * several, {@code /subscribe?topic=…&topic=…}, an event's id starts with its topic).
 *
 * <pre>{@code
 * try (SseTestClient client = SseTestClient.connect(uri, Map.of(), Duration.ofSeconds(5))) {
 *     SseEvent e = client.awaitEvent(Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>When {@link #connect} returns, the response's status line and headers have arrived, so for esper the
 * subscription has started: every event published after that is delivered. Thread-safe; {@link #close()}
 * may be called from any thread, and more than once.
 */
public final class SseTestClient implements AutoCloseable {
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int MAX_ERROR_BODY = 64 * 1024;

    /** What the reader thread puts after the last event: how the stream ended. */
    private static final class End {
        final boolean clean;
        final String reason;

        End(boolean clean, String reason) {
            this.clean = clean;
            this.reason = reason;
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final int status;
    private final Map<String, String> headers;
    private final String body;
    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final SseParser parser;
    /** Set by the reader thread when the stream ended; read by the test thread. */
    private volatile End end;
    private volatile boolean closed;

    private SseTestClient(Socket socket, InputStream in, int status, Map<String, String> headers, String body,
            SseParser.Topics topics) {
        this.parser = new SseParser(queue::add, topics);
        this.socket = socket;
        this.in = in;
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /**
     * Opens a stream: {@code GET uri} with {@code Accept: text/event-stream} and the given headers (for
     * example {@code Authorization} or {@code Last-Event-ID}), waiting at most {@code timeout} for the
     * response's headers. A response that is not a {@code 200} event stream is read whole; see
     * {@link #body()}.
     *
     * @param uri an {@code http} URI
     * @param requestHeaders extra request headers; may be empty
     * @param timeout bound on connecting and on waiting for the response headers
     * @return the open client; close it
     * @throws UncheckedIOException if the connection or the response head fails
     */
    public static SseTestClient connect(URI uri, Map<String, String> requestHeaders, Duration timeout) {
        Objects.requireNonNull(uri, "uri");
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("only http URIs are supported, was " + uri);
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(uri.getHost(), port), millis(timeout));
            socket.setSoTimeout(millis(timeout));
            OutputStream out = socket.getOutputStream();
            String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                    + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
            StringBuilder request = new StringBuilder()
                    .append("GET ").append(target).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(uri.getHost()).append(':').append(port).append("\r\n")
                    .append("Accept: text/event-stream\r\n")
                    .append("Cache-Control: no-cache\r\n");
            requestHeaders.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
            request.append("\r\n");
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();

            InputStream raw = socket.getInputStream();
            List<String> head = readHead(raw);
            int status = parseStatus(head.get(0));
            Map<String, String> headers = new LinkedHashMap<>();
            for (String line : head.subList(1, head.size())) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.merge(line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
                }
            }
            InputStream body = bodyStream(raw, headers);
            boolean isStream = status == 200 && headers.getOrDefault("content-type", "")
                    .toLowerCase(Locale.ROOT).startsWith("text/event-stream");
            if (!isStream) {
                String text = new String(readUpTo(body, MAX_ERROR_BODY), StandardCharsets.UTF_8);
                SseTestClient client = new SseTestClient(socket, body, status, headers, text, SseParser.Topics.NONE);
                client.end = new End(true, "the response was " + status + ", not an event stream");
                client.closed = true;
                socket.close();
                return client;
            }
            socket.setSoTimeout(0);
            SseTestClient client = new SseTestClient(socket, body, status, Collections.unmodifiableMap(headers), "",
                    topicsOf(uri));
            Thread reader = new Thread(client::readLoop, "sse-test-client " + uri.getRawPath());
            reader.setDaemon(true);
            reader.start();
            return client;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("cannot open " + uri.getScheme() + "://" + uri.getHost() + ":" + port
                    + uri.getRawPath() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Where the events of a stream at {@code uri} take their topic from: the path's last segment after
     * {@code /subscribe/}, or their ids on {@code /subscribe?topic=…}.
     */
    private static SseParser.Topics topicsOf(URI uri) {
        String path = uri.getPath() == null ? "" : uri.getPath();
        int at = path.lastIndexOf("/subscribe/");
        if (at >= 0 && path.indexOf('/', at + "/subscribe/".length()) < 0) {
            return SseParser.Topics.one(path.substring(at + "/subscribe/".length()).toLowerCase(Locale.ROOT));
        }
        return path.endsWith("/subscribe") ? SseParser.Topics.FROM_IDS : SseParser.Topics.NONE;
    }

    /** The response status code. */
    public int status() {
        return status;
    }

    /** A response header (names are case-insensitive; repeated headers are joined with {@code ", "}). */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name.toLowerCase(Locale.ROOT)));
    }

    /** The response body when the response was not a {@code 200} event stream (an error), else empty. */
    public String body() {
        return body;
    }

    /**
     * Waits for the next event.
     *
     * @param timeout how long to wait
     * @return the event
     * @throws AssertionError if none arrives in time, or the stream ends first (the message says how)
     */
    public SseEvent awaitEvent(Duration timeout) {
        Object next = poll(timeout, "an event");
        if (next == null) {
            End e = end;
            throw new AssertionError(e != null ? "stream ended before an event arrived: " + e.reason
                    : "no event within " + timeout.toMillis() + " ms");
        }
        if (next instanceof End) {
            queue.add(next);
            throw new AssertionError("stream ended before an event arrived: " + ((End) next).reason);
        }
        return (SseEvent) next;
    }

    /** The next event or end marker, or null after {@code timeout}. */
    private Object poll(Duration timeout, String waitingFor) {
        try {
            return queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + waitingFor, e);
        }
    }

    /**
     * Waits for the next {@code n} events, all within one {@code timeout}.
     *
     * @throws AssertionError if fewer arrive in time; the message says how many did
     */
    public List<SseEvent> awaitEvents(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<SseEvent> events = new ArrayList<>(n);
        while (events.size() < n) {
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                events.add(awaitEvent(Duration.ofNanos(left)));
            } catch (AssertionError e) {
                throw new AssertionError("expected " + n + " events within " + timeout.toMillis() + " ms, got "
                        + events.size() + " " + events + " (" + e.getMessage() + ")", e);
            }
        }
        return events;
    }

    /**
     * Waits until the server ends the stream, and checks that it ended cleanly (the final chunk arrived,
     * rather than the connection being cut).
     *
     * @throws AssertionError if the stream is still open after {@code timeout}, ended uncleanly, or an event
     *     is still waiting to be read
     */
    public void awaitEnd(Duration timeout) {
        Object next = poll(timeout, "the end of the stream");
        if (next == null) {
            throw new AssertionError("stream still open after " + timeout.toMillis() + " ms");
        }
        if (next instanceof SseEvent) {
            throw new AssertionError("expected the end of the stream, got event " + next);
        }
        queue.add(next);
        End e = (End) next;
        if (!e.clean) {
            throw new AssertionError("stream did not end cleanly: " + e.reason);
        }
    }

    /** The last event id seen on the stream (what an EventSource would send as {@code Last-Event-ID}). */
    public String lastEventId() {
        return parser.lastEventId();
    }

    /** Closes the connection; the reader thread ends. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(socket);
    }

    private void readLoop() {
        byte[] buf = new byte[8192];
        End result;
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                parser.feed(buf, 0, n);
            }
            result = new End(true, "the server ended the stream");
        } catch (IOException e) {
            result = closed ? new End(true, "closed by the client")
                    : new End(false, "connection failed: " + e.getMessage());
        }
        end = result;
        queue.add(result);
        closeQuietly(socket);
    }

    // ---------------------------------------------------------------------------------------------
    // HTTP/1.1, just enough: the response head, then a chunked, sized or until-close body.

    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed before the response headers ended");
            }
            if (++total > MAX_HEAD_BYTES) {
                throw new IOException("response headers longer than " + MAX_HEAD_BYTES + " bytes");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r")) {
                    text = text.substring(0, text.length() - 1);
                }
                line.reset();
                if (text.isEmpty()) {
                    if (lines.isEmpty()) {
                        continue;
                    }
                    return lines;
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
    }

    private static int parseStatus(String statusLine) throws IOException {
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("bad status line: " + statusLine, e);
        }
    }

    private static InputStream bodyStream(InputStream raw, Map<String, String> headers) {
        if (headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked")) {
            return new ChunkedInputStream(raw);
        }
        String length = headers.get("content-length");
        if (length != null) {
            return new SizedInputStream(raw, Long.parseLong(length.trim()));
        }
        return raw;
    }

    private static byte[] readUpTo(InputStream in, int max) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while (out.size() < max && (n = in.read(buf, 0, Math.min(buf.length, max - out.size()))) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing; nothing to do.
        }
    }

    /** A body of known length: EOF after {@code remaining} bytes; an early EOF is an error. */
    private static final class SizedInputStream extends InputStream {
        private final InputStream in;
        private long remaining;

        SizedInputStream(InputStream in, long length) {
            this.in = in;
            this.remaining = length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (remaining <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("connection closed " + remaining + " bytes before the body's end");
            }
            remaining -= n;
            return n;
        }
    }

    /**
     * {@code Transfer-Encoding: chunked}: EOF at the last chunk; a connection cut before it is an error. A
     * chunk's data is handed over as soon as it arrives: the line break that ends it is read with the next
     * chunk's size (a server may send it only then, as Jetty does).
     */
    private static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long chunkLeft;
        /** A chunk's data was read; its closing line break was not. */
        private boolean afterData;
        private boolean done;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (chunkLeft == 0) {
                if (afterData) {
                    readLine();
                    afterData = false;
                }
                String size = readLine();
                int semi = size.indexOf(';');
                String hex = (semi < 0 ? size : size.substring(0, semi)).trim();
                try {
                    chunkLeft = Long.parseLong(hex, 16);
                } catch (NumberFormatException e) {
                    throw new IOException("bad chunk size '" + hex + "'", e);
                }
                if (chunkLeft == 0) {
                    while (!readLine().isEmpty()) {
                        // Trailers: ignored.
                    }
                    done = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n < 0) {
                throw new EOFException("connection closed inside a chunk, before the stream's final chunk");
            }
            chunkLeft -= n;
            afterData = chunkLeft == 0;
            return n;
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int c = in.read();
                if (c < 0) {
                    throw new EOFException("connection closed before the stream's final chunk");
                }
                if (c == '\n') {
                    String s = line.toString(StandardCharsets.ISO_8859_1);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                line.write(c);
            }
        }
    }
}
