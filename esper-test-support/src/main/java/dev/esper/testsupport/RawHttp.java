package dev.esper.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A raw HTTP/1.1 client over one socket, so tests see the exact bytes on the wire: the status line, the
 * headers, and the body de-chunked incrementally (for open SSE streams) with bounded waits. Not thread-safe:
 * one test thread uses it.
 */
public final class RawHttp implements Closeable {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private int status;
    private final Map<String, List<String>> headers = new LinkedHashMap<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private boolean chunked;
    /** A chunk's data was read; the line break after it was not. */
    private boolean afterChunk;
    private long remaining = -1;
    private boolean bodyDone;

    private RawHttp(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
    }

    /** Connects to {@code 127.0.0.1:port}, waiting at most 5 s; reads time out after 10 s. */
    public static RawHttp connect(int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        return new RawHttp(s);
    }

    /**
     * Speaks over a socket the caller connected and set up (a small receive buffer, say), which it may still use
     * directly: nothing is read ahead, so after {@link #readHead()} the socket's stream is at the body. Reads time
     * out after 10 s.
     */
    public static RawHttp over(Socket socket) throws IOException {
        return new RawHttp(socket);
    }

    /** Sends a request head (lines without the final blank line; Host is added) and an optional body. */
    public RawHttp send(String method, String target, List<String> headerLines, byte[] bodyBytes) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        sb.append("Host: 127.0.0.1\r\n");
        for (String h : headerLines) {
            sb.append(h).append("\r\n");
        }
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (bodyBytes != null) {
            out.write(bodyBytes);
        }
        out.flush();
        return this;
    }

    /** Writes raw bytes (e.g. more of a chunked body). */
    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads the status line and headers. */
    public RawHttp readHead() throws IOException {
        String statusLine = readLine();
        String[] parts = statusLine.split(" ", 3);
        status = Integer.parseInt(parts[1]);
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        chunked = "chunked".equalsIgnoreCase(header("transfer-encoding"));
        String cl = header("content-length");
        remaining = cl == null ? -1 : Long.parseLong(cl);
        return this;
    }

    /** The status code {@link #readHead()} read. */
    public int status() {
        return status;
    }

    /** The first value of a header (name in any case), or null. */
    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null ? null : v.get(0);
    }

    /** Every header {@link #readHead()} read, by lower-case name, values in order. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** Reads the whole body (by length, chunks, or until the server closes). */
    public String readBody() throws IOException {
        while (!bodyDone) {
            readSome();
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    /** The body received so far, as UTF-8. */
    public String bodySoFar() {
        return body.toString(StandardCharsets.UTF_8);
    }

    /** Reads until the body so far contains {@code text}; fails after {@code timeout}. */
    public String awaitBody(String text, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!bodySoFar().contains(text)) {
            if (bodyDone) {
                throw new AssertionError("stream ended without '" + text + "'; got: " + bodySoFar());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' within " + timeout + "; got: " + bodySoFar());
            }
            readSomeWithin(deadline);
        }
        return bodySoFar();
    }

    /** Whether the server ended the body (final chunk or EOF) within the timeout. */
    public boolean awaitEnd(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!bodyDone && System.nanoTime() < deadline) {
            try {
                readSomeWithin(deadline);
            } catch (IOException e) {
                return true;
            }
        }
        return bodyDone;
    }

    private void readSomeWithin(long deadline) throws IOException {
        int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        socket.setSoTimeout(left);
        try {
            readSome();
        } catch (SocketTimeoutException e) {
            // Checked by the caller's loop.
        } finally {
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
        }
    }

    /** Reads one chunk (chunked), up to the length, or one read (until EOF). */
    private void readSome() throws IOException {
        if (bodyDone) {
            return;
        }
        if (chunked) {
            if (afterChunk) {
                // The line break that ends the previous chunk's data: Jetty sends it with the next chunk.
                String end = readLine();
                if (!end.isEmpty()) {
                    throw new IOException("malformed chunked body: '" + end + "' where a chunk's data should end");
                }
                afterChunk = false;
            }
            String sizeLine = readLine();
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers
                }
                bodyDone = true;
                return;
            }
            body.write(in.readNBytes(size));
            afterChunk = true;
            return;
        }
        if (remaining == 0) {
            bodyDone = true;
            return;
        }
        byte[] buf = new byte[8192];
        int n = in.read(buf, 0, remaining > 0 ? (int) Math.min(buf.length, remaining) : buf.length);
        if (n < 0) {
            bodyDone = true;
            return;
        }
        body.write(buf, 0, n);
        if (remaining > 0) {
            remaining -= n;
            if (remaining == 0) {
                bodyDone = true;
            }
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (;;) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed; line so far: " + line);
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
    }

    /** Closes with a FIN. */
    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** Closes with an RST (SO_LINGER 0), as a crashed client or a dropped network would. */
    public void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }
}
