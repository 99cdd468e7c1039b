package dev.esper.testing;

import dev.esper.auth.Secret;
import dev.esper.auth.Side;
import dev.esper.config.EsperConfig;
import dev.esper.config.Setting;
import dev.esper.standalone.EsperServer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real esper (the standalone server, in this JVM) on a free loopback port, for tests that do not use
 * JUnit's extension model. {@link EsperExtension} wraps one for JUnit 5.
 *
 * <pre>{@code
 * try (EsperTestServer esper = EsperTestServer.start();
 *      SseTestClient events = esper.subscribe("abcdef123")) {
 *     esper.publish("abcdef123", "event: testing\ndata: hello");
 *     assertEquals("hello", events.awaitEvent(Duration.ofSeconds(5)).data());
 * }
 * }</pre>
 *
 * <p>When a side is protected by a secret, {@link #publish} and {@link #subscribe} sign their own tokens
 * with it; {@link #subscriberToken} and {@link #publisherToken} give tokens for requests made otherwise.
 *
 * <p>{@link #startWithKeyPair} plays an identity provider instead: it generates an RSA or EC key pair, serves its
 * public key as a JWK Set on loopback ({@link #jwksUri()}), keys esper's sides by that set
 * ({@code subscriberJwks}, {@code publisherJwks}) and signs the helpers' tokens with the private key (RS256 or
 * ES256, with its {@code kid}), as a provider's tokens would be. Tokens carry {@code iss} and {@code aud} when the
 * settings check them ({@code jwtIssuer}, {@code jwtAudience}).
 *
 * <p>Thread-safe.
 */
public final class EsperTestServer implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Duration TOKEN_LIFETIME = Duration.ofHours(1);
    private static final Duration STOP_GRACE = Duration.ofSeconds(1);

    private final EsperServer server;
    /** The key pair playing the identity provider, or null. */
    private final TestIdentityProvider provider;
    private final HttpClient http;
    private final List<SseTestClient> clients = new CopyOnWriteArrayList<>();

    private EsperTestServer(EsperServer server, TestIdentityProvider provider) {
        this.server = server;
        this.provider = provider;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(TIMEOUT)
                .build();
    }

    /** Starts esper with the defaults (both sides open) on a free port of 127.0.0.1. */
    public static EsperTestServer start() {
        return start(EsperConfig.builder());
    }

    /**
     * Starts esper with these settings (secrets, history, heartbeat…) on a free port of 127.0.0.1; the
     * builder's bind address and port are overwritten.
     *
     * @throws IllegalArgumentException if the settings are invalid
     */
    public static EsperTestServer start(EsperConfig.Builder config) {
        return new EsperTestServer(EsperServer.startOnAnyFreePort(config.bind("127.0.0.1").build()), null);
    }

    /**
     * Starts esper keyed by a fresh key pair of {@code type}, whose public key this server serves as a JWK Set on
     * 127.0.0.1: every side the settings give no secret or public keys of its own is keyed by that set. The
     * helpers' tokens are signed with the private key; {@link #subscriberToken(Collection)} mints grants of several
     * topics.
     *
     * @param type RSA (RS256 tokens) or EC (P-256, ES256 tokens)
     * @param config the other settings (issuer, audience, history…); bind address and port are overwritten
     * @throws IllegalArgumentException if the settings are invalid
     */
    public static EsperTestServer startWithKeyPair(KeyPairType type, EsperConfig.Builder config) {
        Objects.requireNonNull(type, "type");
        EsperConfig given = config.bind("127.0.0.1").build();
        TestIdentityProvider provider = TestIdentityProvider.start(type);
        try {
            String jwks = provider.jwksUri().toString();
            if (!given.noAuth() && given.subscriberSecret().isEmpty() && given.subscriberJwks().isEmpty()) {
                config.subscriberJwks(jwks);
            }
            if (!given.noAuth() && given.publisherSecret().isEmpty() && given.publisherJwks().isEmpty()) {
                config.publisherJwks(jwks);
            }
            return new EsperTestServer(EsperServer.startOnAnyFreePort(config.build()), provider);
        } catch (RuntimeException e) {
            provider.close();
            throw e;
        }
    }

    /**
     * The JWK Set this server serves for {@link #startWithKeyPair}: {@code http://127.0.0.1:<port>/jwks.json}.
     *
     * @throws IllegalStateException if it was started without a key pair
     */
    public URI jwksUri() {
        if (provider == null) {
            throw new IllegalStateException("this test server was started without a key pair: use startWithKeyPair");
        }
        return provider.jwksUri();
    }

    /** The base URI, e.g. {@code http://127.0.0.1:41234/}. */
    public URI baseUri() {
        return server.uri();
    }

    /** The configuration the server runs with. */
    public EsperConfig config() {
        return server.config();
    }

    /**
     * Publishes a body in the {@code text/event-stream} format ({@code "event: x\ndata: y"}; several events
     * separated by a blank line) and returns the JSON answer, e.g.
     * {@code {"published":1,"ids":["17"],"subscribers":1}}.
     *
     * @throws AssertionError if the answer is not {@code 200}; the message holds the status and body
     */
    public String publish(String topic, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUri().resolve("publish/" + encode(topic)))
                .timeout(TIMEOUT)
                .header("Content-Type", "text/event-stream; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        token(Side.PUBLISHER, topic, null).ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return expect200("publish to '" + topic + "'", send(request.build()));
    }

    /**
     * Reads {@code /stats} and returns its JSON.
     *
     * @throws AssertionError if the answer is not {@code 200}
     */
    public String stats() {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUri().resolve("stats")).timeout(TIMEOUT).GET();
        token(Side.PUBLISHER, "stats", null).ifPresent(t -> request.header("Authorization", "Bearer " + t));
        return expect200("stats", send(request.build()));
    }

    /**
     * Subscribes to a topic; returns once the stream is open, so every event published afterwards reaches
     * the client. Closed with the server if not before.
     *
     * @throws AssertionError if the answer is not a {@code 200} event stream
     */
    public SseTestClient subscribe(String topic) {
        return subscribe(topic, null);
    }

    /**
     * Subscribes with a {@code Last-Event-ID}, so retained events after that id are replayed first.
     *
     * @param lastEventId the id to resume after; null for none
     * @throws AssertionError if the answer is not a {@code 200} event stream
     */
    public SseTestClient subscribe(String topic, String lastEventId) {
        Map<String, String> headers = new LinkedHashMap<>();
        token(Side.SUBSCRIBER, topic, null).ifPresent(t -> headers.put("Authorization", "Bearer " + t));
        if (lastEventId != null) {
            headers.put("Last-Event-ID", lastEventId);
        }
        SseTestClient client = SseTestClient.connect(baseUri().resolve("subscribe/" + encode(topic)), headers,
                TIMEOUT);
        if (client.status() != 200) {
            throw new AssertionError("subscribe to '" + topic + "' answered " + client.status() + ": "
                    + client.body().trim());
        }
        clients.add(client);
        return client;
    }

    /**
     * Subscribes one stream to several topics ({@code GET /subscribe?topic=…&topic=…}, SPEC 8); returns once the
     * stream is open. Each event's {@link SseEvent#topic()} is the topic it was published to, and its id a
     * {@code <topic>:<cursor>} that resumes every topic ({@link #subscribe(Collection, String)}).
     *
     * @param topics one or more topics
     * @throws AssertionError if the answer is not a {@code 200} event stream
     */
    public SseTestClient subscribe(Collection<String> topics) {
        return subscribe(topics, null);
    }

    /**
     * {@link #subscribe(Collection)} with a {@code Last-Event-ID}: an id from a stream of the same topics resumes
     * each of them exactly where that event left it.
     *
     * @param topics one or more topics
     * @param lastEventId the id to resume after; null for none
     * @throws AssertionError if the answer is not a {@code 200} event stream
     */
    public SseTestClient subscribe(Collection<String> topics, String lastEventId) {
        if (topics.isEmpty()) {
            throw new IllegalArgumentException("a stream needs at least one topic");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        token(Side.SUBSCRIBER, null, List.copyOf(topics)).ifPresent(t -> headers.put("Authorization", "Bearer " + t));
        if (lastEventId != null) {
            headers.put("Last-Event-ID", lastEventId);
        }
        StringBuilder query = new StringBuilder();
        for (String t : topics) {
            query.append(query.length() == 0 ? "?" : "&").append("topic=").append(encode(t));
        }
        SseTestClient client = SseTestClient.connect(baseUri().resolve("subscribe" + query), headers, TIMEOUT);
        if (client.status() != 200) {
            throw new AssertionError("subscribe to " + topics + " answered " + client.status() + ": "
                    + client.body().trim());
        }
        clients.add(client);
        return client;
    }

    /**
     * A subscribe token for a topic ({@code sub}), valid for an hour.
     *
     * @throws IllegalStateException if the subscriber side is open, or keyed by public keys this server does not
     *     hold
     */
    public String subscriberToken(String topic) {
        return tokenFor(Side.SUBSCRIBER, Objects.requireNonNull(topic, "topic"), null);
    }

    /**
     * A subscribe token granting several topics (SPEC 9.1: a {@code topics} claim listing them, no {@code sub};
     * {@code "*"} among them grants every topic), valid for an hour. For a stream of several topics, or to show
     * that a grant is checked.
     *
     * @throws IllegalStateException as {@link #subscriberToken(String)}
     */
    public String subscriberToken(Collection<String> topics) {
        return tokenFor(Side.SUBSCRIBER, null, List.copyOf(topics));
    }

    /**
     * A publish token for a topic, valid for an hour.
     *
     * @throws IllegalStateException if the publisher side is open, or keyed by public keys this server does not
     *     hold
     */
    public String publisherToken(String topic) {
        return tokenFor(Side.PUBLISHER, Objects.requireNonNull(topic, "topic"), null);
    }

    /**
     * A publish token granting several topics ({@code topics}), valid for an hour; see
     * {@link #subscriberToken(Collection)}.
     */
    public String publisherToken(Collection<String> topics) {
        return tokenFor(Side.PUBLISHER, null, List.copyOf(topics));
    }

    /** Closes every client opened by {@link #subscribe} so far. */
    void closeClients() {
        for (SseTestClient c : clients) {
            c.close();
        }
        clients.clear();
    }

    /** Stops the server: open streams end cleanly, then the port is released. Idempotent. */
    @Override
    public void close() {
        try {
            server.stop(STOP_GRACE);
        } finally {
            closeClients();
            if (provider != null) {
                provider.close();
            }
        }
    }

    private String tokenFor(Side side, String subject, List<String> topics) {
        return token(side, subject, topics).orElseThrow(() -> {
            boolean subscriber = side == Side.SUBSCRIBER;
            Setting secret = subscriber ? Setting.SUBSCRIBER_SECRET : Setting.PUBLISHER_SECRET;
            Setting jwks = subscriber ? Setting.SUBSCRIBER_JWKS : Setting.PUBLISHER_JWKS;
            if ((subscriber ? config().subscriberJwks() : config().publisherJwks()).isPresent()) {
                return new IllegalStateException("that side is keyed by public keys (" + jwks.environmentVariable()
                        + ") whose private keys this test server does not hold");
            }
            return new IllegalStateException("that side is open (neither " + secret.environmentVariable() + " nor "
                    + jwks.environmentVariable() + " was configured), so it needs no token");
        });
    }

    /** A token this server can sign for a side: with its secret, or with the key pair it serves; else empty. */
    private Optional<String> token(Side side, String subject, List<String> topics) {
        EsperConfig c = config();
        boolean subscriber = side == Side.SUBSCRIBER;
        String claims = Tokens.claims(subject, topics, c.jwtIssuer().orElse(null), c.jwtAudience().orElse(null),
                Instant.now().plus(TOKEN_LIFETIME));
        Optional<Secret> secret = subscriber ? c.subscriberSecret() : c.publisherSecret();
        if (secret.isPresent()) {
            return Optional.of(Tokens.hs256(secret.get(), claims));
        }
        Optional<String> jwks = subscriber ? c.subscriberJwks() : c.publisherJwks();
        if (provider != null && jwks.isPresent() && jwks.get().equals(provider.jwksUri().toString())) {
            return Optional.of(provider.sign(claims));
        }
        return Optional.empty();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(request.method() + " " + request.uri().getPath() + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static String expect200(String what, HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            throw new AssertionError(what + " answered " + response.statusCode() + ": " + response.body().trim());
        }
        return response.body();
    }

    private static String encode(String topic) {
        return URLEncoder.encode(topic, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
