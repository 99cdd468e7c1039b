package dev.esper.testing;

import dev.esper.config.EsperConfig;
import java.net.URI;
import java.util.Collection;
import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that runs a real esper on a free port for a test class, and stops it afterwards.
 *
 * <pre>{@code
 * class MyTest {
 *     @RegisterExtension
 *     static EsperExtension esper = EsperExtension.withDefaults();
 *
 *     @Test
 *     void deliversWhatIsPublished() {
 *         SseTestClient events = esper.subscribe("abcdef123");
 *         esper.publish("abcdef123", "event: testing\ndata: {\"some\":\"data\"}");
 *         assertEquals("{\"some\":\"data\"}", events.awaitEvent(Duration.ofSeconds(5)).data());
 *     }
 * }
 * }</pre>
 *
 * <p>In a {@code static} field the server lives for the whole class; in an instance field, for each test.
 * Clients opened with {@link #subscribe} are closed after each test.
 *
 * <p>To test as your identity provider's tokens will reach esper, {@link #withKeyPair} runs esper keyed by a
 * generated RSA or EC key pair whose JWK Set the extension serves itself on loopback; its helpers then sign with
 * the private key, and {@link #subscriberToken(Collection)} mints grants of several topics. Thread-safe.
 */
public final class EsperExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback {
    private final EsperConfig.Builder settings;
    /** The key pair to play an identity provider with, or null for none. */
    private final KeyPairType keyPair;
    /** The running server; written by JUnit's callbacks, read by tests. */
    private volatile EsperTestServer server;
    /** Whether the server was started for the current test only (instance-field registration). */
    private volatile boolean perTest;

    private EsperExtension(EsperConfig.Builder settings, KeyPairType keyPair) {
        this.settings = settings;
        this.keyPair = keyPair;
    }

    /** esper with its defaults: both sides open. */
    public static EsperExtension withDefaults() {
        return new EsperExtension(EsperConfig.builder(), null);
    }

    /**
     * esper with these settings, e.g.
     * {@code EsperExtension.with(EsperConfig.builder().subscriberSecret(s).historySize(5))}. Bind address
     * and port are chosen by the extension.
     */
    public static EsperExtension with(EsperConfig.Builder settings) {
        return new EsperExtension(Objects.requireNonNull(settings, "settings"), null);
    }

    /**
     * esper keyed by a fresh key pair of {@code type}, its public key served by the extension as a JWK Set on
     * 127.0.0.1, both sides protected by it; tokens signed with the private key. See
     * {@link EsperTestServer#startWithKeyPair}.
     */
    public static EsperExtension withKeyPair(KeyPairType type) {
        return withKeyPair(type, EsperConfig.builder());
    }

    /**
     * As {@link #withKeyPair(KeyPairType)}, with other settings, e.g.
     * {@code EsperConfig.builder().jwtIssuer("https://idp.example.com/realms/app").noQueryToken(true)}; a side given
     * a secret keeps it.
     */
    public static EsperExtension withKeyPair(KeyPairType type, EsperConfig.Builder settings) {
        return new EsperExtension(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(type, "type"));
    }

    private EsperTestServer startServer() {
        return keyPair == null ? EsperTestServer.start(settings) : EsperTestServer.startWithKeyPair(keyPair, settings);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (server == null) {
            server = startServer();
            perTest = false;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server == null) {
            server = startServer();
            perTest = true;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        EsperTestServer s = server;
        if (s == null) {
            return;
        }
        if (perTest) {
            server = null;
            s.close();
        } else {
            s.closeClients();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        EsperTestServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }

    /** The running server. */
    public EsperTestServer server() {
        EsperTestServer s = server;
        if (s == null) {
            throw new IllegalStateException("esper is not running: register the extension with @RegisterExtension "
                    + "and use it from a test");
        }
        return s;
    }

    /** The base URI, e.g. {@code http://127.0.0.1:41234/}. */
    public URI baseUri() {
        return server().baseUri();
    }

    /** See {@link EsperTestServer#publish(String, String)}. */
    public String publish(String topic, String body) {
        return server().publish(topic, body);
    }

    /** See {@link EsperTestServer#subscribe(String)}. */
    public SseTestClient subscribe(String topic) {
        return server().subscribe(topic);
    }

    /** See {@link EsperTestServer#subscribe(String, String)}. */
    public SseTestClient subscribe(String topic, String lastEventId) {
        return server().subscribe(topic, lastEventId);
    }

    /** See {@link EsperTestServer#subscribe(Collection)}. */
    public SseTestClient subscribe(Collection<String> topics) {
        return server().subscribe(topics);
    }

    /** See {@link EsperTestServer#subscribe(Collection, String)}. */
    public SseTestClient subscribe(Collection<String> topics, String lastEventId) {
        return server().subscribe(topics, lastEventId);
    }

    /** See {@link EsperTestServer#subscriberToken(String)}. */
    public String subscriberToken(String topic) {
        return server().subscriberToken(topic);
    }

    /** See {@link EsperTestServer#publisherToken(String)}. */
    public String publisherToken(String topic) {
        return server().publisherToken(topic);
    }

    /** See {@link EsperTestServer#subscriberToken(Collection)}. */
    public String subscriberToken(Collection<String> topics) {
        return server().subscriberToken(topics);
    }

    /** See {@link EsperTestServer#publisherToken(Collection)}. */
    public String publisherToken(Collection<String> topics) {
        return server().publisherToken(topics);
    }

    /** See {@link EsperTestServer#jwksUri()}. */
    public URI jwksUri() {
        return server().jwksUri();
    }
}
