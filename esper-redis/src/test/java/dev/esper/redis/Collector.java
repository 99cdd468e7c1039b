package dev.esper.redis;

import dev.esper.broker.Chunk;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;

/** A subscriber that reads everything at once and parses the SSE frames it gets ({@code id:} and {@code data:}). */
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

    /** The ids of the events received, in order. */
    List<String> ids() {
        return field("id: ");
    }

    /** The data of the events received, in order. */
    List<String> data() {
        return field("data: ");
    }

    private List<String> field(String prefix) {
        String all;
        synchronized (text) {
            all = text.toString();
        }
        List<String> out = new ArrayList<>();
        for (String block : all.split("\n\n")) {
            for (String line : block.split("\n")) {
                if (line.startsWith(prefix)) {
                    out.add(line.substring(prefix.length()));
                }
            }
        }
        return out;
    }
}
