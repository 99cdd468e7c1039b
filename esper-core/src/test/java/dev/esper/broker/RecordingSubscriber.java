package dev.esper.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test subscriber that records what the broker hands it. It requests {@code initialDemand} at
 * subscribe and one more after each chunk when {@code autoRequest} is set, like an adapter whose
 * socket is always ready.
 */
final class RecordingSubscriber implements Flow.Subscriber<Chunk> {
    private final long initialDemand;
    private final boolean autoRequest;
    final List<Chunk> chunks = new CopyOnWriteArrayList<>();
    final AtomicInteger completions = new AtomicInteger();
    volatile Throwable error;
    volatile Flow.Subscription subscription;
    private final StringBuilder text = new StringBuilder();

    private RecordingSubscriber(long initialDemand, boolean autoRequest) {
        this.initialDemand = initialDemand;
        this.autoRequest = autoRequest;
    }

    /** Always ready: requests one chunk at a time, forever. */
    static RecordingSubscriber ready() {
        return new RecordingSubscriber(1, true);
    }

    /** Never requests anything by itself: a reader that does not read. */
    static RecordingSubscriber stalled() {
        return new RecordingSubscriber(0, false);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        this.subscription = s;
        if (initialDemand > 0) {
            s.request(initialDemand);
        }
    }

    @Override
    public void onNext(Chunk chunk) {
        chunks.add(chunk);
        synchronized (text) {
            text.append(chunk);
        }
        if (autoRequest) {
            subscription.request(1);
        }
    }

    @Override
    public void onError(Throwable t) {
        error = t;
    }

    @Override
    public void onComplete() {
        completions.incrementAndGet();
    }

    String text() {
        synchronized (text) {
            return text.toString();
        }
    }

    /** The events received so far, parsed from the stream (frames use LF only). */
    List<Received> events() {
        List<Received> out = new ArrayList<>();
        String all = text();
        int end = all.lastIndexOf("\n\n");
        if (end < 0) {
            return out;
        }
        for (String block : all.substring(0, end).split("\n\n", -1)) {
            String id = null;
            String name = null;
            StringBuilder data = null;
            for (String line : block.split("\n", -1)) {
                if (line.isEmpty() || line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "id":
                        id = value;
                        break;
                    case "event":
                        name = value;
                        break;
                    case "data":
                        data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                        break;
                    default:
                        break;
                }
            }
            if (data != null) {
                out.add(new Received(id, name, data.toString()));
            }
        }
        return out;
    }

    /** The data of the events received so far, {@code esper-gap} events left out (see {@link #gaps()}). */
    List<String> dataList() {
        List<String> out = new ArrayList<>();
        for (Received r : events()) {
            if (!"esper-gap".equals(r.name())) {
                out.add(r.data());
            }
        }
        return out;
    }

    /** The data of the {@code esper-gap} events received so far. */
    List<String> gaps() {
        List<String> out = new ArrayList<>();
        for (Received r : events()) {
            if ("esper-gap".equals(r.name())) {
                out.add(r.data());
            }
        }
        return out;
    }

    /** The ids of the events received so far, {@code esper-gap} events left out. */
    List<String> ids() {
        List<String> out = new ArrayList<>();
        for (Received r : events()) {
            if (!"esper-gap".equals(r.name())) {
                out.add(r.id());
            }
        }
        return out;
    }

    record Received(String id, String name, String data) {
    }
}
