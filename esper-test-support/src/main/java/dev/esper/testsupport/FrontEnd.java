package dev.esper.testsupport;

import dev.esper.auth.AccessPolicy;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;

/**
 * A front end the contract suites run esper's HTTP API on, mounted as its users would mount it: the servlet in
 * an embedded Servlet container, or the standalone server's Jetty core handler. One instance serves one
 * {@link #start}; not thread-safe.
 */
public interface FrontEnd extends AutoCloseable {
    /**
     * Starts on an ephemeral loopback port with the API over {@code broker} mounted at {@code contextPath} +
     * {@code pattern}.
     *
     * @param contextPath e.g. {@code /app}, or {@code ""} for the root
     * @param pattern a prefix mapping such as {@code /*} or {@code /events/*}
     * @param broker the broker to serve; closing the front end does not close it
     * @param config the configuration the API applies (limits, CORS)
     * @param policy who may subscribe, publish and read the stats
     * @return the port
     */
    int start(String contextPath, String pattern, Broker broker, EsperConfig config, AccessPolicy policy)
            throws Exception;

    /**
     * The access policy a user of this front end gets from {@code config}; both front ends build it with
     * esper-jwt's {@code JwtVerifier.accessPolicy}, which this module cannot name (esper-jwt's own tests use it).
     */
    AccessPolicy accessPolicy(EsperConfig config);

    /**
     * Whether the front end itself refuses a path holding this escape (e.g. {@code %00}) with its own short
     * {@code 400}, before the API sees the request. Tomcat does so for {@code %00}, {@code %2F} and bytes that
     * are not UTF-8; Jetty for {@code %00}.
     */
    default boolean refusesInPaths(String escape) {
        return false;
    }

    /**
     * Whether a stream the server ends on purpose ends with HTTP/1.1's final chunk. Tomcat writes a stream,
     * whose connection closes after it, until the close instead.
     */
    default boolean endsStreamsWithAFinalChunk() {
        return true;
    }

    /** The front end's name, for messages. */
    String name();

    /** Stops the front end; does nothing if it was not started. */
    @Override
    void close();
}
