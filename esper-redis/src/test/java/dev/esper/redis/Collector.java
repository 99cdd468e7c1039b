package dev.esper.redis;

import dev.esper.broker.Chunk;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

/**
 * A subscriber that reads everything at once and parses the SSE frames it gets ({@code id:} and {@code data:}),
 * {@code esper-gap} events apart ({@link #gaps()}).
 */
final class Collector implements Flow.Subscriber<Chunk> {
    private final StringBuilder text = new StringBuilder();
    volatile Flow.Subscription subscription;
    volatile Throwable error;
    volatile boolean completed;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(Chunk c) {
        synchronized (text) {
            text.append(c);
        }
    }

    @Override
    public void onError(Throwable t) {
        error = t;
    }

    @Override
    public void onComplete() {
        completed = true;
    }

    /** Whether the stream is still open. */
    boolean open() {
        return error == null && !completed;
    }

    /** What was received so far, as text (parse it again with {@link #field}). */
    String text() {
        synchronized (text) {
            return text.toString();
        }
    }

    /** The ids of the events received, in order. */
    List<String> ids() {
        return field("id: ", false);
    }

    /** The data of the events received, in order. */
    List<String> data() {
        return field("data: ", false);
    }

    /** The data of the {@code esper-gap} events received. */
    List<String> gaps() {
        return field("data: ", true);
    }

    private List<String> field(String prefix, boolean gaps) {
        return field(text(), prefix, gaps);
    }

    /** The values of one field of the events in {@code all}, {@code esper-gap} events only or all others. */
    static List<String> field(String all, String prefix, boolean gaps) {
        List<String> out = new ArrayList<>();
        for (String block : all.split("\n\n")) {
            if (block.contains("event: esper-gap\n") != gaps) {
                continue;
            }
            for (String line : block.split("\n")) {
                if (line.startsWith(prefix)) {
                    out.add(line.substring(prefix.length()));
                }
            }
        }
        return out;
    }
}
