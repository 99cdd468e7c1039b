package dev.esper.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.config.EsperConfig;
import dev.esper.testsupport.JwksServer;
import dev.esper.testsupport.Ports;
import dev.esper.testsupport.SigningKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SPEC 9 and 10 on the command line: the token flags and variables, and what the start does with them. */
class Spec9CommandLineTest {
    private static final String SECRET = "a-subscriber-secret-of-32-bytes!";

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private Cli.Parsed parse(Map<String, String> env, String... args) {
        return Cli.parse(args, env, new PrintWriter(out, true), new PrintWriter(err, true));
    }

    @Test
    void theTokenFlagsSetTheirValues() {
        EsperConfig c = parse(Map.of(), "--subscriber-jwks=https://idp.example.com/certs",
                "--publisher-jwks=https://idp.example.com/other", "--jwt-issuer=https://idp.example.com",
                "--jwt-audience=esper", "--token-cookie=sse", "--no-query-token").config();

        assertThat(c).as(err.toString()).isNotNull();
        assertThat(c.subscriberJwks()).contains("https://idp.example.com/certs");
        assertThat(c.publisherJwks()).contains("https://idp.example.com/other");
        assertThat(c.jwtIssuer()).contains("https://idp.example.com");
        assertThat(c.jwtAudience()).contains("esper");
        assertThat(c.tokenCookie()).isEqualTo("sse");
        assertThat(c.noQueryToken()).isTrue();
    }

    @Test
    void theTokenVariablesSetTheirValuesAndAFlagWins() {
        EsperConfig c = parse(Map.of("ESPER_SUBSCRIBER_JWKS", "https://idp.example.com/certs", "ESPER_JWT_ISSUER",
                "https://idp.example.com", "ESPER_JWT_AUDIENCE", "esper", "ESPER_TOKEN_COOKIE", "sse",
                "ESPER_NO_QUERY_TOKEN", "true"), "--jwt-audience=other").config();

        assertThat(c).as(err.toString()).isNotNull();
        assertThat(c.subscriberJwks()).contains("https://idp.example.com/certs");
        assertThat(c.jwtIssuer()).contains("https://idp.example.com");
        assertThat(c.jwtAudience()).contains("other");
        assertThat(c.tokenCookie()).isEqualTo("sse");
        assertThat(c.noQueryToken()).isTrue();
    }

    @Test
    void aBadTokenFlagExits2NamingTheFlag() {
        Cli.Parsed parsed = parse(Map.of(), "--subscriber-jwks=ftp://idp.example.com/certs");

        assertThat(parsed.exitCode()).isEqualTo(2);
        assertThat(err.toString()).startsWith("esper: Invalid value for option '--subscriber-jwks': must be an https:// "
                + "or http:// URL of a JWK Set");
    }

    @Test
    void aSecretAndPublicKeysForOneSideExit2NamingBothNeverTheSecret() {
        Cli.Parsed parsed = parse(Map.of("ESPER_SUBSCRIBER_SECRET", SECRET), "--subscriber-jwks=https://idp.example.com/c");

        assertThat(parsed.config()).isNull();
        assertThat(parsed.exitCode()).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("esper: subscriber jwks (--subscriber-jwks) and subscriber secret "
                + "(environment variable ESPER_SUBSCRIBER_SECRET) are both set: a side is keyed by an HMAC secret or by "
                + "public keys, never both; unset one; refusing to start");
    }

    @Test
    void theStartIsRefusedWhenTheFirstFetchOfTheKeysFails() {
        int closed = Ports.freePort();
        EsperConfig c = EsperConfig.builder().port(Ports.freePort())
                .publisherJwks("http://127.0.0.1:" + closed + "/jwks.json").build();

        EsperServer server = EsperMain.start(c, new PrintWriter(err, true));

        assertThat(server).isNull();
        assertThat(err.toString().strip()).isEqualTo("esper: publisher-jwks: cannot load public keys: the JWK Set "
                + "http://127.0.0.1:" + closed + "/jwks.json cannot be fetched: connection refused; refusing to start");
    }

    @Test
    void aServerKeyedByAJwkSetExposesItsPolicyAndStartsWithTheKeysLoaded() {
        SigningKey key = SigningKey.ec("ec-1", "P-256");
        try (JwksServer jwks = JwksServer.start(key);
                EsperServer server = EsperServer.startOnAnyFreePort(EsperConfig.builder()
                        .subscriberJwks(jwks.uri().toString()).build())) {
            assertThat(jwks.requests()).isEqualTo(1);
            assertThat(server.accessPolicy().verifier(dev.esper.auth.Side.SUBSCRIBER)).hasValueSatisfying(v ->
                    assertThat(v.status()).containsEntry("loaded", 1));
            assertThat(server.accessPolicy().isProtected(dev.esper.auth.Side.PUBLISHER)).isFalse();
        }
    }
}
