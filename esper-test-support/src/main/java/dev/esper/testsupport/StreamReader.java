package dev.esper.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A subscriber on a plain socket that reads its stream as fast as it arrives, on a thread of its own, and counts
 * the events it received (each event's {@code data:} lines; the tests publish one-line events) without keeping
 * them: for tests that push megabytes through a stream. Or, made with {@link #silent}, one that never reads
 * after the response head, with a small receive buffer so the kernel takes little for it.
 */
public final class StreamReader implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final boolean chunked;
    private volatile long events;
    private volatile boolean ended;
    private volatile boolean cleanEnd;

    private StreamReader(Socket socket, InputStream in, boolean chunked) {
        this.socket = socket;
        this.in = in;
        this.chunked = chunked;
    }

    /** Subscribes at {@code target} and starts reading continuously. */
    public static StreamReader reading(int port, String target) throws IOException {
        StreamReader r = open(port, target, 0);
        Thread t = new Thread(r::readLoop, "stream-reader " + target);
        t.setDaemon(true);
        t.start();
        return r;
    }

    /** Subscribes at {@code target} with a 4 KiB receive buffer and never reads past the response head. */
    public static StreamReader silent(int port, String target) throws IOException {
        return open(port, target, 4096);
    }

    private static StreamReader open(int port, String target, int receiveBuffer) throws IOException {
        Socket s = new Socket();
        if (receiveBuffer > 0) {
            s.setReceiveBufferSize(receiveBuffer);
        }
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String status = line(in);
        if (!status.startsWith("HTTP/1.1 200")) {
            s.close();
            throw new IOException("not a stream: " + status);
        }
        boolean chunked = false;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
            String lower = h.toLowerCase(Locale.ROOT);
            chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
        }
        s.setSoTimeout(0);
        return new StreamReader(s, in, chunked);
    }

    /** Events received so far. */
    public long events() {
        return events;
    }

    /** Whether the stream ended (the server closed it, or it broke). */
    public boolean ended() {
        return ended;
    }

    /** Whether the stream ended with its final chunk: the server ended it on purpose, cleanly. */
    public boolean endedCleanly() {
        return cleanEnd;
    }

    private void readLoop() {
        byte[] buf = new byte[64 * 1024];
        // Counts "data:" at the start of a line, across reads.
        int matched = 0;
        boolean lineStart = true;
        byte[] pattern = "data:".getBytes(StandardCharsets.US_ASCII);
        try {
            long chunkLeft = 0;
            boolean afterData = false;
            while (true) {
                int n;
                if (chunked) {
                    if (chunkLeft == 0) {
                        if (afterData && !line(in).isEmpty()) {
                            return; // malformed: a chunk's data did not end with a line break
                        }
                        String size = line(in);
                        int semi = size.indexOf(';');
                        chunkLeft = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                        if (chunkLeft == 0) {
                            cleanEnd = true;
                            return;
                        }
                    }
                    n = in.read(buf, 0, (int) Math.min(buf.length, chunkLeft));
                    if (n < 0) {
                        return;
                    }
                    chunkLeft -= n;
                    afterData = chunkLeft == 0;
                } else {
                    n = in.read(buf);
                    if (n < 0) {
                        return;
                    }
                }
                for (int i = 0; i < n; i++) {
                    byte b = buf[i];
                    if (matched > 0 || lineStart) {
                        if (b == pattern[matched]) {
                            matched++;
                            if (matched == pattern.length) {
                                events++;
                                matched = 0;
                            }
                        } else {
                            matched = 0;
                        }
                    }
                    lineStart = b == '\n';
                }
            }
        } catch (IOException | RuntimeException e) {
            // The stream broke (or was dropped): ended, not cleanly.
        } finally {
            ended = true;
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("stream ended inside a line");
            }
            line.write(c);
        }
        String s = line.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
