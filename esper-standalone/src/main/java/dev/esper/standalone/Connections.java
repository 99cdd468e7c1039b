package dev.esper.standalone;

import org.eclipse.jetty.http2.HTTP2Connection;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.NegotiatingServerConnection;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * What a connection of the connector is doing, looking through TLS: the connection guards
 * ({@code HeadDeadline}, {@code IdleEviction}) ask it. Over TLS the connector's end point carries an
 * {@link SslConnection}, and the protocol runs on its decrypted end point: first a
 * {@link NegotiatingServerConnection} (the handshake and ALPN), then an HTTP/1.1 {@link HttpConnection} or an
 * {@link HTTP2Connection}. Cleartext connections start as HTTP/1.1 and become HTTP/2 on {@code h2c}.
 *
 * <p>Stateless. Reads connection state from another thread: racy but benign for guards that look again within a
 * second.
 */
final class Connections {
    private Connections() {
    }

    /** The protocol connection of a connector's end point: the one on the decrypted side of TLS, if any. */
    static Connection protocol(EndPoint endPoint) {
        Connection c = endPoint.getConnection();
        if (c instanceof SslConnection ssl) {
            return ssl.getSslEndPoint().getConnection();
        }
        return c;
    }

    /**
     * True for a connection with no request in progress: HTTP/1.x with no byte of a request received (new, or
     * between requests), HTTP/2 with no open stream, or TLS still shaking hands.
     */
    static boolean idle(EndPoint endPoint) {
        if (!endPoint.isOpen()) {
            return false;
        }
        Connection c = protocol(endPoint);
        if (c instanceof HttpConnection http) {
            return noRequestBytes(http);
        }
        if (c instanceof HTTP2Connection h2) {
            return h2.getSession().getStreamCount() == 0;
        }
        return c instanceof NegotiatingServerConnection;
    }

    /**
     * True for a connection that has not begun a request since it opened: HTTP/1.x that received no request
     * byte, HTTP/2 that opened no stream, or TLS still shaking hands.
     */
    static boolean neverBegan(EndPoint endPoint) {
        Connection c = protocol(endPoint);
        if (c instanceof HttpConnection http) {
            return http.getMessagesIn() == 0 && noRequestBytes(http);
        }
        if (c instanceof HTTP2Connection h2) {
            return h2.getMessagesIn() == 0;
        }
        return c instanceof NegotiatingServerConnection;
    }

    /** No byte of a request received: the parser is at its start with no header byte counted. */
    static boolean noRequestBytes(HttpConnection http) {
        return http.getParser().isStart() && http.getParser().getHeaderLength() == 0;
    }
}
