package dev.esper.http;

import dev.esper.broker.Chunk;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A hand-written {@link Exchange} for unit tests: a request given up front, a body fed piece by piece, a timer
 * the test fires, and a stream whose writes the test completes. Single-threaded use.
 */
final class FakeExchange implements Exchange {
    final String method;
    final String rawPath;
    final String rawQuery;
    final Map<String, String> headers = new LinkedHashMap<>();
    private static final byte[] BROKEN = new byte[0];
    /** Body pieces still to hand over; {@link #BROKEN} = a read failure. */
    final Deque<byte[]> pieces = new ArrayDeque<>();
    boolean bodyComplete;
    Runnable demand;
    final List<Runnable> timers = new ArrayList<>();
    final List<Answer> answers = new ArrayList<>();
    Answer head;
    Runnable clientLeft;
    final StringBuffer streamed = new StringBuffer();
    WriteCallback pendingWrite;
    /** Complete writes at once (a fast client) or leave them pending (a slow one). */
    boolean writesCompleteAtOnce = true;
    String ended;

    FakeExchange(String method, String rawPath, String rawQuery) {
        this.method = method;
        this.rawPath = rawPath;
        this.rawQuery = rawQuery;
    }

    FakeExchange header(String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), value);
        return this;
    }

    @Override
    public String method() {
        return method;
    }

    @Override
    public String rawPath() {
        return rawPath;
    }

    @Override
    public String rawQuery() {
        return rawQuery;
    }

    @Override
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    @Override
    public void respond(Answer answer) {
        answers.add(answer);
    }

    @Override
    public RequestBody readBody() {
        return new RequestBody() {
            @Override
            public int read(BodyBuffer into) throws IOException {
                if (pieces.isEmpty()) {
                    return bodyComplete ? -1 : 0;
                }
                byte[] p = pieces.poll();
                if (p == BROKEN) {
                    throw new IOException("broken chunk");
                }
                into.append(ByteBuffer.wrap(p));
                return p.length;
            }

            @Override
            public void demand(Runnable ready) {
                demand = ready;
            }
        };
    }

    /** Feeds more body and wakes the reader if it waits. */
    void feed(String piece, boolean last) {
        pieces.add(piece.getBytes(StandardCharsets.UTF_8));
        bodyComplete = last;
        wake();
    }

    void feedFailure() {
        pieces.add(BROKEN);
        wake();
    }

    private void wake() {
        Runnable d = demand;
        demand = null;
        if (d != null) {
            d.run();
        }
    }

    @Override
    public EventSink openStream(Answer head, Runnable clientLeft) {
        this.head = head;
        this.clientLeft = clientLeft;
        return new EventSink() {
            @Override
            public void write(Chunk chunk, WriteCallback done) {
                streamed.append(chunk);
                if (writesCompleteAtOnce) {
                    done.written();
                } else {
                    pendingWrite = done;
                }
            }

            @Override
            public void close() {
                ended = "closed";
            }

            @Override
            public void abort(String reason) {
                ended = "aborted: " + reason;
            }
        };
    }

    /** Completes the pending write, as a slow client's socket finally taking it. */
    void completeWrite() {
        WriteCallback w = pendingWrite;
        pendingWrite = null;
        w.written();
    }

    @Override
    public Runnable schedule(Runnable task, long delayMillis) {
        timers.add(task);
        return () -> timers.remove(task);
    }

    /** The one answer sent. */
    Answer answer() {
        if (answers.size() != 1) {
            throw new AssertionError("expected one answer, got " + answers);
        }
        return answers.get(0);
    }
}
