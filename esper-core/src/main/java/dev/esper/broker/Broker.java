package dev.esper.broker;

import dev.esper.EsperException;
import dev.esper.config.EsperConfig;
import dev.esper.event.Event;
import dev.esper.event.SseEncoder;
import dev.esper.topic.TopicId;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 *       never was) replays everything retained.</li>
 *   <li><b>Bounded memory.</b> Retention is bounded per topic by count and age and globally by bytes;
 *       topics, subscribers and each subscriber's unsent live bytes are bounded. Past a limit the broker
 *       evicts idle topics or refuses with {@link CapacityExceededException}; a subscriber past its
 *       bound is dropped with {@link SubscriberTooSlowException}.</li>
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
    private final int historySize;
    private final long historyTtlMillis;
    private final long heartbeatMillis;
    private final long subscriberBuffer;
    private final int maxTopics;
    private final int maxSubscribers;
    private final long maxRetainedBytes;
    private final InstantSource clock;
    private final Transport transport;
    private final Executor delivery;
    /** Fan-out tasks per topic publish: one per delivery thread, so a big topic fans out on all of them. */
    private final int fanoutStripes;
    private final ExecutorService ownedDelivery;
    private final ScheduledExecutorService scheduler;

    private final ConcurrentHashMap<TopicId, Topic> topics = new ConcurrentHashMap<>();
    private final AtomicInteger topicCount = new AtomicInteger();
    private final AtomicInteger clientCount = new AtomicInteger();
    private final AtomicLong retainedEvents = new AtomicLong();
    private final AtomicLong retainedBytes = new AtomicLong();
    private final AtomicLong nextId;
    private final LongAdder published = new LongAdder();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder evicted = new LongAdder();
    private final long startMillis;
    private volatile boolean closed;

    /** The eviction clock's hand over {@link #topics}; guarded by itself. */
    /** The most topics one eviction attempt looks at (see {@link #evictOneIdle()}). */
    static final int EVICTION_SCAN_LIMIT = 10_000;
    private final Object handLock = new Object();
    private Iterator<Topic> hand;

    private Broker(Builder b) {
        this.historySize = b.historySize;
        this.historyTtlMillis = b.historyTtl.toMillis();
        this.heartbeatMillis = b.heartbeat.toMillis();
        this.subscriberBuffer = b.subscriberBuffer;
        this.maxTopics = b.maxTopics;
        this.maxSubscribers = b.maxSubscribers;
        this.maxRetainedBytes = b.maxRetainedBytes;
        this.clock = b.clock;
        this.startMillis = clock.millis();
        this.nextId = new AtomicLong(Math.max(1, startMillis) * 1000);
        this.fanoutStripes = b.deliveryThreads;
        if (b.deliveryExecutor != null) {
            this.delivery = b.deliveryExecutor;
            this.ownedDelivery = null;
        } else {
            this.ownedDelivery = Executors.newFixedThreadPool(b.deliveryThreads, named("esper-delivery"));
            this.delivery = ownedDelivery;
        }
        this.transport = b.transport == null ? Transport.local() : b.transport;
        this.transport.start(new Transport.Sink() {
            @Override
            public PublishResult append(TopicId topic, List<Event> events) {
                return Broker.this.append(topic, events);
            }

            @Override
            public void replaceHistory(TopicId topic, List<Event> history, List<Duration> ages) {
                Broker.this.replaceHistory(topic, history, ages);
            }
        });
        if (b.maintenance) {
            this.scheduler = Executors.newSingleThreadScheduledExecutor(named("esper-maintenance"));
            long period = maintenancePeriodMillis();
            scheduler.scheduleWithFixedDelay(this::maintainSafely, period, period, TimeUnit.MILLISECONDS);
        } else {
            this.scheduler = null;
        }
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

    /** Waits for a stage; its failure is rethrown as itself when unchecked (not wrapped). */
    private static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException) {
                throw (RuntimeException) e.getCause();
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
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a publish needs at least one event");
        }
        if (closed) {
            return CompletableFuture.failedFuture(shuttingDown());
        }
        return transport.publish(topic, List.copyOf(events));
    }

    /** The local append: the {@link Transport.Sink} of this broker. */
    private PublishResult append(TopicId id, List<Event> events) {
        if (closed) {
            throw shuttingDown();
        }
        ensureRetentionRoom();
        for (;;) {
            Topic t = topicFor(id);
            PublishResult result;
            t.lock.lock();
            try {
                if (t.removed) {
                    continue;
                }
                result = appendLocked(t, events);
            } finally {
                t.lock.unlock();
            }
            scheduleFanout(t);
            return result;
        }
    }

    /** {@link Transport.Sink#replaceHistory}: the topic's retained log becomes {@code history}, delivered to no one. */
    private void replaceHistory(TopicId id, List<Event> history, List<Duration> ages) {
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
        ensureRetentionRoom();
        for (;;) {
            Topic t = topicFor(id);
            t.lock.lock();
            try {
                if (t.removed) {
                    continue;
                }
                if (!t.subscribers.isEmpty()) {
                    throw new IllegalStateException("cannot replace the history of '" + id
                            + "' while it has local subscribers");
                }
                releaseRetainedLocked(t);
                linkLocked(t, history, ids, ages, clock.millis());
                if (t.isEmpty()) {
                    forgetLocked(t);
                }
                return;
            } finally {
                t.lock.unlock();
            }
        }
    }

    private PublishResult appendLocked(Topic t, List<Event> events) {
        List<String> ids = new ArrayList<>(events.size());
        for (Event e : events) {
            ids.add(e.id() != null ? e.id() : Long.toString(nextId.getAndIncrement()));
        }
        linkLocked(t, events, ids, null, clock.millis());
        published.add(events.size());
        int subscribers = t.subscribers.size();
        if (t.isEmpty()) {
            forgetLocked(t);
        }
        return new PublishResult(events.size(), ids, subscribers);
    }

    /**
     * Encodes the events with the given ids, links them after the topic's tail in one volatile write (a
     * reader never sees half a batch), counts them as retained and trims. Published {@code now}, or
     * {@code ages} ago. Caller holds the lock.
     */
    private void linkLocked(Topic t, List<Event> events, List<String> ids, List<Duration> ages, long now) {
        Node prev = t.tail;
        Node first = null;
        long bytes = 0;
        for (int i = 0; i < events.size(); i++) {
            String id = ids.get(i);
            byte[] frame = SseEncoder.encode(events.get(i), id);
            long time = ages == null ? now : now - Math.max(0, ages.get(i).toMillis());
            Node n = new Node(id, frame, prev.endOffset + frame.length, time);
            if (first == null) {
                first = n;
            } else {
                prev.next = n;
            }
            prev = n;
            bytes += frame.length;
        }
        if (first != null) {
            t.tail.next = first;
            t.tail = prev;
        }
        t.retainedCount += events.size();
        t.retainedBytes += bytes;
        retainedEvents.addAndGet(events.size());
        retainedBytes.addAndGet(bytes);
        trimLocked(t, now);
        t.touched = true;
    }

    /** Stops counting the topic's retained events; the log keeps only what cursors still hold. Caller holds the lock. */
    private void releaseRetainedLocked(Topic t) {
        retainedEvents.addAndGet(-t.retainedCount);
        retainedBytes.addAndGet(-t.retainedBytes);
        t.retainedCount = 0;
        t.retainedBytes = 0;
        t.head = t.tail;
    }

    /** Drops retained events past the count and age bounds. Caller holds the lock. */
    private void trimLocked(Topic t, long now) {
        while (t.retainedCount > 0) {
            Node oldest = t.head.next;
            boolean tooMany = t.retainedCount > historySize;
            boolean tooOld = historyTtlMillis > 0 && now - oldest.timeMillis >= historyTtlMillis;
            if (!tooMany && !tooOld) {
                break;
            }
            t.head = oldest;
            t.retainedCount--;
            t.retainedBytes -= oldest.frame.length;
            retainedEvents.decrementAndGet();
            retainedBytes.addAndGet(-oldest.frame.length);
        }
    }

    private void ensureRetentionRoom() {
        while (retainedBytes.get() > maxRetainedBytes) {
            if (!evictOneIdle()) {
                throw new CapacityExceededException("retained history is full (" + maxRetainedBytes
                        + " bytes, the max-retained-bytes limit) and no idle topic can be evicted; try again later");
            }
        }
    }

    /** Queues one fan-out pass per non-empty stripe of the topic's subscribers, unless one is queued already. */
    private void scheduleFanout(Topic t) {
        SubscriberSet subs = t.subscribers;
        for (int i = 0; i < subs.stripeCount(); i++) {
            if (subs.stripe(i).isEmpty() || !subs.queued(i).compareAndSet(false, true)) {
                continue;
            }
            int stripe = i;
            try {
                delivery.execute(() -> fanout(t, stripe));
            } catch (RejectedExecutionException e) {
                fanout(t, stripe);
            }
        }
    }

    /** Checks the lag of every subscriber of one stripe, drops those past the bound, and lets the others drain. */
    private void fanout(Topic t, int stripe) {
        t.subscribers.queued(stripe).set(false);
        Node tail = t.tail;
        for (StreamSubscription s : t.subscribers.stripe(stripe)) {
            try {
                if (s.lag(tail) > subscriberBuffer) {
                    drop(s);
                } else {
                    s.drain();
                }
            } catch (RuntimeException e) {
                s.fail(e);
            }
        }
    }

    private void drop(StreamSubscription s) {
        if (s.fail(new SubscriberTooSlowException("subscriber of '" + s.topic.id + "' fell more than "
                + subscriberBuffer + " bytes behind (the subscriber-buffer limit) and was disconnected; "
                + "resume with Last-Event-ID"))) {
            dropped.increment();
        }
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
        Objects.requireNonNull(subscriber, "subscriber");
        try {
            if (closed) {
                throw shuttingDown();
            }
            reserve(clientCount, maxSubscribers, "subscribers", "max-subscribers");
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletionStage<Void> following;
        try {
            following = transport.beforeSubscribe(topic);
        } catch (RuntimeException e) {
            following = CompletableFuture.failedFuture(e);
        }
        CompletableFuture<Void> subscribed = new CompletableFuture<>();
        following.whenComplete((ignored, failure) -> {
            if (failure != null) {
                clientCount.decrementAndGet();
                subscribed.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure);
                return;
            }
            StreamSubscription s;
            try {
                s = register(topic, lastEventId, subscriber);
            } catch (RuntimeException e) {
                clientCount.decrementAndGet();
                notifyUnsubscribed(topic);
                subscribed.completeExceptionally(e);
                return;
            }
            s.start();
            subscribed.complete(null);
        });
        return subscribed;
    }

    private StreamSubscription register(TopicId id, String lastEventId, Flow.Subscriber<? super Chunk> subscriber) {
        for (;;) {
            Topic t = topicFor(id);
            t.lock.lock();
            try {
                if (t.removed) {
                    continue;
                }
                Node tail = t.tail;
                Node cursor = tail;
                if (lastEventId != null && !lastEventId.isEmpty()) {
                    Node found = t.findRetained(lastEventId);
                    cursor = found != null ? found : t.head;
                }
                StreamSubscription s = new StreamSubscription(this, t, subscriber, cursor, tail.endOffset,
                        clock.millis());
                t.subscribers.add(s);
                t.touched = true;
                return s;
            } finally {
                t.lock.unlock();
            }
        }
    }

    /** Removes a subscription from its topic (idempotent); forgets the topic if nothing is left. */
    void unsubscribe(StreamSubscription s) {
        Topic t = s.topic;
        if (!t.subscribers.remove(s)) {
            return;
        }
        clientCount.decrementAndGet();
        if (t.subscribers.isEmpty()) {
            t.lock.lock();
            try {
                if (!t.removed && t.isEmpty()) {
                    forgetLocked(t);
                }
            } finally {
                t.lock.unlock();
            }
        }
        notifyUnsubscribed(t.id);
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
    // Topics

    private Topic topicFor(TopicId id) {
        Topic t = topics.get(id);
        if (t != null) {
            return t;
        }
        while (!tryReserve(topicCount, maxTopics)) {
            if (!evictOneIdle()) {
                throw new CapacityExceededException("too many topics (" + maxTopics
                        + ", the max-topics limit) and none is idle; try again later");
            }
        }
        Topic created = new Topic(id, clock.millis(), fanoutStripes);
        Topic prev = topics.putIfAbsent(id, created);
        if (prev != null) {
            topicCount.decrementAndGet();
            return prev;
        }
        return created;
    }

    /** Removes the topic from the map. Caller holds its lock. */
    private void forgetLocked(Topic t) {
        t.removed = true;
        topics.remove(t.id, t);
        topicCount.decrementAndGet();
        releaseRetainedLocked(t);
    }

    /**
     * Evicts one idle topic (no subscriber) that was not used since the clock hand last passed it
     * (the CLOCK approximation of least recently used). Returns false if no topic is idle, or if none was
     * found within {@link #EVICTION_SCAN_LIMIT} steps of the hand: one request never scans more than that
     * under the hand's lock (on a full broker whose topics all have subscribers, each new topic would
     * otherwise cost a scan of every topic twice, on an I/O thread). The hand keeps its place, so the next
     * attempt goes on from there.
     */
    private boolean evictOneIdle() {
        synchronized (handLock) {
            int budget = (int) Math.min(2L * topics.size() + 2, EVICTION_SCAN_LIMIT);
            for (int i = 0; i < budget; i++) {
                if (hand == null || !hand.hasNext()) {
                    hand = topics.values().iterator();
                    if (!hand.hasNext()) {
                        return false;
                    }
                }
                Topic t = hand.next();
                if (!t.subscribers.isEmpty()) {
                    continue;
                }
                if (t.touched) {
                    t.touched = false;
                    continue;
                }
                if (t.lock.tryLock()) {
                    try {
                        if (!t.removed && t.subscribers.isEmpty()) {
                            forgetLocked(t);
                            evicted.increment();
                            return true;
                        }
                    } finally {
                        t.lock.unlock();
                    }
                }
            }
            return false;
        }
    }

    private static boolean tryReserve(AtomicInteger counter, int max) {
        for (;;) {
            int n = counter.get();
            if (n >= max) {
                return false;
            }
            if (counter.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    private static void reserve(AtomicInteger counter, int max, String what, String limit) {
        if (!tryReserve(counter, max)) {
            throw new CapacityExceededException("too many " + what + " (" + max + ", the " + limit
                    + " limit); try again later");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Maintenance: retention by age, forgetting idle topics, heartbeats.

    private long maintenancePeriodMillis() {
        long period = 1000;
        if (heartbeatMillis > 0) {
            period = Math.min(period, Math.max(10, heartbeatMillis / 4));
        }
        return period;
    }

    private void maintainSafely() {
        try {
            maintain();
        } catch (RuntimeException e) {
            // Keep the timer alive; the next run retries.
        }
    }

    /** One maintenance pass. Runs on the maintenance thread, or from tests. */
    void maintain() {
        long now = clock.millis();
        for (Topic t : topics.values()) {
            if ((historyTtlMillis > 0 && t.retainedCount > 0) || t.subscribers.isEmpty()) {
                t.lock.lock();
                try {
                    if (!t.removed) {
                        trimLocked(t, now);
                        if (t.isEmpty()) {
                            forgetLocked(t);
                        }
                    }
                } finally {
                    t.lock.unlock();
                }
            }
            if (heartbeatMillis > 0) {
                for (StreamSubscription s : t.subscribers) {
                    if (now - s.lastActivityMillis >= heartbeatMillis) {
                        s.heartbeat();
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Stats and lifecycle

    /** A snapshot of the counters. */
    public BrokerStats stats() {
        return new BrokerStats(clientCount.get(), topicCount.get(), published.sum(), delivered.sum(),
                dropped.sum(), evicted.sum(), retainedEvents.get(), retainedBytes.get(),
                (clock.millis() - startMillis) / 1000, transportStatus());
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
        for (Topic t : topics.values()) {
            for (StreamSubscription s : t.subscribers) {
                s.complete(false);
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (clientCount.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Topic t : topics.values()) {
            for (StreamSubscription s : t.subscribers) {
                s.complete(true);
            }
        }
        transport.close();
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (ownedDelivery != null) {
            ownedDelivery.shutdown();
            try {
                ownedDelivery.awaitTermination(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
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
        private long maxRetainedBytes = EsperConfig.defaults().maxRetainedBytes();
        private InstantSource clock = InstantSource.system();
        private int deliveryThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
        private Executor deliveryExecutor;
        private Transport transport;
        private boolean maintenance = true;

        private Builder() {
        }

        /**
         * Takes every broker setting from {@code config}: history size and ttl, heartbeat, subscriber buffer,
         * topic, subscriber and retained-bytes limits, and {@link EsperConfig#threads()} as the delivery
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
            this.maxRetainedBytes = config.maxRetainedBytes();
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

        /** Bytes of retained events over all topics; past it idle topics are evicted, else {@code 503}. Default 256 MiB. */
        public Builder maxRetainedBytes(long bytes) {
            this.maxRetainedBytes = bytes;
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
                    .maxRetainedBytes(maxRetainedBytes)
                    .build();
            if (deliveryThreads < 1) {
                throw new IllegalArgumentException("delivery threads must be at least 1, was " + deliveryThreads);
            }
            return new Broker(this);
        }
    }
}
