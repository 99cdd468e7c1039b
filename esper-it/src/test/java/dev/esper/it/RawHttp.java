package dev.esper.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte: the tests need requests no well-behaved client sends
 * (garbage, a body trickled a byte at a time, pipelines of thousands of publishes, sockets reset with
 * {@code SO_LINGER 0}) and need to see exactly what comes back. Test code only; not thread-safe (one
 * instance per connection).
 */
final class RawHttp implements AutoCloseable {
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    /** One response: status, headers (lower-case names, last value wins) and the body's bytes. */
    record Response(int status, Map<String, String> headers, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        boolean closes() {
            return "close".equalsIgnoreCase(header("connection"));
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:port; reads time out after {@code timeout}. */
    static RawHttp connect(int port, Duration timeout) {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) Duration.ofSeconds(10).toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            return new RawHttp(s);
        } catch (IOException e) {
            closeQuietly(s);
            throw new UncheckedIOException("cannot connect to 127.0.0.1:" + port, e);
        }
    }

    static RawHttp connect(int port) {
        return connect(port, DEFAULT_TIMEOUT);
    }

    /** One request on a fresh connection, one response read. */
    static Response exchange(int port, byte[] request) {
        try (RawHttp c = connect(port)) {
            c.write(request);
            return c.readResponse();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bytes of a request with a body (a Content-Length is added) and extra header lines. */
    static byte[] request(String method, String target, List<String> headers, byte[] body) {
        StringBuilder head = new StringBuilder().append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        if (body == null) {
            return h;
        }
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /** {@code POST /publish/{topic}} with a UTF-8 body and extra header lines. */
    static byte[] publish(String topic, String body, String... headers) {
        return request("POST", "/publish/" + topic, List.of(headers), body.getBytes(StandardCharsets.UTF_8));
    }

    Socket socket() {
        return socket;
    }

    InputStream input() {
        return in;
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one complete response (Content-Length, chunked, or until EOF). */
    Response readResponse() throws IOException {
        return readBody(readHead(), false);
    }

    /**
     * Reads the body that belongs to a head read with {@link #readHead()}: none for a {@code HEAD} request
     * or an open event stream, else by Content-Length, chunked, or until EOF.
     */
    Response readBody(Response head, boolean headRequest) throws IOException {
        int status = head.status();
        Map<String, String> headers = head.headers();
        String type = headers.get("content-type");
        if (headRequest || status == 204 || status == 304 || status / 100 == 1
                || (type != null && type.startsWith("text/event-stream"))) {
            return head;
        }
        byte[] body;
        String length = headers.get("content-length");
        if (length != null) {
            body = readN(in, Integer.parseInt(length.trim()));
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            body = new ChunkedInput(in).readAllBytes();
        } else {
            body = in.readAllBytes();
        }
        return new Response(status, headers, body);
    }

    /**
     * Reads a status line and headers only (for streams), skipping interim {@code 1xx} responses; returns
     * status and headers with an empty body.
     */
    Response readHead() throws IOException {
        for (int interim = 0; interim < 10; interim++) {
            String statusLine = readLine(in);
            if (statusLine == null) {
                throw new EOFException("connection closed before a response");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            Map<String, String> headers = readHeaders(in);
            if (status / 100 != 1) {
                return new Response(status, headers, new byte[0]);
            }
        }
        throw new IOException("more than 10 interim responses");
    }

    /** Resets the connection on close (SO_LINGER 0: an RST instead of a FIN). */
    void resetOnClose() {
        try {
            socket.setSoLinger(true, 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // Nothing to do: the test is done with it.
        }
    }

    private static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < 200; i++) {
            String line = readLine(in);
            if (line == null) {
                throw new EOFException("connection closed inside the headers");
            }
            if (line.isEmpty()) {
                return headers;
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
        }
        throw new IOException("more than 200 header lines");
    }

    /** A line without its CRLF (or LF), ISO-8859-1; null at EOF before any byte. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1 << 20; i++) {
            int b = in.read();
            if (b < 0) {
                return sb.length() == 0 ? null : sb.toString();
            }
            if (b == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') {
                    sb.setLength(n - 1);
                }
                return sb.toString();
            }
            sb.append((char) b);
        }
        throw new IOException("line longer than 1 MiB");
    }

    private static byte[] readN(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException("body cut after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /**
     * Decodes a chunked body; EOF at the terminating zero-length chunk (or, for a cut stream, an exception). A
     * chunk's data is handed over as it arrives; the line break ending it is read with the next chunk's size (a
     * server may send it only then, as Jetty does).
     */
    static final class ChunkedInput extends InputStream {
        private final InputStream in;
        private int remaining;
        /** A chunk's data was read; its closing line break was not. */
        private boolean afterData;
        private boolean finished;

        ChunkedInput(InputStream in) {
            this.in = in;
        }

        /** Whether the terminating zero-length chunk was read: the server ended the stream cleanly. */
        boolean finished() {
            return finished;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (finished) {
                return -1;
            }
            if (remaining == 0) {
                if (afterData) {
                    String crlf = readLine(in);
                    if (crlf == null) {
                        throw new EOFException("stream cut before its final chunk");
                    }
                    if (!crlf.isEmpty()) {
                        throw new IOException("bad chunk end");
                    }
                    afterData = false;
                }
                String size = readLine(in);
                if (size == null) {
                    throw new EOFException("stream cut before its final chunk");
                }
                int semi = size.indexOf(';');
                remaining = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (remaining == 0) {
                    while (true) {
                        String trailer = readLine(in);
                        if (trailer == null || trailer.isEmpty()) {
                            break;
                        }
                    }
                    finished = true;
                    return -1;
                }
            }
            int n = in.read(b, off, Math.min(len, remaining));
            if (n < 0) {
                throw new EOFException("stream cut inside a chunk");
            }
            remaining -= n;
            afterData = remaining == 0;
            return n;
        }
    }

    /** Collects a body's bytes; small helper for tests that build bodies incrementally. */
    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            all.writeBytes(p);
        }
        return all.toByteArray();
    }
}
