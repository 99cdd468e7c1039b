package dev.esper.standalone;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.awaitility.Awaitility;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.http.HttpVersion;
import org.eclipse.jetty.http.MetaData;
import org.eclipse.jetty.http2.ErrorCode;
import org.eclipse.jetty.http2.api.Session;
import org.eclipse.jetty.http2.api.Stream;
import org.eclipse.jetty.http2.client.HTTP2Client;
import org.eclipse.jetty.http2.frames.HeadersFrame;
import org.eclipse.jetty.http2.frames.ResetFrame;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A raw HTTP/2 client for tests (Jetty's {@link HTTP2Client}): one connection (session), on which each
 * {@link Sse} is one stream whose reading the test controls, as flow control sees it: a stream that is paused
 * takes no more data, so the client sends no window update for it, while the connection's window (16 MiB) keeps
 * the other streams going. Over TLS (ALPN {@code h2}) when given an SSL context, else cleartext prior knowledge.
 * Test code only.
 */
final class H2Client implements AutoCloseable {
    /** The stream window each stream of this client starts with: what a paused stream can take before it stalls. */
    static final int STREAM_WINDOW = 65_535;

    private final HTTP2Client client = new HTTP2Client();
    private final URI base;
    private final Session session;

    H2Client(URI base, SSLContext tls) throws Exception {
        this.base = base;
        client.setInitialStreamRecvWindow(STREAM_WINDOW);
        client.setInitialSessionRecvWindow(16 * 1024 * 1024);
        SslContextFactory.Client ssl = null;
        if (tls != null) {
            ssl = new SslContextFactory.Client();
            ssl.setSslContext(tls);
            client.getClientConnector().setSslContextFactory(ssl);
        }
        client.start();
        InetSocketAddress address = new InetSocketAddress(base.getHost(), base.getPort());
        CompletableFuture<Session> connected = ssl == null ? client.connect(address, new Session.Listener() { })
                : client.connect(ssl, address, new Session.Listener() { });
        this.session = connected.get(10, TimeUnit.SECONDS);
    }

    /** A {@code GET} of {@code path} on a new stream of the connection; the stream reads until paused. */
    Sse get(String path, String... headers) throws Exception {
        HttpFields.Mutable fields = HttpFields.build();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            fields.add(headers[i], headers[i + 1]);
        }
        MetaData.Request request = new MetaData.Request("GET", HttpURI.from(base.resolve(path).toString()),
                HttpVersion.HTTP_2, fields);
        Sse sse = new Sse();
        session.newStream(new HeadersFrame(request, null, true), sse).get(10, TimeUnit.SECONDS);
        return sse;
    }

    /** The connection's streams still open. */
    int openStreams() {
        return session.getStreams().size();
    }

    @Override
    public void close() throws IOException {
        try {
            client.stop();
        } catch (Exception e) {
            throw new IOException("cannot stop the HTTP/2 client", e);
        }
    }

    /** One stream's answer, read as it arrives. */
    static final class Sse implements Stream.Listener {
        private final StringBuffer text = new StringBuffer();
        private final CompletableFuture<Integer> status = new CompletableFuture<>();
        private volatile boolean paused;
        private volatile boolean reset;
        private volatile boolean ended;
        private volatile Stream stream;

        @Override
        public void onHeaders(Stream s, HeadersFrame frame) {
            stream = s;
            if (frame.getMetaData() instanceof MetaData.Response response) {
                status.complete(response.getStatus());
            }
            if (frame.isEndStream()) {
                ended = true;
            } else {
                s.demand();
            }
        }

        @Override
        public void onDataAvailable(Stream s) {
            if (paused) {
                return;
            }
            Stream.Data data = s.readData();
            if (data == null) {
                s.demand();
                return;
            }
            ByteBuffer bytes = data.frame().getByteBuffer();
            text.append(StandardCharsets.UTF_8.decode(bytes.slice()));
            boolean last = data.frame().isEndStream();
            data.release();
            if (last) {
                ended = true;
            } else {
                s.demand();
            }
        }

        @Override
        public void onReset(Stream s, ResetFrame frame, Callback callback) {
            reset = true;
            callback.succeeded();
        }

        /** The response status, once its headers came. */
        int status() throws Exception {
            return status.get(10, TimeUnit.SECONDS);
        }

        /** Stops reading: data is left unread, so the stream's window is not given back. */
        void pause() {
            paused = true;
        }

        /** Resets the stream, as a client that leaves one stream of its connection does. */
        void cancel() {
            stream.reset(new ResetFrame(stream.getId(), ErrorCode.CANCEL_STREAM_ERROR.code),
                    Callback.NOOP);
        }

        String text() {
            return text.toString();
        }

        boolean wasReset() {
            return reset;
        }

        boolean ended() {
            return ended;
        }

        /** Waits until the text holds {@code expected}; returns the text. */
        String await(String expected, Duration timeout) {
            Awaitility.await("'" + expected + "' on an HTTP/2 stream").atMost(timeout)
                    .until(() -> text().contains(expected));
            return text();
        }
    }
}
