package dev.esper.broker;

import dev.esper.topic.TopicId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One subscriber's stream, of one topic or several: a cursor into each topic's log ({@link Member}), and the one
 * demand its adapter signalled.
 *
 * <p>Bytes leave only in {@link #drain()}, which any thread may call (publisher fan-out of any of its topics, the
 * adapter's {@code request}, the maintenance timer) and which runs on one thread at a time (the {@code wip}
 * counter serialises it, and a call that arrives while another thread drains makes that thread loop once more).
 * All frames waiting when a drain runs leave in one chunk, up to {@link #MAX_CHUNK} bytes.
 *
 * <h2>Several topics</h2>
 * A stream opened for a set of topics ({@code cursorIds}) re-frames each event with the id
 * {@code <topic>:<cursor>} ({@link StreamCursor}) in place of the event's own, and takes its topics' waiting
 * events in turns, one event of each topic with any waiting per turn, so that a busy topic cannot hold the
 * others back. The stream has one demand and one buffer bound: its backlog ({@link #lag()}) is the sum over its
 * topics, and it is dropped as too slow, or for the memory budget, as a whole.
 *
 * <h2>Gaps</h2>
 * A resume that cannot be shown complete for some topics sends an {@code esper-gap} event naming them right
 * after the opening comment (SPEC 8.1), before the replay.
 */
final class StreamSubscription implements Flow.Subscription {
    static final int MAX_CHUNK = 64 * 1024;
    private static final byte[] PREAMBLE = ":ok\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final Chunk HEARTBEAT = new Chunk(":\n\n".getBytes(StandardCharsets.US_ASCII), 0);
    private static final byte[] ID = "id: ".getBytes(StandardCharsets.US_ASCII);
    /**
     * Where a draining thread builds a chunk of re-framed events before copying it out at its exact size: one per
     * thread (the chunk is copied out before anything is called back), so idle streams hold none. A single event
     * too big for it is built in a larger array of its own, dropped after use.
     */
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[2 * MAX_CHUNK]);

    private static final int ACTIVE = 0;
    private static final int COMPLETING = 1;
    private static final int FAILED = 2;
    private static final int CANCELLED = 3;

    final Broker broker;
    /** The stream's topics, sorted, a member each; filled while registering, before {@link #start()}. */
    final Member[] members;
    private final Flow.Subscriber<? super Chunk> downstream;
    /** Whether event ids are {@code <topic>:<cursor>} (a stream opened for a set of topics). */
    private final boolean cursorIds;
    /** The topic-set check of the cursor; null unless {@link #cursorIds}. */
    private final byte[] check;

    // Written while registering, before start; then only by the draining thread (wip's atomics order them).
    /** The cursor's slots (see {@link StreamCursor}), one per member. */
    private final long[] slots;
    /** The esper-gap frame to send after the opening comment, or null. */
    private byte[] gap;
    private boolean preambleSent;
    private boolean done;
    /** The member whose events come first in the next chunk. */
    private int turn;

    /** Bytes of the last chunk handed downstream if it was a copy (coalesced or re-framed), else 0. Written by the
     * draining thread; read by the memory budget. */
    private volatile int lastCopy;
    private final AtomicLong requested = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private final AtomicBoolean unsubscribed = new AtomicBoolean();

    private volatile int state = ACTIVE;
    private volatile Throwable error;
    private volatile boolean forceComplete;
    private volatile boolean started;
    private volatile boolean ended;
    private volatile boolean heartbeatDue;
    volatile long lastActivityMillis;

    /**
     * A stream not yet registered.
     *
     * @param topics its topics, sorted, distinct
     * @param cursorIds whether ids are cursors (several topics) or the events' own (a one-topic stream)
     */
    StreamSubscription(Broker broker, List<TopicId> topics, boolean cursorIds,
            Flow.Subscriber<? super Chunk> downstream, long nowMillis) {
        this.broker = broker;
        this.members = new Member[topics.size()];
        this.slots = new long[topics.size()];
        this.downstream = downstream;
        this.cursorIds = cursorIds;
        this.lastActivityMillis = nowMillis;
        if (cursorIds) {
            this.check = StreamCursor.check(topics);
        } else {
            this.check = null;
        }
    }

    /** The cursor's topic-set check; null unless ids are cursors. */
    byte[] check() {
        return check;
    }

    /** Whether event ids are cursors. */
    boolean cursorIds() {
        return cursorIds;
    }

    /** Sets a member's slot; only while registering. */
    void slot(int index, long position) {
        slots[index] = position;
    }

    /** Names the topics whose resume cannot be shown complete; only while registering. */
    void gap(List<TopicId> gapped) {
        if (gapped.isEmpty()) {
            return;
        }
        StringBuilder json = new StringBuilder("event: esper-gap\ndata: {\"topics\":[");
        for (int i = 0; i < gapped.size(); i++) {
            json.append(i == 0 ? "\"" : ",\"").append(gapped.get(i).value()).append('"');
        }
        gap = json.append("]}\n\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Calls {@code onSubscribe}, then lets signals flow. */
    void start() {
        try {
            downstream.onSubscribe(this);
        } catch (Throwable t) {
            cancel();
            return;
        }
        started = true;
        drain();
    }

    @Override
    public void request(long n) {
        if (n <= 0) {
            fail(new IllegalArgumentException("request(n) needs n > 0, was " + n));
            return;
        }
        long r;
        long next;
        do {
            r = requested.get();
            if (r == Long.MAX_VALUE) {
                break;
            }
            next = r + n < 0 ? Long.MAX_VALUE : r + n;
        } while (!requested.compareAndSet(r, next));
        drain();
    }

    @Override
    public void cancel() {
        if (terminate(CANCELLED, null)) {
            broker.unsubscribe(this);
        }
        drain();
    }

    /** Whether the stream was started (registered in all its topics and handed to its subscriber). */
    boolean isStarted() {
        return started;
    }

    /**
     * Whether the stream's output is stuck: the last chunk handed to the adapter (its write in flight) has not
     * been written for more than {@code stallMillis}, and no more was asked for. A reader that keeps up asks
     * again within milliseconds of each hand-off; one that does not read never does.
     */
    boolean stalled(long nowMillis, long stallMillis) {
        return started && requested.get() == 0 && nowMillis - lastActivityMillis > stallMillis;
    }

    /**
     * Bytes of a chunk copy (coalesced or re-framed, not the log's shared frames) that the adapter still holds:
     * the last one handed downstream, while no more was asked for (its write is in flight). 0 otherwise.
     */
    long copyInFlight() {
        return requested.get() == 0 && !ended ? lastCopy : 0;
    }

    /** Unsent live bytes over all the stream's topics; 0 before it started and once it ended. */
    long lag() {
        if (!started) {
            return 0;
        }
        long lag = 0;
        for (Member m : members) {
            lag += m.lag();
        }
        return lag;
    }

    /** The stream for a message: {@code 'topic'}, or {@code 'a', 'b'} for several. */
    String describe() {
        StringBuilder b = new StringBuilder();
        for (Member m : members) {
            if (m != null) {
                b.append(b.length() == 0 ? "'" : ", '").append(m.topic.id.value()).append('\'');
            }
        }
        return b.toString();
    }

    /** Ends the stream with an error (drop for slowness, or a protocol violation). */
    boolean fail(Throwable t) {
        if (terminate(FAILED, t)) {
            broker.unsubscribe(this);
            drain();
            return true;
        }
        return false;
    }

    /** Ends the stream after what is queued has been sent (or at once when {@code force}). */
    void complete(boolean force) {
        if (force) {
            forceComplete = true;
        }
        terminate(COMPLETING, null);
        drain();
    }

    /** Marks the stream to end after what is queued, without sending anything yet (the caller drains later). */
    void markCompleting() {
        terminate(COMPLETING, null);
    }

    boolean isActive() {
        return state == ACTIVE;
    }

    /** Takes the right to remove the stream from its topics: true the first time only. */
    boolean takeUnsubscribe() {
        return unsubscribed.compareAndSet(false, true);
    }

    void heartbeat() {
        heartbeatDue = true;
        drain();
    }

    private synchronized boolean terminate(int newState, Throwable t) {
        int s = state;
        if (s == CANCELLED || s == FAILED || (s == COMPLETING && newState == COMPLETING)) {
            return false;
        }
        if (t != null) {
            error = t;
        }
        state = newState;
        return true;
    }

    void drain() {
        if (wip.getAndIncrement() != 0) {
            return;
        }
        int missed = 1;
        for (;;) {
            if (!started || !emit()) {
                if (done) {
                    return;
                }
            }
            missed = wip.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** Emits what demand allows. Returns false once the stream has ended. */
    private boolean emit() {
        for (;;) {
            if (done) {
                return false;
            }
            int s = state;
            if (s == CANCELLED) {
                finish();
                return false;
            }
            if (s == FAILED) {
                finish();
                try {
                    downstream.onError(error);
                } catch (Throwable ignored) {
                    // The adapter's failure must not break delivery to others.
                }
                return false;
            }
            long r = requested.get();
            if (r == 0) {
                if (s == COMPLETING && forceComplete) {
                    completeNow();
                    return false;
                }
                return true;
            }
            Chunk chunk = nextChunk();
            if (chunk == null) {
                if (s == COMPLETING) {
                    completeNow();
                    return false;
                }
                return true;
            }
            if (r != Long.MAX_VALUE) {
                requested.decrementAndGet();
            }
            lastActivityMillis = broker.nowMillis();
            if (chunk.events() > 0) {
                broker.countDelivered(chunk.events());
            }
            try {
                downstream.onNext(chunk);
            } catch (Throwable t) {
                if (terminate(CANCELLED, null)) {
                    broker.unsubscribe(this);
                }
                finish();
                return false;
            }
        }
    }

    private void completeNow() {
        finish();
        broker.unsubscribe(this);
        try {
            downstream.onComplete();
        } catch (Throwable ignored) {
            // Nothing more to deliver to this subscriber.
        }
    }

    private void finish() {
        done = true;
        ended = true;
        for (Member m : members) {
            if (m != null) {
                m.cursor = null;
            }
        }
    }

    private Chunk nextChunk() {
        byte[] pre = null;
        if (!preambleSent) {
            preambleSent = true;
            pre = PREAMBLE;
            if (gap != null) {
                pre = Arrays.copyOf(PREAMBLE, PREAMBLE.length + gap.length);
                System.arraycopy(gap, 0, pre, PREAMBLE.length, gap.length);
                gap = null;
            }
        }
        return cursorIds ? nextWithCursors(pre) : nextWithOwnIds(pre);
    }

    /** What waits in a one-topic stream, its frames as the log holds them (shared when one event waits). */
    private Chunk nextWithOwnIds(byte[] pre) {
        Member m = members[0];
        Node c = m.cursor;
        Node first = c.next;
        if (first == null) {
            return pre != null ? new Chunk(pre, 0) : idle();
        }
        heartbeatDue = false;
        if (pre == null && (first.next == null || first.frame.length + first.next.frame.length > MAX_CHUNK)) {
            m.cursor = first;
            lastCopy = 0;
            return first.chunk;
        }
        int size = pre == null ? 0 : pre.length;
        int count = 0;
        Node last = c;
        for (Node n = first; n != null; n = n.next) {
            if (count > 0 && size + n.frame.length > MAX_CHUNK) {
                break;
            }
            size += n.frame.length;
            count++;
            last = n;
        }
        byte[] buf = new byte[size];
        int p = 0;
        if (pre != null) {
            System.arraycopy(pre, 0, buf, 0, pre.length);
            p = pre.length;
        }
        for (Node n = first;; n = n.next) {
            System.arraycopy(n.frame, 0, buf, p, n.frame.length);
            p += n.frame.length;
            if (n == last) {
                break;
            }
        }
        m.cursor = last;
        lastCopy = size;
        return new Chunk(buf, count);
    }

    /**
     * What waits in a stream of several topics, each event re-framed with its {@code <topic>:<cursor>} id; the
     * topics take turns, one event each per turn, the turn's first topic moving on at every chunk.
     */
    private Chunk nextWithCursors(byte[] pre) {
        Member[] ms = members;
        int n = ms.length;
        boolean waiting = false;
        for (Member m : ms) {
            if (m.cursor.next != null) {
                waiting = true;
                break;
            }
        }
        if (!waiting) {
            return pre != null ? new Chunk(pre, 0) : idle();
        }
        heartbeatDue = false;
        byte[] buf = SCRATCH.get();
        int size = 0;
        if (pre != null) {
            System.arraycopy(pre, 0, buf, 0, pre.length);
            size = pre.length;
        }
        int count = 0;
        int cursorRoom = StreamCursor.maxLength(n);
        boolean full = false;
        while (!full) {
            boolean progress = false;
            for (int k = 0; k < n && !full; k++) {
                int i = (turn + k) % n;
                Member m = ms[i];
                Node next = m.cursor.next;
                if (next == null) {
                    continue;
                }
                int body = next.bodyOffset();
                byte[] prefix = m.topic.idPrefix;
                int most = ID.length + prefix.length + cursorRoom + 1 + next.frame.length - body;
                if (count > 0 && size + most > MAX_CHUNK) {
                    full = true;
                    break;
                }
                if (size + most > buf.length) {
                    buf = Arrays.copyOf(buf, size + most);
                }
                System.arraycopy(ID, 0, buf, size, ID.length);
                size += ID.length;
                System.arraycopy(prefix, 0, buf, size, prefix.length);
                size += prefix.length;
                slots[i] = next.position;
                size = StreamCursor.write(buf, size, check, slots, i);
                buf[size++] = '\n';
                System.arraycopy(next.frame, body, buf, size, next.frame.length - body);
                size += next.frame.length - body;
                m.cursor = next;
                count++;
                progress = true;
            }
            if (!progress) {
                break;
            }
        }
        turn = (turn + 1) % n;
        lastCopy = size;
        return new Chunk(Arrays.copyOf(buf, size), count);
    }

    /** Nothing waits: a heartbeat if one is due, else null. */
    private Chunk idle() {
        if (heartbeatDue) {
            heartbeatDue = false;
            return HEARTBEAT;
        }
        return null;
    }

}
