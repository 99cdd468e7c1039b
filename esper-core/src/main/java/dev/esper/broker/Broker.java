package dev.esper.broker;

import dev.esper.EsperException;
import dev.esper.config.EsperConfig;
import dev.esper.event.Event;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The fan-out broker: topics, their order, retention and resume, and delivery to subscribers without
 * blocking anyone.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li><b>One order per topic.</b> A publish fixes its events' place in the topic's order before it
 *       returns; every subscriber receives the topic's events in that order, each exactly once.</li>
 *   <li><b>A publisher never waits for a subscriber.</b> {@link #publish} encodes each event once,
 *       appends it to the topic's log and returns; writing to subscribers happens afterwards on the
 *       delivery threads, driven by each subscriber's demand ({@link Flow.Subscription#request}).</li>
 *   <li><b>Resume.</b> A subscriber that names a last event id gets the retained events after it, then
 *       live events, with nothing lost or duplicated at the seam. An id that is no longer retained (or
 *       never was) replays everything retained, after an {@code esper-gap} event that says so (SPEC 8.1).</li>
 *   <li><b>Several topics on one stream.</b> {@link #subscribe(Collection, String, Flow.Subscriber)}: one
 *       subscriber, demand and buffer bound for up to the max-stream-topics limit of topics, each event's id a
 *       {@code <topic>:<cursor>} that resumes every topic exactly (SPEC 8).</li>
 *   <li><b>Bounded memory.</b> Retention is bounded per topic by count and age and globally by bytes;
 *       topics, subscribers and each subscriber's unsent live bytes are bounded. Past a limit the broker
 *       evicts idle topics or refuses with {@link CapacityExceededException}; a subscriber past its
 *       bound is dropped with {@link SubscriberTooSlowException}. One memory budget bounds all the events
 *       the broker holds, retained or held for subscribers that are behind, at their heap cost: past it the
 *       subscribers furthest behind are dropped, then the oldest retained events (see
 *       {@link Builder#memoryBudget}).</li>
 *   <li><b>Ids.</b> Events published without an id get one from a broker-wide counter, seeded from the
 *       clock at start: decimal, increasing with publish order, never reused while the broker runs, and
 *       (unless more than 1000 events per millisecond were published) not reused after a restart.</li>
 * </ul>
 *
 * <h2>Embedding</h2>
 * <pre>{@code
 * try (Broker broker = Broker.builder().build()) {
 *     broker.subscribe(TopicId.of("abcdef123"), null, subscriber);   // a Flow.Subscriber<Chunk>
 *     broker.publish(TopicId.of("abcdef123"), List.of(Event.of("hello")));
 * }
 * }</pre>
 *
 * <p>Thread-safe. Create with {@link #builder()}; {@link #close()} ends every stream and stops the
 * broker's threads.
 */
public final class Broker implements AutoCloseable {
    /** The most topics one eviction attempt looks at (see {@link TopicTable#evictOneIdle()}). */
    static final int EVICTION_SCAN_LIMIT = TopicTable.EVICTION_SCAN_LIMIT;
    /** Forgotten topics whose last position the broker remembers exactly (see {@link ForgottenTopics}). */
    static final int FORGOTTEN_TOPICS_REMEMBERED = 10_000;

    // The parts. Each states which thread owns which of its fields and what lock guards what.
    private final Retention retention;
    private final TopicTable topics;
    private final FanOut fanOut;
    private final MemoryBudget budget;
    private final Maintenance maintenance;
    private final Transport transport;
    private final IdempotencyKeys idempotencyKeys;

    /** Final or thread-safe: read by any thread. */
    private final InstantSource clock;
    private final long startMillis;
    private final BoundedCount clients;
    private final int maxStreamTopics;
    /** The next broker-assigned id; taken under the publishing topic's lock, so ids follow each topic's order. */
    private final AtomicLong nextId;
    private final LongAdder published = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final Rejections rejections = new Rejections();
    /** Added and removed by any thread; read by every publish while one is registered. */
    private final List<BrokerListener> listeners = new CopyOnWriteArrayList<>();
    /** Set once by {@link #close}; read by every publish and subscribe. */
    private volatile boolean closed;
    /** Set once by {@link #beginShutdown}; read by {@link #health()}. */
    private volatile boolean shuttingDown;

    private Broker(Builder b) {
        this.clock = b.clock;
        this.startMillis = clock.millis();
        this.nextId = new AtomicLong(Math.max(1, startMillis) * 1000);
        this.clients = new BoundedCount(b.maxSubscribers);
        this.maxStreamTopics = b.maxStreamTopics;
        this.retention = new Retention(b.historySize, b.historyTtl.toMillis(), b.maxRetainedBytes);
        this.fanOut = new FanOut(b.deliveryExecutor, b.deliveryThreads, b.subscriberBuffer, clock);
        this.transport = b.transport == null ? Transport.local() : b.transport;
        // Positions from the broker's own counter are below every one to come, whatever the topic, so a topic that
        // comes back takes its floor from what the broker remembers of it. A cross-node transport's positions and
        // histories are its own: the first it hands over turns that memory off.
        ForgottenTopics forgotten = new ForgottenTopics(FORGOTTEN_TOPICS_REMEMBERED, nextId.get() - 1);
        this.topics = new TopicTable(b.maxTopics, retention, clock, fanOut.stripes(), forgotten);
        this.idempotencyKeys = new IdempotencyKeys(idempotencyWindowMillis(b.historyTtl.toMillis()), clock);
        this.transport.start(new Transport.Sink() {
            @Override
            public PublishResult append(TopicId topic, List<Event> events) {
                return Broker.this.append(topic, events, null);
            }

            @Override
            public PublishResult append(TopicId topic, List<Event> events, long[] positions) {
                forgotten.positionsComeFromTransport();
                return Broker.this.append(topic, events, checkedPositions(events.size(), positions, Long.MIN_VALUE));
            }

            @Override
            public void replaceHistory(TopicId topic, List<Event> history, List<Duration> ages) {
                forgotten.positionsComeFromTransport();
                Broker.this.replaceHistory(topic, history, ages, null, Node.UNKNOWN);
            }

            @Override
            public void replaceHistory(TopicId topic, List<Event> history, List<Duration> ages, long[] positions,
                    long floor) {
                forgotten.positionsComeFromTransport();
                Broker.this.replaceHistory(topic, history, ages,
                        checkedPositions(history.size(), positions, floor == Node.UNKNOWN ? Long.MIN_VALUE : floor),
                        floor);
            }
        });
        this.budget = new MemoryBudget(b.memoryBudget, topics, fanOut);
        this.maintenance = new Maintenance(topics, retention, fanOut, budget, clock, b.heartbeat.toMillis(),
                b.maintenance);
    }

    /**
     * Positions a transport supplied, checked: one per event, increasing, above {@code above}.
     *
     * @throws IllegalArgumentException if they are not
     */
    private static long[] checkedPositions(int events, long[] positions, long above) {
        Objects.requireNonNull(positions, "positions");
        if (positions.length != events) {
            throw new IllegalArgumentException(events + " events but " + positions.length + " positions; they must match");
        }
        long previous = above;
        for (long p : positions) {
            if (p <= previous || p < 0 || p == Node.UNKNOWN) {
                throw new IllegalArgumentException("positions must increase from one event to the next, stay above "
                        + "the floor and be 0 or more, were " + java.util.Arrays.toString(positions));
            }
            previous = p;
        }
        return positions.clone();
    }

    /** A builder with the defaults of SPEC 4. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------------------------------------
    // Publishing

    /**
     * Publishes a batch to a topic, all or nothing, and returns once the events' order is fixed.
     * Delivery to subscribers happens afterwards; this call never waits for a subscriber.
     *
     * @param topic the topic
     * @param events one or more events; those without an id get one
     * @return ids and subscriber count
     * @throws CapacityExceededException if a limit forbids the publish (nothing is published)
     * @throws IllegalArgumentException if {@code events} is empty
     */
    public PublishResult publish(TopicId topic, List<Event> events) {
        return join(publishAsync(topic, events));
    }

    /** Waits for a stage; its failure is rethrown as itself when unchecked (not wrapped, see {@link EsperException#unwrap}). */
    private static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            Throwable cause = EsperException.unwrap(e);
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            throw e;
        }
    }

    /** Publishes one event; see {@link #publish(TopicId, List)}. */
    public PublishResult publish(TopicId topic, Event event) {
        return publish(topic, List.of(event));
    }

    /**
     * Publishes through the transport without blocking; the stage completes once the order is fixed,
     * or exceptionally with a {@link EsperException} that says why nothing was published.
     */
    public CompletionStage<PublishResult> publishAsync(TopicId topic, List<Event> events) {
        long start = System.nanoTime();
        CompletionStage<PublishResult> refused = refusal(topic, events);
        return timed(start, events.size(), refused != null ? refused : transport.publish(topic, List.copyOf(events)));
    }

    /** Tells the listeners, if any, how long the publish took once {@code stage} completes; returns {@code stage}. */
    private CompletionStage<PublishResult> timed(long startNanos, int events, CompletionStage<PublishResult> stage) {
        if (listeners.isEmpty()) {
            return stage;
        }
        stage.whenComplete((result, failure) -> {
            long nanos = System.nanoTime() - startNanos;
            for (BrokerListener l : listeners) {
                try {
                    l.publishHandled(nanos, events, failure == null);
                } catch (RuntimeException e) {
                    // A listener's failure is its own; the publish is answered all the same.
                }
            }
        });
        return stage;
    }

    /**
     * The checks every publish starts with: a failed stage when the broker is closing, else null.
     *
     * @throws IllegalArgumentException if {@code events} is empty
     */
    private CompletionStage<PublishResult> refusal(TopicId topic, List<Event> events) {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a publish needs at least one event");
        }
        return closed ? CompletableFuture.failedFuture(shuttingDown()) : null;
    }

    /**
     * Publishes a batch at most once per idempotency key: within the window (the history ttl, or 300 s when
     * history does not expire) a repeat with the same key to the same topic publishes nothing and completes with
     * the first publish's result (the same ids), or its failure if it is still under way and fails. A publish
     * that failed is forgotten, so trying again publishes. With a cross-node transport the key holds on every
     * node ({@link Transport#publish(TopicId, List, String)}).
     *
     * @param topic the topic
     * @param events one or more events
     * @param idempotencyKey 1 to 255 visible ASCII characters ({@link #isValidIdempotencyKey}), or null for none
     * @return the result, as for {@link #publishAsync(TopicId, List)}
     * @throws IllegalArgumentException if the key is not valid
     */
    public CompletionStage<PublishResult> publishAsync(TopicId topic, List<Event> events, String idempotencyKey) {
        if (idempotencyKey == null) {
            return publishAsync(topic, events);
        }
        if (!isValidIdempotencyKey(idempotencyKey)) {
            throw new IllegalArgumentException(IDEMPOTENCY_KEY_RULE);
        }
        long start = System.nanoTime();
        CompletionStage<PublishResult> refused = refusal(topic, events);
        if (refused != null) {
            return timed(start, events.size(), refused);
        }
        CompletableFuture<PublishResult> mine = new CompletableFuture<>();
        CompletableFuture<PublishResult> earlier = idempotencyKeys.claim(topic, idempotencyKey, mine);
        if (earlier != null) {
            return timed(start, events.size(), earlier.copy());
        }
        CompletionStage<PublishResult> stage;
        try {
            stage = transport.publish(topic, List.copyOf(events), idempotencyKey);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((result, failure) -> {
            if (failure != null) {
                idempotencyKeys.forget(topic, idempotencyKey, mine);
                mine.completeExceptionally(EsperException.unwrap(failure));
            } else {
                mine.complete(result);
            }
        });
        return timed(start, events.size(), mine.copy());
    }

    /** How long a publish's idempotency key is remembered: the history ttl, or 300 s when it is 0 (no age limit). */
    static long idempotencyWindowMillis(long historyTtlMillis) {
        return historyTtlMillis > 0 ? historyTtlMillis : 300_000;
    }

    /** What an idempotency key may be. */
    public static final String IDEMPOTENCY_KEY_RULE = "Idempotency-Key must be 1 to 255 visible ASCII characters";

    /**
     * Whether a string may be an idempotency key: 1 to 255 visible ASCII characters (no space or control).
     *
     * @param key the key
     * @return whether it is valid
     */
    public static boolean isValidIdempotencyKey(String key) {
        return key != null && !key.isEmpty() && key.length() <= 255 && key.chars().allMatch(c -> c > 0x20 && c < 0x7f);
    }

    /**
     * The local append: the {@link Transport.Sink} of this broker. Positions are the transport's, or, when null,
     * taken from the broker's counter (which also gives the ids of events that have none).
     */
    private PublishResult append(TopicId id, List<Event> events, long[] positions) {
        if (closed) {
            throw shuttingDown();
        }
        topics.makeRoomForRetention();
        Topic t = topics.lockHeld(id);
        if (closed) {
            // close() marks each topic's streams under this lock: an append after that is refused, not
            // acknowledged and then left out of streams that already ended.
            t.lock.unlock();
            throw shuttingDown();
        }
        PublishResult result;
        long bytes;
        try {
            if (positions != null && t.tail.position != Node.UNKNOWN && positions[0] <= t.tail.position) {
                throw new IllegalArgumentException("positions must be above the topic's last, " + t.tail.position
                        + ", were from " + positions[0]);
            }
            long before = t.tail.endOffset;
            result = appendLocked(t, events, positions);
            bytes = t.tail.endOffset - before;
        } finally {
            t.lock.unlock();
        }
        fanOut.schedule(t);
        if (budget.appended(events.size(), bytes)) {
            maintenance.enforceBudgetSoon();
        }
        return result;
    }

    /**
     * {@link Transport.Sink#replaceHistory}: the topic's retained log becomes {@code history}, delivered to no one,
     * after a sentinel with the given floor. Positions null: from the broker's counter.
     */
    private void replaceHistory(TopicId id, List<Event> history, List<Duration> ages, long[] positions, long floor) {
        Objects.requireNonNull(id, "topic");
        if (history.size() != ages.size()) {
            throw new IllegalArgumentException("history has " + history.size() + " events but " + ages.size()
                    + " ages; they must match");
        }
        List<String> ids = new ArrayList<>(history.size());
        for (Event e : history) {
            if (e.id() == null) {
                throw new IllegalArgumentException("history events must carry their id");
            }
            ids.add(e.id());
        }
        if (closed) {
            throw shuttingDown();
        }
        if (history.isEmpty() && topics.get(id) == null) {
            return;
        }
        topics.makeRoomForRetention();
        Topic t = topics.lockHeld(id);
        try {
            if (!t.subscribers.isEmpty()) {
                throw new IllegalStateException("cannot replace the history of '" + id
                        + "' while it has local subscribers");
            }
            long now = clock.millis();
            retention.restartLocked(t, floor, now);
            long[] p = positions != null ? positions : takePositions(history.size());
            long bytes = retention.appendLocked(t, history, ids, p, ages, now);
            if (budget.appended(history.size(), bytes)) {
                maintenance.enforceBudgetSoon();
            }
            t.touched = true;
            topics.forgetIfEmptyLocked(t);
        } finally {
            t.lock.unlock();
        }
    }

    /** Positions from the broker's counter; under the topic's lock, so they follow the topic's order. */
    private long[] takePositions(int n) {
        long first = nextId.getAndAdd(n);
        long[] p = new long[n];
        for (int i = 0; i < n; i++) {
            p[i] = first + i;
        }
        return p;
    }

    private PublishResult appendLocked(Topic t, List<Event> events, long[] supplied) {
        long[] positions = supplied != null ? supplied : takePositions(events.size());
        List<String> ids = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            ids.add(e.id() != null ? e.id() : Long.toString(positions[i]));
        }
        retention.appendLocked(t, events, ids, positions, null, clock.millis());
        t.touched = true;
        published.add(events.size());
        int subscribers = t.subscribers.size();
        topics.forgetIfEmptyLocked(t);
        return new PublishResult(events.size(), ids, subscribers);
    }

    // ---------------------------------------------------------------------------------------------
    // Subscribing

    /**
     * Subscribes to a topic. On success {@code subscriber.onSubscribe} is called before this method
     * returns; the subscription then hands the subscriber {@link Chunk}s as it requests them: first an
     * opening comment ({@code :ok}) and any replay, then live events, coalesced when several are
     * waiting, and heartbeats when the stream is idle. The stream ends with {@code onComplete} when the
     * broker closes, or {@code onError} with {@link SubscriberTooSlowException} if the subscriber falls
     * behind. Cancelling the subscription removes the subscriber at once.
     *
     * <p>A resume that cannot be shown complete (the id is not one the topic retains, nor the last it dropped)
     * first sends an {@code esper-gap} event whose data is {@code {"topics":["<topic>"]}} (SPEC 8.1).
     *
     * <p>Signals may arrive on any thread, one at a time; {@code onNext} must not block (an adapter
     * writes without blocking and requests more once its socket can take it).
     *
     * @param topic the topic
     * @param lastEventId the id of the last event the client has, or null/empty for none: retained events
     *     after it are replayed first; an id not retained replays everything retained
     * @param subscriber receives the stream
     * @throws CapacityExceededException if the subscriber or topic limit is reached, or the broker is
     *     closed; {@code onSubscribe} is not called then
     */
    public void subscribe(TopicId topic, String lastEventId, Flow.Subscriber<? super Chunk> subscriber) {
        join(subscribeAsync(topic, lastEventId, subscriber));
    }

    /**
     * {@link #subscribe}, without waiting for the transport: with a cross-node transport the first local
     * subscriber of a topic waits (a bounded time) until the node follows the topic, and this method returns
     * at once instead of blocking the calling thread meanwhile. With the local transport the stage is complete
     * on return. {@code onSubscribe} is called before the stage completes, on the thread that completes it.
     *
     * @param topic the topic
     * @param lastEventId as for {@link #subscribe}
     * @param subscriber receives the stream
     * @return completes once the subscriber is registered, or exceptionally with the
     *     {@link CapacityExceededException} itself (not wrapped) that {@link #subscribe} would throw
     *     ({@code onSubscribe} is not called then)
     */
    public CompletionStage<Void> subscribeAsync(TopicId topic, String lastEventId,
            Flow.Subscriber<? super Chunk> subscriber) {
        Objects.requireNonNull(topic, "topic");
        return subscribeAsync(List.of(topic), false, lastEventId, subscriber);
    }

    /**
     * Subscribes one stream to several topics (SPEC 8): one subscriber, one demand and one buffer bound for all of
     * them, as {@link #subscribe(TopicId, String, Flow.Subscriber)} is for one. Each event keeps its name, data
     * and retry, and its id is {@code <topic>:<cursor>}: the event's topic, then a cursor (letters, digits,
     * {@code -_.}) that says where the stream stands in each of its topics. Passed back as {@code lastEventId},
     * such an id resumes every topic from there: each one's retained events after its place, then live events,
     * nothing lost and nothing twice (with a cross-node transport that supplies positions, such as Redis, on any
     * node). Topics that cannot be shown complete (an id that is not such a cursor of these topics, or one older
     * than what a topic retains) are named first, in an {@code esper-gap} event whose data is
     * {@code {"topics":[...]}}. A topic's events arrive in its order; topics take turns, so a busy one cannot hold
     * the others back. Events published with their own id show the cursor instead.
     *
     * <p>The stream counts once toward the subscriber limit, and once as a subscriber of each topic. A stream of
     * one topic made this way has cursor ids too.
     *
     * @param topics one or more topics (duplicates count once), at most the max-stream-topics limit
     * @param lastEventId the id of the last event the client has (a {@code <topic>:<cursor>} of a stream of the
     *     same topics), or null/empty for none
     * @param subscriber receives the stream
     * @throws IllegalArgumentException if {@code topics} is empty or has more than the limit
     * @throws CapacityExceededException as for {@link #subscribe(TopicId, String, Flow.Subscriber)}
     */
    public void subscribe(Collection<TopicId> topics, String lastEventId, Flow.Subscriber<? super Chunk> subscriber) {
        join(subscribeAsync(topics, lastEventId, subscriber));
    }

    /**
     * {@link #subscribe(Collection, String, Flow.Subscriber)} without waiting for the transport, as
     * {@link #subscribeAsync(TopicId, String, Flow.Subscriber)} is for one topic.
     *
     * @param topics one or more topics (duplicates count once), at most the max-stream-topics limit
     * @param lastEventId as for {@link #subscribe(Collection, String, Flow.Subscriber)}
     * @param subscriber receives the stream
     * @return completes once the stream is registered in every topic, or exceptionally with the
     *     {@link CapacityExceededException} itself
     * @throws IllegalArgumentException if {@code topics} is empty or has more than the limit
     */
    public CompletionStage<Void> subscribeAsync(Collection<TopicId> topics, String lastEventId,
            Flow.Subscriber<? super Chunk> subscriber) {
        Objects.requireNonNull(topics, "topics");
        TreeSet<TopicId> sorted = new TreeSet<>();
        for (TopicId t : topics) {
            sorted.add(Objects.requireNonNull(t, "a topic"));
        }
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("a stream needs at least one topic");
        }
        if (sorted.size() > maxStreamTopics) {
            throw new IllegalArgumentException(tooManyTopics(maxStreamTopics, sorted.size()));
        }
        return subscribeAsync(List.copyOf(sorted), true, lastEventId, subscriber);
    }

    /**
     * Why a stream of {@code asked} topics is refused: {@code a stream may follow at most 32 topics (the
     * max-stream-topics limit), was 40}.
     *
     * @param limit the max-stream-topics limit
     * @param asked the distinct topics asked for
     * @return the one-line reason
     */
    public static String tooManyTopics(int limit, int asked) {
        return "a stream may follow at most " + limit + " topics (the max-stream-topics limit), was " + asked;
    }

    /**
     * Registers a stream in each of its topics: holds the topics ({@link TopicTable#pin}), waits for the transport
     * to follow each, then registers the stream in each, under each topic's lock in turn. A failure anywhere gives
     * everything back: no subscriber is left, the transport is told of each topic it followed for this stream.
     */
    private CompletionStage<Void> subscribeAsync(List<TopicId> sorted, boolean cursorIds, String lastEventId,
            Flow.Subscriber<? super Chunk> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        List<Topic> pinned = new ArrayList<>(sorted.size());
        try {
            if (closed) {
                throw shuttingDown();
            }
            clients.reserve("subscribers", "max-subscribers");
            try {
                for (TopicId id : sorted) {
                    pinned.add(topics.pin(id));
                }
            } catch (RuntimeException e) {
                pinned.forEach(topics::unpin);
                clients.release();
                throw e;
            }
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<CompletableFuture<Void>> following = new ArrayList<>(sorted.size());
        for (TopicId id : sorted) {
            CompletableFuture<Void> f;
            try {
                f = transport.beforeSubscribe(id).toCompletableFuture();
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            following.add(f);
        }
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        CompletableFuture.allOf(following.toArray(new CompletableFuture<?>[0])).whenComplete((ignored, failure) -> {
            if (failure != null) {
                for (int i = 0; i < sorted.size(); i++) {
                    if (!following.get(i).isCompletedExceptionally()) {
                        notifyUnsubscribed(sorted.get(i));
                    }
                }
                pinned.forEach(topics::unpin);
                clients.release();
                subscribed.completeExceptionally(EsperException.unwrap(failure));
                return;
            }
            StreamSubscription s;
            try {
                s = register(pinned, sorted, cursorIds, lastEventId, subscriber);
            } catch (RuntimeException e) {
                clients.release();
                sorted.forEach(this::notifyUnsubscribed);
                subscribed.completeExceptionally(e);
                return;
            }
            s.start();
            subscribed.complete(null);
        });
        return subscribed;
    }

    /**
     * Registers a new stream in each of its pinned topics, in turn, each under its lock: where it starts (the tail,
     * or after the last event the client has), its cursor's slots, and the topics whose resume cannot be shown
     * complete. On failure every topic is given back (registered members removed, the rest unpinned).
     */
    private StreamSubscription register(List<Topic> pinned, List<TopicId> sorted, boolean cursorIds,
            String lastEventId, Flow.Subscriber<? super Chunk> subscriber) {
        StreamSubscription s = new StreamSubscription(this, sorted, cursorIds, subscriber, clock.millis());
        boolean resume = lastEventId != null && !lastEventId.isEmpty();
        long[] from = resume && cursorIds ? StreamCursor.read(lastEventId, sorted, s.check()) : null;
        List<TopicId> gaps = new ArrayList<>();
        int i = 0;
        try {
            for (; i < pinned.size(); i++) {
                Topic t = pinned.get(i);
                t.lock.lock();
                try {
                    t.pending--;
                    if (closed) {
                        topics.forgetIfEmptyLocked(t);
                        throw shuttingDown();
                    }
                    Node tail = t.tail;
                    Node start;
                    long slot;
                    boolean gap;
                    if (!resume) {
                        start = tail;
                        slot = tail.position == Node.UNKNOWN ? -1 : tail.position;
                        gap = false;
                    } else if (!cursorIds) {
                        Node found = t.findResumePoint(lastEventId);
                        start = found != null ? found : t.head;
                        slot = -1;
                        gap = found == null;
                    } else if (from == null || (tail.position != Node.UNKNOWN && from[i] > tail.position)) {
                        // Not a cursor of these topics, or one past anything this topic had: nothing can be shown.
                        start = t.head;
                        slot = -1;
                        gap = true;
                    } else {
                        gap = from[i] < t.head.position;
                        start = gap ? t.head : t.lastAtOrBefore(from[i]);
                        slot = from[i];
                    }
                    Member m = new Member(s, t, i, start, tail.endOffset);
                    s.members[i] = m;
                    s.slot(i, slot);
                    t.subscribers.add(m);
                    t.touched = true;
                    if (gap) {
                        gaps.add(t.id);
                    }
                } finally {
                    t.lock.unlock();
                }
            }
        } catch (RuntimeException e) {
            for (int j = 0; j < i; j++) {
                Topic t = pinned.get(j);
                t.subscribers.remove(s.members[j]);
                t.lock.lock();
                try {
                    topics.forgetIfEmptyLocked(t);
                } finally {
                    t.lock.unlock();
                }
            }
            for (int j = i + 1; j < pinned.size(); j++) {
                topics.unpin(pinned.get(j));
            }
            throw e;
        }
        s.gap(gaps);
        return s;
    }

    /** Removes a stream from its topics (idempotent); forgets a topic left with nothing. */
    void unsubscribe(StreamSubscription s) {
        if (!s.takeUnsubscribe()) {
            return;
        }
        clients.release();
        for (Member m : s.members) {
            Topic t = m.topic;
            t.subscribers.remove(m);
            if (t.subscribers.isEmpty()) {
                t.lock.lock();
                try {
                    topics.forgetIfEmptyLocked(t);
                } finally {
                    t.lock.unlock();
                }
            }
            notifyUnsubscribed(t.id);
        }
    }

    /** Tells the transport a local subscriber is gone; its failure must not break the caller. */
    private void notifyUnsubscribed(TopicId id) {
        try {
            transport.afterUnsubscribe(id);
        } catch (RuntimeException e) {
            // The transport's bookkeeping failed; the local broker stays consistent.
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Maintenance, stats and lifecycle

    /**
     * One maintenance pass (retention by age, forgetting idle topics, heartbeats, the memory budget). Runs on the
     * maintenance thread, or from tests.
     */
    void maintain() {
        maintenance.runOnce();
    }

    /** A snapshot of the counters. */
    public BrokerStats stats() {
        return new BrokerStats(clients.get(), topics.size(), published.sum(), delivered.sum(),
                fanOut.dropped(), topics.evicted(), retention.events(), retention.bytes(), budget.budget(),
                budget.held(), budget.dropped(), (clock.millis() - startMillis) / 1000, budget.backlog(),
                rejections.snapshot(), transportStatus());
    }

    /**
     * Whether this broker should get traffic: {@link Health#down} while it is shutting down
     * ({@link #beginShutdown}, {@link #close}) or while its transport cannot order publishes
     * ({@link Transport#health()}, e.g. Redis unreachable), else {@link Health#up()}. Cheap; any thread.
     *
     * @return the readiness, never null
     */
    public Health health() {
        if (closed || shuttingDown) {
            return Health.down("shutting down");
        }
        try {
            Health h = transport.health();
            return h == null ? Health.up() : h;
        } catch (RuntimeException e) {
            return Health.down("the transport's health could not be read: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Says that a shutdown is under way, so that {@link #health()} turns {@link Health.Status#DOWN} and load
     * balancers stop sending traffic, while everything keeps working until {@link #close}: a server calls it
     * first when told to stop, before it closes its listener. Idempotent.
     */
    public void beginShutdown() {
        shuttingDown = true;
    }

    /**
     * Counts a request that a front end refused with an error status, for {@link BrokerStats#rejected()} and the
     * {@link BrokerListener}s. esper's HTTP API counts its own refusals; a front end counts those it answers
     * itself (a malformed request, headers too large).
     *
     * @param status the HTTP status, from 400 to 599
     * @throws IllegalArgumentException if {@code status} is outside that range
     */
    public void recordRejected(int status) {
        rejections.add(status);
        for (BrokerListener l : listeners) {
            try {
                l.requestRejected(status);
            } catch (RuntimeException e) {
                // A listener's failure is its own.
            }
        }
    }

    /**
     * Adds a listener for publish durations and refused requests (a metrics adapter); it hears what happens from
     * now on. Any thread.
     *
     * @param listener the listener; not null
     */
    public void addListener(BrokerListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Removes a listener added with {@link #addListener} (once, if it was added several times); nothing if it was
     * not added.
     *
     * @param listener the listener
     */
    public void removeListener(BrokerListener listener) {
        listeners.remove(listener);
    }

    private Map<String, Object> transportStatus() {
        try {
            return transport.status();
        } catch (RuntimeException e) {
            return Map.of("error", String.valueOf(e.getMessage()));
        }
    }

    /**
     * Stops accepting publishes and subscribes, lets every stream send what it already has (as far as
     * its subscriber keeps requesting, for up to {@code grace}), ends it with {@code onComplete}, and
     * stops the broker's own threads. Idempotent.
     */
    public void close(Duration grace) {
        if (closed) {
            return;
        }
        closed = true;
        // Each topic's streams are marked under its lock, so that every append acknowledged before is in them
        // and every later one is refused (append re-checks closed under the lock); they are drained after it.
        Set<StreamSubscription> ending = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Topic t : topics.all()) {
            t.lock.lock();
            try {
                for (Member m : t.subscribers) {
                    m.stream.markCompleting();
                    ending.add(m.stream);
                }
            } finally {
                t.lock.unlock();
            }
        }
        for (StreamSubscription s : ending) {
            s.drain();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (clients.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Topic t : topics.all()) {
            for (Member m : t.subscribers) {
                m.stream.complete(true);
            }
        }
        transport.close();
        maintenance.close();
        fanOut.close();
    }

    /** {@link #close(Duration)} with a grace of two seconds. */
    @Override
    public void close() {
        close(Duration.ofSeconds(2));
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return closed;
    }

    long nowMillis() {
        return clock.millis();
    }

    void countDelivered(int n) {
        delivered.add(n);
    }

    private static CapacityExceededException shuttingDown() {
        return new CapacityExceededException("broker is shutting down");
    }

    /**
     * Configures a {@link Broker}. Every value has the default of {@link EsperConfig#defaults()} (SPEC 4);
     * {@link #build()} validates with {@link EsperConfig}'s rules. Not thread-safe.
     */
    public static final class Builder {
        private int historySize = EsperConfig.defaults().historySize();
        private Duration historyTtl = EsperConfig.defaults().historyTtl();
        private Duration heartbeat = EsperConfig.defaults().heartbeat();
        private long subscriberBuffer = EsperConfig.defaults().subscriberBuffer();
        private int maxTopics = EsperConfig.defaults().maxTopics();
        private int maxSubscribers = EsperConfig.defaults().maxSubscribers();
        private int maxStreamTopics = EsperConfig.defaults().maxStreamTopics();
        private long maxRetainedBytes = EsperConfig.defaults().maxRetainedBytes();
        private long memoryBudget = EsperConfig.defaults().memoryBudget();
        private InstantSource clock = InstantSource.system();
        private int deliveryThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private Executor deliveryExecutor;
        private Transport transport;
        private boolean maintenance = true;

        private Builder() {
        }

        /**
         * Takes every broker setting from {@code config}: history size and ttl, heartbeat, subscriber buffer,
         * topic, subscriber, stream-topics and retained-bytes limits, the memory budget, and {@link EsperConfig#threads()} as the delivery
         * threads.
         *
         * @param config the configuration; not null
         * @return this builder
         */
        public Builder config(EsperConfig config) {
            this.historySize = config.historySize();
            this.historyTtl = config.historyTtl();
            this.heartbeat = config.heartbeat();
            this.subscriberBuffer = config.subscriberBuffer();
            this.maxTopics = config.maxTopics();
            this.maxSubscribers = config.maxSubscribers();
            this.maxStreamTopics = config.maxStreamTopics();
            this.maxRetainedBytes = config.maxRetainedBytes();
            this.memoryBudget = config.memoryBudget();
            this.deliveryThreads = config.threads();
            return this;
        }

        /** Events retained per topic for resumes; 0 retains nothing. Default 100. */
        public Builder historySize(int n) {
            this.historySize = n;
            return this;
        }

        /** Age after which a retained event is dropped; zero means no age limit. Default 300 s. */
        public Builder historyTtl(Duration ttl) {
            this.historyTtl = ttl;
            return this;
        }

        /** Idle interval after which a stream gets a heartbeat comment; zero turns heartbeats off. Default 15 s. */
        public Builder heartbeat(Duration interval) {
            this.heartbeat = interval;
            return this;
        }

        /** Unsent live bytes a subscriber may have before it is dropped. Default 1 MiB. */
        public Builder subscriberBuffer(long bytes) {
            this.subscriberBuffer = bytes;
            return this;
        }

        /** Topics held at once; past it idle topics are evicted, else {@code 503}. Default 100,000. */
        public Builder maxTopics(int n) {
            this.maxTopics = n;
            return this;
        }

        /** Open subscriber streams; past it subscribes get {@code 503}. Default 100,000. */
        public Builder maxSubscribers(int n) {
            this.maxSubscribers = n;
            return this;
        }

        /** Topics one stream may follow ({@link Broker#subscribe(Collection, String, Flow.Subscriber)}). Default 32. */
        public Builder maxStreamTopics(int n) {
            this.maxStreamTopics = n;
            return this;
        }

        /** Bytes of retained events over all topics; past it idle topics are evicted, else {@code 503}. Default 256 MiB. */
        public Builder maxRetainedBytes(long bytes) {
            this.maxRetainedBytes = bytes;
            return this;
        }

        /**
         * Heap bytes the broker may hold in events: retained events plus the events that subscribers which are
         * behind still hold beyond retention, each counted as its frame's bytes plus an estimated 160 bytes of
         * objects. Checked every maintenance period and soon after a publish passes it (never by the
         * publish itself); past it the subscribers furthest behind are dropped with
         * {@link SubscriberTooSlowException} (they resume with {@code Last-Event-ID}), then the oldest retained
         * events across topics, until a tenth under it. Default: half the JVM's max heap.
         */
        public Builder memoryBudget(long bytes) {
            this.memoryBudget = bytes;
            return this;
        }

        /** The clock for retention ages and heartbeats. Default: the system clock. */
        public Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Threads of the broker's own delivery pool (ignored with {@link #deliveryExecutor}). Default: one per core. */
        public Builder deliveryThreads(int n) {
            this.deliveryThreads = n;
            return this;
        }

        /** Runs fan-out on the given executor instead of the broker's own pool; the caller owns and shuts it down. */
        public Builder deliveryExecutor(Executor executor) {
            this.deliveryExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** The publish transport; default {@link Transport#local()}. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** Turns the background maintenance timer off; tests then run {@link Broker#maintain()} themselves. */
        Builder manualMaintenance() {
            this.maintenance = false;
            return this;
        }

        /**
         * Builds and starts the broker.
         *
         * @throws IllegalArgumentException naming the first value out of range ({@link EsperConfig}'s rules)
         */
        public Broker build() {
            EsperConfig.builder()
                    .historySize(historySize)
                    .historyTtl(Objects.requireNonNull(historyTtl, "historyTtl"))
                    .heartbeat(Objects.requireNonNull(heartbeat, "heartbeat"))
                    .subscriberBuffer(subscriberBuffer)
                    .maxTopics(maxTopics)
                    .maxSubscribers(maxSubscribers)
                    .maxStreamTopics(maxStreamTopics)
                    .maxRetainedBytes(maxRetainedBytes)
                    .memoryBudget(memoryBudget)
                    .build();
            if (deliveryThreads < 1) {
                throw new IllegalArgumentException("delivery threads must be at least 1, was " + deliveryThreads);
            }
            return new Broker(this);
        }
    }
}
