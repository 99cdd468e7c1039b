package dev.esper.redis;

import dev.esper.EsperException;
import dev.esper.broker.CapacityExceededException;
import dev.esper.broker.Health;
import dev.esper.broker.PublishResult;
import dev.esper.broker.Transport;
import dev.esper.config.EsperConfig;
import dev.esper.event.Event;
import dev.esper.event.InvalidEventException;
import dev.esper.topic.TopicId;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several esper nodes as one broker: a {@link Transport} that fixes each topic's order in Redis and fans
 * events out to every node through Redis pub/sub, with Lettuce.
 *
 * <h2>How</h2>
 * <ul>
 *   <li><b>Publish.</b> One Lua script ({@code EVALSHA}) per batch, atomic in Redis: it takes the batch's
 *       sequence numbers from the topic's counter ({@code <prefix>:{topic}:seq}), appends the events to the
 *       topic's stream ({@code <prefix>:{topic}:log}, bounded by the history size with {@code MAXLEN} and by
 *       age with {@code MINID}), and {@code PUBLISH}es the ordered batch on the topic's channel
 *       ({@code <prefix>:<topic>}). The publish completes once the script succeeded; the publishing node
 *       delivers the events to its own subscribers only when they come back through its subscription, the
 *       same path as every other node, so all nodes see one order.</li>
 *   <li><b>Ids.</b> An event without an id gets its sequence number: decimal, increasing per topic, never
 *       below Redis' clock in ms × 1000, so ids stay above those handed out before a Redis restart that lost
 *       the counter (unless more than 1000 events per ms were published).</li>
 *   <li><b>Following.</b> A node subscribes to a topic's channel only while it has local subscribers of
 *       it ({@link #beforeSubscribe} / {@link #afterUnsubscribe}); idle topics cost nothing. Before the first
 *       local subscriber registers, the node subscribes to the channel, then fetches the counter and the
 *       retained events in one script, makes them the topic's local history, and drops pub/sub arrivals
 *       whose sequence number is not above the counter it fetched: a resume on any node replays exactly
 *       what the client missed, with nothing lost or duplicated at the seam.</li>
 *   <li><b>Faults.</b> Commands fail fast while Redis is unreachable: a publish then fails with
 *       {@link CapacityExceededException} ({@code 503}) and nothing is published; a publish is never reported
 *       done unless Redis ordered it. (A publish whose answer timed out may still have been ordered, as with
 *       any timeout.) Open streams stay open. Lettuce reconnects and resubscribes by itself; when a followed
 *       channel is subscribed again, the node fetches the events it missed while disconnected and delivers
 *       them before newer ones. A first subscriber of a topic not yet followed gets {@code 503} while Redis
 *       is down.</li>
 * </ul>
 *
 * <p>Create with {@link #builder(String)} and {@link Builder#config(EsperConfig)} (or through
 * {@link RedisTransportProvider}), hand it to {@code Broker.builder().config(config).transport(...)}; the broker
 * starts it (connecting to Redis, failing with {@link IllegalStateException} if Redis cannot be reached)
 * and closes it. Thread-safe.
 */
public final class RedisTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(RedisTransport.class);
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private static final long CATCH_UP_RETRY_MILLIS = 250;

    private static final int SYNCING = 0;
    private static final int LIVE = 1;
    private static final int CATCHING_UP = 2;

    private final RedisURI uri;
    private final String where;
    private final String prefix;
    private final int historySize;
    private final long historyTtlMillis;
    private final Duration timeout;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService executor;
    private final ConcurrentHashMap<TopicId, Follow> follows = new ConcurrentHashMap<>();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong publishFailures = new AtomicLong();
    private final AtomicLong caughtUp = new AtomicLong();

    // Written once by start(), before any other call.
    private volatile Transport.Sink sink;
    private volatile StatefulRedisConnection<String, byte[]> commands;
    private volatile StatefulRedisPubSubConnection<String, byte[]> pubsub;
    private volatile boolean closed;
    private volatile String lastError = "";

    /** A topic this node follows; {@code refs} counts its local subscribers (and those about to register). */
    private static final class Follow {
        final TopicId topic;
        final String channel;
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        /** Changed only inside {@code follows.compute} for this topic. */
        volatile int refs;
        // Guarded by this.
        int state = SYNCING;
        boolean removed;
        long lastSeq = Long.MIN_VALUE;
        final List<Batch> buffer = new ArrayList<>();

        Follow(TopicId topic, String channel) {
            this.topic = topic;
            this.channel = channel;
        }
    }

    private RedisTransport(Builder b, RedisURI uri) {
        this.uri = uri;
        this.where = uri.getHost() + ":" + uri.getPort();
        this.prefix = b.keyPrefix;
        this.historySize = b.config.historySize();
        this.historyTtlMillis = b.config.historyTtl().toMillis();
        this.timeout = b.timeout;
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(1)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).keepAlive(true).build())
                .build());
        this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "esper-redis");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * A builder for a transport on the Redis at {@code redisUri}, e.g. {@code redis://127.0.0.1:6379} or
     * {@code redis://:password@host:6379/0}.
     *
     * @param redisUri a Redis URI (schemes {@code redis}, {@code rediss})
     * @return a builder with the defaults of SPEC 4
     */
    public static Builder builder(String redisUri) {
        return new Builder(Objects.requireNonNull(redisUri, "redisUri"));
    }

    @Override
    public void start(Transport.Sink s) {
        this.sink = Objects.requireNonNull(s, "sink");
        try {
            commands = client.connect(CODEC);
            pubsub = client.connectPubSub(CODEC);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("cannot connect to Redis at " + where + ": " + reason(e), e);
        }
        pubsub.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, byte[] message) {
                onMessage(channel, message);
            }

            @Override
            public void subscribed(String channel, long count) {
                onSubscribed(channel);
            }
        });
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (disconnects.get() > 0) {
                    LOG.info("Redis at {} is back ({} connection); following {} topic(s) again and catching up",
                            where, kind(connection), follows.size());
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (closed) {
                    return;
                }
                disconnects.incrementAndGet();
                lastError = "lost connection to Redis (" + kind(connection) + ")";
                if (connection == pubsub) {
                    LOG.warn("lost the pub/sub connection to Redis at {}; open streams stay open and get what is "
                            + "published meanwhile once it is back; reconnecting", where);
                } else {
                    LOG.warn("lost the command connection to Redis at {}; publishes get 503 until it is back; "
                            + "reconnecting", where);
                }
            }
        });
        LOG.info("ordering publishes through Redis at {} (key prefix '{}', history {} events / {} ms)", where,
                prefix, historySize, historyTtlMillis);
    }

    // ---------------------------------------------------------------------------------------------
    // Publishing

    @Override
    public CompletionStage<PublishResult> publish(TopicId topic, List<Event> events) {
        return publish(topic, events, null);
    }

    /** Also remembers the idempotency key in Redis, with the topic's keys, so that every node honours it. */
    @Override
    public CompletionStage<PublishResult> publish(TopicId topic, List<Event> events, String idempotencyKey) {
        if (closed || commands == null) {
            return CompletableFuture.failedFuture(new CapacityExceededException("broker is shutting down"));
        }
        byte[][] args = new byte[3 + 4 * events.size()][];
        args[0] = utf8(channel(topic));
        args[1] = utf8(Integer.toString(historySize));
        args[2] = utf8(Long.toString(historyTtlMillis));
        int i = 3;
        for (Event e : events) {
            args[i++] = utf8(e.id());
            args[i++] = utf8(e.name());
            args[i++] = utf8(e.retry());
            args[i++] = utf8(e.data());
        }
        String[] keys = keys(topic);
        if (idempotencyKey != null) {
            keys = new String[] {keys[0], keys[1], prefix + ":{" + topic.value() + "}:idem:" + idempotencyKey};
        }
        CompletableFuture<byte[]> ordered = eval(Scripts.PUBLISH, ScriptOutputType.VALUE, keys, args);
        return ordered.handle((first, err) -> {
            if (err != null) {
                publishFailures.incrementAndGet();
                // A script Redis did not answer in time may still run (Redis was slow or paused, not down):
                // say so, so that a client does not take a retry for safe.
                throw unavailable(timedOut(err) ? "the publish to '" + topic + "' may have been published (its "
                        + "answer did not arrive; publishing it again may publish it twice)"
                        : "the publish to '" + topic + "' was not ordered", err);
            }
            long seq = Long.parseLong(new String(first, StandardCharsets.US_ASCII));
            List<String> ids = new ArrayList<>(events.size());
            for (Event e : events) {
                ids.add(e.id() != null ? e.id() : Long.toString(seq));
                seq++;
            }
            Follow f = follows.get(topic);
            return new PublishResult(events.size(), ids, f == null ? 0 : f.refs);
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Following topics

    /**
     * Follows the topic if this node does not yet: subscribes to its channel, then loads the history Redis
     * retains as the local history. Blocks for at most the command timeout (twice, for subscribe and fetch).
     *
     * @throws CapacityExceededException if Redis cannot be reached or does not answer in time
     */
    @Override
    public CompletionStage<Void> beforeSubscribe(TopicId topic) {
        if (closed) {
            return CompletableFuture.failedFuture(new CapacityExceededException("broker is shutting down"));
        }
        boolean[] created = new boolean[1];
        Follow f = follows.compute(topic, (k, v) -> {
            Follow follow = v;
            if (follow == null) {
                follow = new Follow(k, channel(k));
                created[0] = true;
            }
            follow.refs++;
            return follow;
        });
        if (created[0]) {
            startFollowing(f);
        }
        // A copy, so that this subscriber's deadline does not fail the follow for others waiting on it.
        return f.ready.copy().orTimeout(2 * timeout.toMillis() + 100, TimeUnit.MILLISECONDS)
                .handle((ignored, failure) -> {
                    if (failure == null) {
                        return null;
                    }
                    afterUnsubscribe(topic);
                    throw unavailable("cannot follow '" + topic + "' now", failure);
                });
    }

    @Override
    public void afterUnsubscribe(TopicId topic) {
        Follow[] gone = new Follow[1];
        follows.computeIfPresent(topic, (k, v) -> {
            v.refs--;
            if (v.refs > 0) {
                return v;
            }
            synchronized (v) {
                v.removed = true;
                v.buffer.clear();
            }
            gone[0] = v;
            return null;
        });
        Follow f = gone[0];
        if (f != null && !closed) {
            try {
                pubsub.async().unsubscribe(f.channel).exceptionally(e -> {
                    LOG.debug("could not unsubscribe from {}: {}", f.channel, e.toString());
                    return null;
                });
            } catch (RuntimeException e) {
                LOG.debug("could not unsubscribe from {}: {}", f.channel, e.toString());
            }
        }
    }

    private void startFollowing(Follow f) {
        CompletableFuture<Void> subscribed;
        try {
            subscribed = pubsub.async().subscribe(f.channel).toCompletableFuture();
        } catch (RuntimeException e) {
            subscribed = CompletableFuture.failedFuture(e);
        }
        subscribed.thenCompose(v -> fetch(f.topic)).whenCompleteAsync((fetched, err) -> {
            if (err != null) {
                f.ready.completeExceptionally(EsperException.unwrap(err));
                return;
            }
            try {
                synchronized (f) {
                    if (!f.removed) {
                        sink.replaceHistory(f.topic, fetched.batch.events(), fetched.ages, fetched.batch.seqs(),
                                fetched.floor);
                        f.lastSeq = fetched.lastSeq;
                        goLive(f);
                    }
                }
                f.ready.complete(null);
            } catch (RuntimeException e) {
                f.ready.completeExceptionally(e);
            }
        }, executor);
    }

    /** Applies the buffered pub/sub arrivals past {@code lastSeq} and delivers live from now on. Caller holds f. */
    private void goLive(Follow f) {
        for (Batch b : f.buffer) {
            deliver(f, b);
        }
        f.buffer.clear();
        f.state = LIVE;
    }

    /** Appends the events of {@code b} not yet seen. Caller holds f. */
    private void deliver(Follow f, Batch b) {
        Batch fresh = b.after(f.lastSeq);
        if (fresh.isEmpty()) {
            return;
        }
        f.lastSeq = Math.max(f.lastSeq, b.lastSeq());
        try {
            sink.append(f.topic, fresh.events(), fresh.seqs());
        } catch (RuntimeException e) {
            LOG.warn("could not append {} event(s) of '{}' locally: {}", fresh.events().size(), f.topic,
                    e.getMessage());
        }
    }

    /** A pub/sub message: on Lettuce's event loop, one at a time, in the order Redis sent them. */
    private void onMessage(String channel, byte[] message) {
        Follow f = followOf(channel);
        if (f == null) {
            return;
        }
        Batch b;
        try {
            b = Batch.decode(message);
        } catch (IllegalArgumentException | InvalidEventException e) {
            LOG.warn("ignored a malformed message on {}: {}", channel, e.getMessage());
            return;
        }
        synchronized (f) {
            if (f.removed) {
                return;
            }
            if (f.state != LIVE) {
                f.buffer.add(b);
            } else {
                deliver(f, b);
            }
        }
    }

    /**
     * A channel was subscribed: the first time (nothing to do, the follow is syncing), or again after Lettuce
     * reconnected; then fetch what was published while the connection was down, before newer arrivals.
     */
    private void onSubscribed(String channel) {
        Follow f = followOf(channel);
        if (f == null) {
            return;
        }
        synchronized (f) {
            if (f.removed || f.state != LIVE) {
                return;
            }
            f.state = CATCHING_UP;
        }
        catchUp(f);
    }

    private void catchUp(Follow f) {
        fetch(f.topic).whenCompleteAsync((fetched, err) -> {
            if (err != null) {
                if (!closed && !f.removed) {
                    lastError = "catching up '" + f.topic + "': " + reason(EsperException.unwrap(err));
                    executor.schedule(() -> catchUp(f), CATCH_UP_RETRY_MILLIS, TimeUnit.MILLISECONDS);
                }
                return;
            }
            synchronized (f) {
                if (f.removed || f.state != CATCHING_UP) {
                    return;
                }
                Batch missed = fetched.batch.after(f.lastSeq);
                if (!missed.isEmpty()) {
                    LOG.info("'{}': delivering {} event(s) published while the connection to Redis was down",
                            f.topic, missed.events().size());
                    caughtUp.addAndGet(missed.events().size());
                }
                deliver(f, fetched.batch);
                goLive(f);
            }
        }, executor);
    }

    /**
     * What {@link Scripts#FETCH} returned: the counter, the retained events with their sequence numbers and ages,
     * and the topic's floor (the sequence number at or below which its events are gone; see
     * {@link Transport.Sink#replaceHistory(TopicId, List, List, long[], long)}).
     */
    private record Fetched(long lastSeq, Batch batch, List<Duration> ages, long floor) {
    }

    private CompletableFuture<Fetched> fetch(TopicId topic) {
        byte[][] args = {utf8(Long.toString(historyTtlMillis))};
        CompletableFuture<List<Object>> raw = eval(Scripts.FETCH, ScriptOutputType.MULTI, keys(topic), args);
        return raw.thenApply(RedisTransport::parseFetched);
    }

    /**
     * Parses {@link Scripts#FETCH}'s answer. The floor is the oldest entry's {@code p}, or the counter when nothing
     * is retained. An entry that cannot be read is a hole: the history starts after it (the next entry's
     * {@code p} is at least its sequence number, so a resume from before it is told of a gap). A first entry
     * without {@code p} (written before entries had one) leaves the floor unknown.
     */
    private static Fetched parseFetched(List<Object> r) {
        long last = Long.parseLong(ascii(r.get(0)));
        long now = Long.parseLong(ascii(r.get(1)));
        List<?> entries = (List<?>) r.get(2);
        long[] seqs = new long[entries.size()];
        List<Event> events = new ArrayList<>(entries.size());
        List<Duration> ages = new ArrayList<>(entries.size());
        long floor = last;
        int n = 0;
        for (Object o : entries) {
            List<?> entry = (List<?>) o;
            String streamId = ascii(entry.get(0));
            List<?> kv = (List<?>) entry.get(1);
            Map<String, String> fields = new LinkedHashMap<>();
            for (int i = 0; i + 1 < kv.size(); i += 2) {
                fields.put(ascii(kv.get(i)), new String((byte[]) kv.get(i + 1), StandardCharsets.UTF_8));
            }
            try {
                Event e = new Event(fields.getOrDefault("d", ""), fields.get("n"), fields.get("i"), fields.get("r"));
                long seq = Long.parseLong(fields.get("s"));
                long ms = Long.parseLong(streamId.substring(0, streamId.indexOf('-')));
                if (n == 0) {
                    String p = fields.get("p");
                    floor = p == null ? Transport.Sink.UNKNOWN_FLOOR : Long.parseLong(p);
                }
                seqs[n++] = seq;
                events.add(e);
                ages.add(Duration.ofMillis(Math.max(0, now - ms)));
            } catch (RuntimeException ex) {
                LOG.warn("ignored a malformed retained entry {} and the ones before it: {}", streamId, ex.getMessage());
                n = 0;
                events.clear();
                ages.clear();
            }
        }
        if (n == 0) {
            floor = last;
        }
        return new Fetched(last, new Batch(java.util.Arrays.copyOf(seqs, n), List.copyOf(events)), List.copyOf(ages),
                floor);
    }

    /** Runs a script by its SHA; loads it with EVAL when Redis does not know it (first use, or after a restart). */
    private <T> CompletableFuture<T> eval(Scripts.Script script, ScriptOutputType type, String[] keys, byte[][] args) {
        RedisAsyncCommands<String, byte[]> async;
        CompletableFuture<T> first;
        try {
            async = commands.async();
            first = async.<T>evalsha(script.sha(), type, keys, args).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return first.exceptionallyCompose(e -> {
            Throwable c = EsperException.unwrap(e);
            if (c.getMessage() != null && c.getMessage().startsWith("NOSCRIPT")) {
                try {
                    return async.<T>eval(script.body(), type, keys, args).toCompletableFuture();
                } catch (RuntimeException again) {
                    return CompletableFuture.failedFuture(again);
                }
            }
            return CompletableFuture.failedFuture(c);
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Status and lifecycle

    /**
     * The transport's state for {@code /stats}: {@code type} ({@code redis}), {@code redis} (host:port, never
     * credentials), {@code state} ({@code up}, or {@code down} while a connection is lost), {@code followed_topics},
     * {@code disconnects}, {@code publish_failures}, {@code caught_up_events} (delivered after a reconnect) and
     * {@code last_error}.
     */
    @Override
    public Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "redis");
        m.put("redis", where);
        m.put("state", isUp() ? "up" : "down");
        m.put("followed_topics", follows.size());
        m.put("disconnects", disconnects.get());
        m.put("publish_failures", publishFailures.get());
        m.put("caught_up_events", caughtUp.get());
        m.put("last_error", lastError);
        return m;
    }

    /**
     * Down while either connection to Redis is lost (publishes get {@code 503} then, and a node that misses
     * pub/sub arrivals should not get new subscribers), or once closed; up otherwise. The reason names the Redis
     * by host and port, never its credentials.
     */
    @Override
    public Health health() {
        if (closed) {
            return Health.down("the Redis transport is closed");
        }
        if (isUp()) {
            return Health.up();
        }
        String error = lastError;
        return Health.down("Redis at " + where + " is unreachable" + (error.isEmpty() ? "" : ": " + error));
    }

    /** Whether both connections to Redis are open. */
    public boolean isUp() {
        StatefulRedisConnection<String, byte[]> c = commands;
        StatefulRedisPubSubConnection<String, byte[]> p = pubsub;
        return !closed && c != null && p != null && c.isOpen() && p.isOpen();
    }

    /** Closes the connections and Lettuce's threads. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        executor.shutdownNow();
        for (AutoCloseable c : new AutoCloseable[] {pubsub, commands}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    LOG.debug("closing a Redis connection: {}", e.toString());
                }
            }
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    @Override
    public String toString() {
        return "RedisTransport[" + where + ", prefix=" + prefix + "]";
    }

    // ---------------------------------------------------------------------------------------------

    private String channel(TopicId topic) {
        return prefix + ":" + topic.value();
    }

    private String[] keys(TopicId topic) {
        String tag = prefix + ":{" + topic.value() + "}";
        return new String[] {tag + ":seq", tag + ":log"};
    }

    private Follow followOf(String channel) {
        if (!channel.startsWith(prefix + ":")) {
            return null;
        }
        try {
            return follows.get(TopicId.of(channel.substring(prefix.length() + 1)));
        } catch (RuntimeException e) {
            return null;
        }
    }

    private String kind(RedisChannelHandler<?, ?> connection) {
        return connection == pubsub ? "pub/sub" : "command";
    }

    private static boolean timedOut(Throwable err) {
        Throwable c = EsperException.unwrap(err);
        return c instanceof RedisCommandTimeoutException || c instanceof TimeoutException;
    }

    private CapacityExceededException unavailable(String what, Throwable err) {
        Throwable c = EsperException.unwrap(err);
        String why;
        if (timedOut(c)) {
            why = "Redis at " + where + " did not answer within " + timeout.toMillis() + " ms";
        } else if (!isUp()) {
            why = "Redis at " + where + " is unreachable";
        } else {
            why = "Redis at " + where + " failed: " + reason(c);
        }
        lastError = why;
        return new CapacityExceededException(what + ": " + why + "; try again later");
    }


    private static String reason(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
    }

    private static byte[] utf8(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }

    private static String ascii(Object o) {
        if (o instanceof byte[] b) {
            return new String(b, StandardCharsets.US_ASCII);
        }
        return String.valueOf(o);
    }

    /**
     * Configures a {@link RedisTransport}. Its history bounds are those of the broker's configuration
     * ({@link #config(EsperConfig)}), so Redis retains what a node would. Not thread-safe.
     */
    public static final class Builder {
        private final String redisUri;
        private EsperConfig config = EsperConfig.defaults();
        private Duration timeout = Duration.ofSeconds(2);
        private String keyPrefix = "esper";

        private Builder(String redisUri) {
            this.redisUri = redisUri;
        }

        /**
         * The configuration of the broker this transport serves: Redis retains its
         * {@link EsperConfig#historySize()} events per topic for at most its {@link EsperConfig#historyTtl()}.
         * Default {@link EsperConfig#defaults()}; pass the one the broker is built with
         * ({@code Broker.builder().config(config)}).
         */
        public Builder config(EsperConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** How long a command may take before it fails (the publish then gets {@code 503}). Default 2 s. */
        public Builder timeout(Duration t) {
            this.timeout = t;
            return this;
        }

        /** Prefix of every key and channel, to share one Redis between clusters. Default {@code esper}. */
        public Builder keyPrefix(String p) {
            this.keyPrefix = p;
            return this;
        }

        /**
         * Validates and builds the transport (not yet connected: the broker's start connects).
         *
         * @throws IllegalArgumentException naming the first bad value
         */
        public RedisTransport build() {
            RedisURI uri;
            try {
                uri = RedisURI.create(redisUri);
            } catch (RuntimeException e) {
                // Neither the URI nor Lettuce's message (which may quote it) is shown: it may hold a password.
                throw new IllegalArgumentException("redis must be a URI such as redis://127.0.0.1:6379 (the value "
                        + "given is not shown: it may hold a password)");
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw new IllegalArgumentException("redis URI must name a host, such as redis://127.0.0.1:6379");
            }
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("redis timeout must be positive, was " + timeout);
            }
            if (keyPrefix == null || keyPrefix.isEmpty() || keyPrefix.chars().anyMatch(c -> c <= ' ' || c == '{'
                    || c == '}')) {
                throw new IllegalArgumentException("key prefix must be non-empty without spaces or braces, was '"
                        + keyPrefix + "'");
            }
            return new RedisTransport(this, uri);
        }
    }
}
