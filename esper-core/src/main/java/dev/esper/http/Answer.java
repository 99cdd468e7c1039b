package dev.esper.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A complete HTTP answer as esper's API decided it: the status, every header (CORS, {@code Allow},
 * {@code WWW-Authenticate}, {@code Content-Type}, {@code Cache-Control}, {@code Connection: close} when the
 * connection must not be reused), and the body. A front end writes exactly this, adding only what its
 * protocol needs ({@code Content-Length} from {@link #bodyLength()}, framing), and nothing else: no error page,
 * no extra header.
 *
 * <p>The head of an event stream ({@link Exchange#openStream}) is an {@code Answer} without a body.
 *
 * <p>Immutable and thread-safe.
 */
public final class Answer {
    private static final byte[] NO_BODY = new byte[0];

    private final int status;
    private final List<Header> headers;
    private final byte[] body;
    private final boolean close;

    /**
     * One response header.
     *
     * @param name the header name, e.g. {@code Access-Control-Allow-Origin}
     * @param value its value
     */
    public record Header(String name, String value) {
        /** Checks that neither part is null. */
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
        }
    }

    private Answer(int status, List<Header> headers, byte[] body, boolean close) {
        this.status = status;
        this.headers = headers;
        this.body = body;
        this.close = close;
    }

    /** The HTTP status, e.g. {@code 200}. */
    public int status() {
        return status;
    }

    /** The headers to send, in order; unmodifiable. Never holds {@code Content-Length}. */
    public List<Header> headers() {
        return headers;
    }

    /** The first value of a header (name compared ignoring ASCII case), or null. */
    public String header(String name) {
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** A read-only view of the body (empty for none). */
    public ByteBuffer body() {
        return ByteBuffer.wrap(body).asReadOnlyBuffer();
    }

    /** The body's length in bytes, for {@code Content-Length}. */
    public int bodyLength() {
        return body.length;
    }

    /** The body as UTF-8 text (for logs and tests). */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * Whether the connection must be closed after this answer (it then also carries {@code Connection: close}):
     * an unread request body must not be taken for the next request, and a stream's connection is never reused.
     */
    public boolean closesConnection() {
        return close;
    }

    @Override
    public String toString() {
        return "Answer[" + status + ", " + headers + (body.length == 0 ? "" : ", " + bodyText().strip()) + "]";
    }

    /** Builds an answer; not thread-safe. Package-private: only the API decides answers. */
    static final class Builder {
        private final int status;
        private final List<Header> headers = new ArrayList<>(8);
        private byte[] body = NO_BODY;
        private boolean close;

        Builder(int status) {
            this.status = status;
        }

        Builder header(String name, String value) {
            headers.add(new Header(name, value));
            return this;
        }

        Builder json(String json) {
            header("Content-Type", HttpApi.JSON);
            this.body = json.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /** A body of another media type than JSON (the metrics' text). */
        Builder body(String contentType, String text) {
            header("Content-Type", contentType);
            this.body = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        Builder close() {
            if (!close) {
                close = true;
                header("Connection", "close");
            }
            return this;
        }

        Answer build() {
            return new Answer(status, List.copyOf(headers), body, close);
        }
    }
}
