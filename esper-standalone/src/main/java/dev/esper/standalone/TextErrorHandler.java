package dev.esper.standalone;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntConsumer;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error pages as one short line of {@code text/plain} (SPEC 2: never an HTML page or a stack
 * trace): {@code 400 Bad Request}, for a malformed request or anything else the container answers itself.
 * An unsupported HTTP version in the request line (Jetty's {@code 505}) is answered {@code 400} too.
 *
 * <p>It writes the status and its reason phrase only: Jetty's own messages may quote parts of a rejected
 * request, and a query string can carry a token.
 *
 * <p>Each error it answers is counted as a rejected request ({@code esper_rejected_requests_total}).
 *
 * <p>Thread-safe; holds only the counter.
 */
final class TextErrorHandler extends ErrorHandler {
    private final IntConsumer rejected;

    /** @param rejected counts an error status ({@code Broker::recordRejected}) */
    TextErrorHandler(IntConsumer rejected) {
        this.rejected = rejected;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int code = response.getStatus();
        Object cause = request.getAttribute(ERROR_EXCEPTION);
        if (cause instanceof HttpException) {
            code = ((HttpException) cause).getCode();
            response.setStatus(code);
        }
        if (code == HttpStatus.HTTP_VERSION_NOT_SUPPORTED_505) {
            // A request line naming HTTP/0.9 or HTTP/3+ is a malformed request for us (SPEC 7: 400), not a
            // server error: a client's bytes never make esper answer 5xx.
            code = HttpStatus.BAD_REQUEST_400;
            response.setStatus(code);
        }
        if (code >= 400 && code <= 599) {
            rejected.accept(code);
        }
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (HttpStatus.hasNoBody(code) || HttpMethod.HEAD.is(request.getMethod())) {
            callback.succeeded();
            return true;
        }
        StringBuilder body = new StringBuilder().append(code).append(' ').append(HttpStatus.getMessage(code));
        body.append('\n');
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.write(true, ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
