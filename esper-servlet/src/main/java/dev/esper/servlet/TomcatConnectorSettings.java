package dev.esper.servlet;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Tomcat 11 connector attributes for a connector that carries many open event streams, as names and values
 * that every way of configuring Tomcat takes: {@code Connector.setProperty(name, value)} in embedded Tomcat
 * and in a Spring Boot connector customizer, or the attributes of the {@code <Connector>} element of
 * {@code server.xml}. This class names no Tomcat type, so the servlet still compiles against no container.
 *
 * <p>An open stream keeps its connection's socket buffers for as long as it is open (and, when it stays an
 * asynchronous request rather than taking its connection over, every buffer of its request too): so their sizes
 * are paid once per open stream. The values are:
 * <ul>
 *   <li>{@code maxConnections}: the connections the connector holds at once, streams included. Tomcat's
 *       default, 8192, is also its limit on open streams: past it, new connections wait unaccepted in the
 *       operating system's queue until the client gives up. Each connection takes a file descriptor, so the
 *       process's open-files limit must be above this number.</li>
 *   <li>{@code socket.appReadBufSize} {@value #READ_BUFFER} (Tomcat: 8192): the socket's read buffer, whose size
 *       is also added to the request header buffer. A stream reads nothing after its request head; larger
 *       bodies are read in more, smaller reads.</li>
 *   <li>{@code socket.appWriteBufSize} {@value #WRITE_BUFFER} (Tomcat: 8192): the socket's write buffer; every
 *       write passes through it, so a write larger than this is sent in pieces of this size: a larger buffer costs
 *       less CPU per delivery in a busy fan-out and more memory per open stream.</li>
 *   <li>{@code maxHttpResponseHeaderSize} {@value #RESPONSE_HEADER_SIZE} (Tomcat: 8192): the buffer of a response
 *       head; a stream's head is about 300 bytes. A response whose headers do not fit fails. Kept by a request
 *       while it is open.</li>
 *   <li>{@code maxTrailerSize} {@value #TRAILER_SIZE} (Tomcat: 8192): Tomcat allocates a buffer of this size for
 *       the trailers of a chunked request body whether or not one comes.</li>
 * </ul>
 * The request header limit ({@code maxHttpRequestHeaderSize}, 8192) is left as it is: a browser's request with
 * its cookies and a token needs it. These attributes apply to every request of the connector; they change what
 * Tomcat allocates per connection, not what it accepts, except the two header limits. Over TLS Tomcat enlarges
 * the socket buffers to the TLS record size whatever is set here.
 *
 * <p>Immutable; thread-safe.
 */
public final class TomcatConnectorSettings {
    /** The socket read buffer, in bytes ({@code socket.appReadBufSize}). */
    public static final int READ_BUFFER = 1024;
    /** The socket write buffer, in bytes ({@code socket.appWriteBufSize}). */
    public static final int WRITE_BUFFER = 2048;
    /** The response head buffer, in bytes ({@code maxHttpResponseHeaderSize}). */
    public static final int RESPONSE_HEADER_SIZE = 4096;
    /** The request trailer buffer, in bytes ({@code maxTrailerSize}). */
    public static final int TRAILER_SIZE = 1024;

    private TomcatConnectorSettings() {
    }

    /**
     * The connector attributes for up to {@code maxConnections} connections at once, streams and other requests
     * together, in the order above. For example {@code forStreams(20_000).forEach(connector::setProperty)}.
     *
     * @param maxConnections the connections the connector holds at once; at least 1, and below the process's
     *     open-files limit
     * @return attribute names and values; an unmodifiable map, in a fixed order
     * @throws IllegalArgumentException if {@code maxConnections} is below 1
     */
    public static Map<String, String> forStreams(int maxConnections) {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
        }
        Map<String, String> m = new LinkedHashMap<>();
        m.put("maxConnections", Integer.toString(maxConnections));
        m.put("socket.appReadBufSize", Integer.toString(READ_BUFFER));
        m.put("socket.appWriteBufSize", Integer.toString(WRITE_BUFFER));
        m.put("maxHttpResponseHeaderSize", Integer.toString(RESPONSE_HEADER_SIZE));
        m.put("maxTrailerSize", Integer.toString(TRAILER_SIZE));
        return Collections.unmodifiableMap(m);
    }
}
