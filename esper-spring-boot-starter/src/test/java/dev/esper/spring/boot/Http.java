package dev.esper.spring.boot;

import dev.esper.testsupport.RawHttp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Requests to a running application over a raw socket, so tests see the bytes on the wire. */
final class Http {
    private Http() {
    }

    /** Sends a GET and reads the answer's head; the body (an open stream, say) is read by the caller. */
    static RawHttp get(int port, String target, String... headers) throws IOException {
        return RawHttp.connect(port).send("GET", target, List.of(headers), null).readHead();
    }

    /** POSTs {@code body} with a Content-Length and reads the head; read the body with {@code readBody()}. */
    static RawHttp post(int port, String target, String body, String... headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(List.of(headers));
        lines.add("Content-Length: " + bytes.length);
        return RawHttp.connect(port).send("POST", target, lines, bytes).readHead();
    }
}
