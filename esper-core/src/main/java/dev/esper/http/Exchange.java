package dev.esper.http;

import dev.esper.broker.Chunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * One HTTP request and its response, as a front end carries them for {@link HttpApi}: the only thing a front end
 * implements for its container. The API reads the request through it and decides everything the answer says;
 * the exchange only moves bytes and callbacks. esper ships two: the servlet's (any Servlet 6 container) and
 * the standalone server's (a Jetty 12 core handler).
 *
 * <p>The API calls exactly one of {@link #respond}, or {@link #readBody} followed later by one
 * {@link #respond}, or {@link #openStream}; each of those may be called on any thread (a broker thread, a
 * transport thread, a timer), but never two at once for one exchange.
 */
public interface Exchange {
    /** The request method, e.g. {@code GET}. */
    String method();

    /**
     * The request path relative to where the API is mounted, still percent-encoded as it came on the wire,
     * e.g. {@code /subscribe/abcdef123} (for a servlet mapped at {@code /events/*}: what follows
     * {@code /events}). The API decodes it; a path a front end cannot split off gives null (an unknown route).
     */
    String rawPath();

    /** The raw (undecoded) query string without the {@code ?}, or null. */
    String rawQuery();

    /** The first value of a request header (name in any case), or null. */
    String header(String name);

    /**
     * Every value of a request header (name in any case), in the order received; empty if absent. The API reads
     * the {@code Cookie} header this way: over HTTP/2 a client may send each cookie as its own header field
     * (RFC 9113 section 8.2.3). The default suits a front end that joins repeated fields itself: the first value.
     */
    default List<String> headers(String name) {
        String value = header(name);
        return value == null ? List.of() : List.of(value);
    }

    /**
     * Sends a complete answer and ends the exchange. Never blocks for long: the body is small. The front end
     * sets {@code Content-Length}, and closes the connection afterwards if {@link Answer#closesConnection()}.
     *
     * @param answer what to send
     */
    void respond(Answer answer);

    /**
     * Starts reading the request body without blocking (the API then reads it through the returned body and
     * answers with {@link #respond}).
     *
     * @return the body, to read as it arrives
     */
    RequestBody readBody();

    /**
     * Opens the event stream: sets the status and headers of {@code head} (they leave with the first write),
     * starts watching the connection for the client leaving, and returns the stream to write to.
     *
     * @param head status {@code 200} and the stream's headers
     * @param clientLeft to call once when the front end notices that the client went away (EOF, a reset,
     *     data on the stream, a failed read); a container it cannot watch notices only at the next failed write
     * @return where the API writes the stream
     */
    EventSink openStream(Answer head, Runnable clientLeft);

    /**
     * Runs {@code task} once after {@code delayMillis} on the container's timer (a publish body that does not
     * arrive in time is answered {@code 408}).
     *
     * @return cancels the task if it has not run
     */
    Runnable schedule(Runnable task, long delayMillis);

    /** A request body, read as it arrives. Read by one thread at a time. */
    interface RequestBody {
        /**
         * Hands what has arrived to {@code into} without blocking.
         *
         * @param into receives the bytes ({@link BodyBuffer#append})
         * @return the number of bytes handed over, 0 when nothing has arrived yet, or -1 at the end of the body
         * @throws IOException if the body cannot be read (a broken chunk, a client that left)
         */
        int read(BodyBuffer into) throws IOException;

        /** Calls {@code ready} once, on any thread, when {@link #read} may give more (bytes, the end or a failure). */
        void demand(Runnable ready);
    }

    /** Where a front end puts body bytes. */
    interface BodyBuffer {
        /**
         * Takes what {@code bytes} holds, consuming it.
         *
         * @return false if no more bytes are wanted (the body passed its limit)
         */
        boolean append(ByteBuffer bytes);
    }

    /**
     * An open event stream's output. At most one write is in flight: the API writes again only after the
     * previous write's callback. {@link #close} and {@link #abort} may come from another thread while a write
     * is in flight; the sink must keep them from overlapping its container's use of the output.
     */
    interface EventSink {
        /**
         * Writes a chunk without blocking, and flushes it (the first write also sends the head).
         *
         * @param chunk the bytes ({@link Chunk#writeTo} or {@link Chunk#asByteBuffer}), shared with other streams
         * @param done called once the container took the bytes and can take more ({@link WriteCallback#written})
         *     or the write failed ({@link WriteCallback#failed}); may be called before this method returns
         */
        void write(Chunk chunk, WriteCallback done);

        /** Ends the response normally (after the last write completed). */
        void close();

        /** Ends the response at once and closes the connection: the client will reconnect. */
        void abort(String reason);
    }

    /** The outcome of one {@link EventSink#write}. */
    interface WriteCallback {
        /** All bytes were taken and the output is ready for more. */
        void written();

        /** The write failed: the client is gone. */
        void failed(Throwable failure);
    }
}
