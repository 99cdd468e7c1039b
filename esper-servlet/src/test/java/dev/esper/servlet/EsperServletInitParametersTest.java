package dev.esper.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.esper.auth.Side;
import dev.esper.config.EsperConfig;
import dev.esper.config.Setting;
import dev.esper.testsupport.JwksServer;
import dev.esper.testsupport.SigningKey;
import dev.esper.testsupport.Tokens;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.UnavailableException;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The declarative servlet's configuration: init parameters, else environment variables, from one table. */
class EsperServletInitParametersTest {
    private static final Map<String, String> NO_ENV = Map.of();

    private static EsperConfig read(Map<String, String> params, Map<String, String> env) {
        return EsperServlet.configFrom(params::get, env::get);
    }

    @Test
    void readsEverySettingItUsesFromTheInitParameterNamedInTheTable() {
        Map<String, String> params = new HashMap<>();
        params.put(Setting.THREADS.initParameter(), "3");
        params.put(Setting.HISTORY_SIZE.initParameter(), "7");
        params.put(Setting.HISTORY_TTL.initParameter(), "60");
        params.put(Setting.HEARTBEAT.initParameter(), "5");
        params.put(Setting.MAX_BODY.initParameter(), "1024");
        params.put(Setting.SUBSCRIBER_BUFFER.initParameter(), "2048");
        params.put(Setting.MAX_TOPICS.initParameter(), "10");
        params.put(Setting.MAX_SUBSCRIBERS.initParameter(), "20");
        params.put(Setting.MAX_RETAINED_BYTES.initParameter(), "4096");
        params.put(Setting.CORS_ORIGINS.initParameter(), "https://a.example");
        params.put(Setting.CLOCK_SKEW.initParameter(), "3");
        params.put(Setting.PUBLISHER_SECRET.initParameter(), Tokens.PUBLISHER_SECRET);

        EsperConfig c = read(params, NO_ENV);

        assertThat(c.threads()).isEqualTo(3);
        assertThat(c.historySize()).isEqualTo(7);
        assertThat(c.historyTtl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.maxBody()).isEqualTo(1024);
        assertThat(c.subscriberBuffer()).isEqualTo(2048);
        assertThat(c.maxTopics()).isEqualTo(10);
        assertThat(c.maxSubscribers()).isEqualTo(20);
        assertThat(c.maxRetainedBytes()).isEqualTo(4096);
        assertThat(c.corsOrigins()).containsExactly("https://a.example");
        assertThat(c.clockSkew()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.publisherSecret()).isPresent();
        assertThat(c.subscriberSecret()).isEmpty();
    }

    @Test
    void aServletReadsMaxRetainedBytes() {
        assertThat(read(Map.of("maxRetainedBytes", "4096"), NO_ENV).maxRetainedBytes()).isEqualTo(4096);
    }

    @Test
    void everySettingButTheStandaloneListenersOwnIsAnInitParameter() {
        Set<Setting> listener = EnumSet.of(Setting.BIND, Setting.PORT, Setting.TLS_CERT, Setting.TLS_KEY, Setting.H2C,
                Setting.SHUTDOWN_DELAY, Setting.WARM_UP);
        for (Setting s : Setting.values()) {
            assertThat(s.inServlet()).as(s.key()).isEqualTo(!listener.contains(s));
        }
        assertThat(read(Map.of("port", "not-a-port", "bind", ""), NO_ENV).port()).isEqualTo(3000);
    }

    @Test
    void anInitParameterFallsBackToItsEnvironmentVariableAndWinsOverIt() {
        Map<String, String> env = Map.of("ESPER_HEARTBEAT", "3", "ESPER_MAX_BODY", "7");

        EsperConfig c = read(Map.of("maxBody", "5"), env);

        assertThat(c.maxBody()).isEqualTo(5);
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void namesTheInitParameterOfABadValue() {
        assertThatThrownBy(() -> read(Map.of("maxBody", "lots"), NO_ENV))
                .hasMessage("max body must be a whole number of bytes from 1 to 2147483646, was 'lots' "
                        + "(init parameter maxBody)");
    }

    @Test
    void namesTheEnvironmentVariableOfABadValue() {
        assertThatThrownBy(() -> read(Map.of(), Map.of("ESPER_HEARTBEAT", "-1")))
                .hasMessageContaining("heartbeat must be").hasMessageContaining("(environment variable ESPER_HEARTBEAT)");
    }

    @Test
    void aShortSecretIsRefusedWithoutPrintingIt() {
        assertThatThrownBy(() -> read(Map.of("subscriberSecret", "tooShortSecret1"), NO_ENV))
                .hasMessageContaining("at least 32 bytes").hasMessageContaining("init parameter subscriberSecret")
                .hasMessageNotContaining("tooShortSecret1");
    }

    @Test
    void redisIsReadFromEsperRedisTooAndTwoDifferentValuesAreRefused() {
        assertThat(read(Map.of(), Map.of("ESPER_REDIS", "redis://127.0.0.1:6379")).redis())
                .contains("redis://127.0.0.1:6379");
        assertThatThrownBy(() -> read(Map.of(), Map.of("ESPER_REDIS", "redis://a:1", "ESPER_REDIS_URL",
                "redis://b:1"))).hasMessageContaining("ESPER_REDIS_URL and ESPER_REDIS");
    }

    @Test
    void noAuthOpensBothSidesOfTheDeclarativeServlet() throws Exception {
        EsperServlet servlet = new EsperServlet();
        servlet.init(config(Map.of("noAuth", "true", "subscriberSecret", Tokens.SUBSCRIBER_SECRET)));
        try {
            assertThat(servlet.accessPolicy().isProtected(Side.SUBSCRIBER)).isFalse();
            assertThat(servlet.accessPolicy().isProtected(Side.PUBLISHER)).isFalse();
        } finally {
            servlet.destroy();
        }
    }

    @Test
    void aDeclarativeServletWithABadParameterIsUnavailableWithAClearMessage() {
        EsperServlet servlet = new EsperServlet();

        assertThatThrownBy(() -> servlet.init(config(Map.of("historySize", "many"))))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("historySize");
        assertThat(servlet.broker()).isNull();
    }

    @Test
    void aDeclarativeServletWithRedisButNoTransportOnTheClassPathSaysToAddEsperRedis() {
        EsperServlet servlet = new EsperServlet();

        assertThatThrownBy(() -> servlet.init(config(Map.of("redis", "redis://127.0.0.1:1"))))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("esper-redis");
        assertThat(servlet.broker()).isNull();
    }

    @Test
    void aDeclarativeServletKeyedByAJwkSetReadsItsTokenParametersAndFetchesTheSetInInit() throws Exception {
        SigningKey key = SigningKey.rsa("rsa-1");
        try (JwksServer jwks = JwksServer.start(key)) {
            EsperServlet servlet = new EsperServlet();
            servlet.init(config(Map.of("subscriberJwks", jwks.uri().toString(), "jwtIssuer", "https://idp.example.com",
                    "jwtAudience", "esper", "tokenCookie", "sse", "noQueryToken", "true")));
            try {
                assertThat(jwks.requests()).isEqualTo(1);
                assertThat(servlet.config().tokenCookie()).isEqualTo("sse");
                assertThat(servlet.config().noQueryToken()).isTrue();
                assertThat(servlet.accessPolicy().verifier(Side.SUBSCRIBER)).hasValueSatisfying(v ->
                        assertThat(v.status()).containsEntry("kids", java.util.List.of("rsa-1"))
                                .containsEntry("issuer", "https://idp.example.com").containsEntry("audience", "esper"));
                assertThat(servlet.accessPolicy().isProtected(Side.PUBLISHER)).isFalse();
            } finally {
                servlet.destroy();
            }
        }
    }

    @Test
    void aDeclarativeServletWhoseJwkSetCannotBeFetchedIsUnavailableSayingWhy() {
        int closed = dev.esper.testsupport.Ports.freePort();
        EsperServlet servlet = new EsperServlet();

        assertThatThrownBy(() -> servlet.init(config(Map.of("publisherJwks", "http://127.0.0.1:" + closed
                + "/jwks.json")))).isInstanceOf(UnavailableException.class)
                .hasMessage("esper servlet 'esper': publisher-jwks: cannot load public keys: the JWK Set http://127.0.0.1:"
                        + closed + "/jwks.json cannot be fetched: connection refused");
        assertThat(servlet.broker()).isNull();
    }

    @Test
    void aSecretAndAJwkSetForOneSideMakeTheServletUnavailableNamingBoth() {
        EsperServlet servlet = new EsperServlet();

        assertThatThrownBy(() -> servlet.init(config(Map.of("subscriberJwks", "https://idp.example.com/jwks",
                "subscriberSecret", Tokens.SUBSCRIBER_SECRET))))
                .isInstanceOf(UnavailableException.class)
                .hasMessage("esper servlet 'esper': subscriber jwks (init parameter subscriberJwks) and subscriber "
                        + "secret (init parameter subscriberSecret) are both set: a side is keyed by an HMAC secret or "
                        + "by public keys, never both; unset one")
                .hasMessageNotContaining(Tokens.SUBSCRIBER_SECRET);
    }

    @Test
    void theProgrammaticServletFetchesItsJwkSetWhenConstructed() {
        int closed = dev.esper.testsupport.Ports.freePort();
        EsperConfig c = EsperConfig.builder().subscriberJwks("http://127.0.0.1:" + closed + "/jwks.json").build();

        try (dev.esper.broker.Broker broker = dev.esper.broker.Broker.builder().build()) {
            assertThatThrownBy(() -> new EsperServlet(broker, c)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("subscriber-jwks: cannot load public keys");
        }
    }

    private static ServletConfig config(Map<String, String> params) {
        return new ServletConfig() {
            @Override
            public String getServletName() {
                return "esper";
            }

            @Override
            public ServletContext getServletContext() {
                return null;
            }

            @Override
            public String getInitParameter(String name) {
                return params.get(name);
            }

            @Override
            public Enumeration<String> getInitParameterNames() {
                return Collections.enumeration(params.keySet());
            }
        };
    }
}
