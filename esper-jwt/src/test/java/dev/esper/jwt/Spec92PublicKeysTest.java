package dev.esper.jwt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.esper.auth.AuthenticationException;
import dev.esper.auth.Claims;
import dev.esper.testsupport.JwksServer;
import dev.esper.testsupport.SigningKey;
import dev.esper.testsupport.Tokens;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC 9.2 on {@link JwtVerifier}: public keys from a JWK Set served by a real HTTP server on loopback (no mock), from
 * files, their rotation, their failures, and the attacks a side keyed by public keys must refuse.
 */
class Spec92PublicKeysTest {
    private static final String TOPIC = "abcdef123";
    private static final SigningKey RSA = SigningKey.rsa("rsa-1");
    private static final SigningKey P256 = SigningKey.ec("ec-256", "P-256");
    private static final SigningKey P384 = SigningKey.ec("ec-384", "P-384");
    private static final SigningKey P521 = SigningKey.ec("ec-521", "P-521");
    private static final SigningKey ED = SigningKey.ed25519("ed-1");

    private final List<JwksServer> servers = new ArrayList<>();
    private final Clock clock = new Clock();

    /** A clock the test moves. */
    static final class Clock implements InstantSource {
        private final AtomicLong millis = new AtomicLong(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli());

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        void advance(Duration d) {
            millis.addAndGet(d.toMillis());
        }
    }

    @AfterEach
    void stopServers() {
        servers.forEach(JwksServer::close);
    }

    private JwksServer serve(SigningKey... keys) {
        JwksServer s = JwksServer.start(keys);
        servers.add(s);
        return s;
    }

    private JwtVerifier verifier(JwksServer server) {
        return JwtVerifier.jwks(server.uri()).clock(clock).fetchTimeout(Duration.ofSeconds(2)).build();
    }

    private static String rejection(JwtVerifier v, String token) {
        try {
            v.verify(token);
        } catch (AuthenticationException e) {
            assertThat(e.status()).isEqualTo(401);
            assertThat(e.reason()).doesNotContain(token);
            return e.reason();
        }
        throw new AssertionError("token was accepted");
    }

    // ---- accepted algorithms -------------------------------------------------------------------

    static Stream<Arguments> algorithms() {
        return Stream.of(Arguments.of("RS256", RSA), Arguments.of("RS384", RSA), Arguments.of("RS512", RSA),
                Arguments.of("PS256", RSA), Arguments.of("PS384", RSA), Arguments.of("PS512", RSA),
                Arguments.of("ES256", P256), Arguments.of("ES384", P384), Arguments.of("ES512", P521),
                Arguments.of("EdDSA", ED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("algorithms")
    void aTokenSignedByAKeyOfTheServedSetIsAccepted(String alg, SigningKey key) {
        JwtVerifier v = verifier(serve(RSA, P256, P384, P521, ED));

        Claims claims = v.verify(key.tokenFor(alg, TOPIC));

        assertThat(claims.get("sub")).isEqualTo(TOPIC);
    }

    @Test
    void aTokenByAnIndependentLibraryIsAccepted() throws Exception {
        JwtVerifier v = verifier(serve(RSA));
        String token = com.auth0.jwt.JWT.create().withKeyId("rsa-1").withSubject(TOPIC)
                .withExpiresAt(Instant.now().plusSeconds(60))
                .sign(com.auth0.jwt.algorithms.Algorithm.RSA256(null,
                        (java.security.interfaces.RSAPrivateKey) RSA.privateKey()));

        assertThat(v.verify(token).get("sub")).isEqualTo(TOPIC);
    }

    @Test
    void withoutAKidEveryKeyThatFitsTheAlgorithmIsTried() {
        SigningKey other = SigningKey.rsa("rsa-2");
        JwtVerifier v = verifier(serve(other, RSA));

        String noKid = RSA.signed("{\"alg\":\"RS256\"}", "RS256", Tokens.claims(TOPIC));

        assertThat(v.verify(noKid).get("sub")).isEqualTo(TOPIC);
    }

    // ---- rotation, fetch storms, failures ------------------------------------------------------

    @Test
    void aRotatedKeyWorksWithoutARestartAndFetchesStartAtMostOncePer30Seconds() {
        JwksServer server = serve(RSA);
        JwtVerifier v = verifier(server);
        SigningKey next = SigningKey.ec("ec-next", "P-256");
        SigningKey after = SigningKey.ed25519("ed-after");

        server.serve(RSA, next);
        assertThat(v.verify(next.tokenFor("ES256", TOPIC)).get("sub")).isEqualTo(TOPIC);
        assertThat(server.requests()).isEqualTo(2);

        server.serve(next, after);
        assertThat(rejection(v, after.tokenFor("EdDSA", TOPIC))).contains("kid 'ed-after'");
        assertThat(server.requests()).as("no second fetch within 30 s").isEqualTo(2);

        clock.advance(Duration.ofSeconds(30));
        assertThat(v.verify(after.tokenFor("EdDSA", TOPIC)).get("sub")).isEqualTo(TOPIC);
        assertThat(server.requests()).isEqualTo(3);
        assertThat(rejection(v, RSA.tokenFor("RS256", TOPIC))).as("a key taken out of the set").contains("kid 'rsa-1'");
    }

    @Test
    void aHundredTokensWithUnknownKidsInOneSecondCauseAtMostOneFetch() throws Exception {
        JwksServer server = serve(RSA);
        JwtVerifier v = verifier(server);
        server.delay(200);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                SigningKey stranger = SigningKey.ec("unknown-" + i, "P-256");
                String token = stranger.tokenFor("ES256", TOPIC);
                results.add(pool.submit(() -> {
                    go.await();
                    return rejection(v, token);
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            for (Future<String> r : results) {
                assertThat(r.get(10, TimeUnit.SECONDS)).contains("names no key of the JWK Set");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        } finally {
            pool.shutdownNow();
        }

        assertThat(server.requests()).as("the first fetch, then at most one").isLessThanOrEqualTo(2);
        assertThat(v.verify(RSA.tokenFor("RS256", TOPIC)).get("sub")).isEqualTo(TOPIC);
    }

    @Test
    void verifyAsyncDoesNotWaitForTheFetchOfAnUnknownKidAndCompletesOnTheFetchsThread() throws Exception {
        JwksServer server = serve(RSA);
        JwtVerifier v = verifier(server);
        SigningKey next = SigningKey.ec("ec-next", "P-256");
        server.serve(RSA, next).hold();

        CompletableFuture<Claims> first = v.verifyAsync(next.tokenFor("ES256", TOPIC)).toCompletableFuture();
        server.awaitHeld(Duration.ofSeconds(10));
        CompletableFuture<Claims> second = v.verifyAsync(next.tokenFor("ES256", "othertopic1")).toCompletableFuture();
        CompletableFuture<Claims> known = v.verifyAsync(RSA.tokenFor("RS256", TOPIC)).toCompletableFuture();
        CompletableFuture<Claims> malformed = v.verifyAsync("not-a-jwt").toCompletableFuture();

        assertThat(first).isNotDone();
        assertThat(second).isNotDone();
        assertThat(known).isCompletedWithValueMatching(c -> TOPIC.equals(c.get("sub")));
        assertThat(malformed).isCompletedExceptionally();
        CompletableFuture<String> thread = first.thenApply(c -> Thread.currentThread().getName());
        server.release();

        assertThat(first.get(10, TimeUnit.SECONDS).get("sub")).isEqualTo(TOPIC);
        assertThat(second.get(10, TimeUnit.SECONDS).get("sub")).isEqualTo("othertopic1");
        assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith("esper-jwks-");
        assertThat(server.requests()).as("one fetch for both").isEqualTo(2);
    }

    @Test
    void verifyAsyncOfAnUnknownKidWithinTheIntervalOrAfterAFailedFetchIs401() throws Exception {
        JwksServer server = serve(RSA);
        JwtVerifier v = verifier(server);
        server.failWith(503).hold();

        CompletableFuture<Claims> waiting = v.verifyAsync(SigningKey.rsa("new").tokenFor("RS256", TOPIC))
                .toCompletableFuture();
        server.awaitHeld(Duration.ofSeconds(10));
        server.release();

        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(AuthenticationException.class)
                .hasMessageContaining("kid 'new' names no key");
        CompletableFuture<Claims> tooSoon = v.verifyAsync(SigningKey.rsa("newer").tokenFor("RS256", TOPIC))
                .toCompletableFuture();
        assertThat(tooSoon).as("no fetch within 30 s: decided at once").isCompletedExceptionally();
        assertThat(v.verifyAsync(RSA.tokenFor("RS256", TOPIC)).toCompletableFuture().get().get("sub"))
                .isEqualTo(TOPIC);
        assertThat(v.status()).containsEntry("failures", 1L).containsEntry("loaded", 1);
    }

    @Test
    void aSetServerThatIsDownOrFailingKeepsTheLastGoodKeys() {
        JwksServer server = serve(RSA, P256);
        JwtVerifier v = verifier(server);

        server.failWith(503);
        rejection(v, SigningKey.rsa("new").tokenFor("RS256", TOPIC));
        assertThat(v.verify(RSA.tokenFor("RS256", TOPIC)).get("sub")).isEqualTo(TOPIC);
        assertThat(v.status()).containsEntry("last_fetch_ok", false).containsEntry("failures", 1L)
                .containsEntry("last_failure", "cannot be fetched: the server answered HTTP 503");

        server.serveText("{\"keys\":[]}");
        clock.advance(Duration.ofSeconds(31));
        rejection(v, SigningKey.rsa("new2").tokenFor("RS256", TOPIC));
        assertThat(v.verify(P256.tokenFor("ES256", TOPIC)).get("sub")).isEqualTo(TOPIC);

        server.close();
        clock.advance(Duration.ofSeconds(31));
        rejection(v, SigningKey.rsa("new3").tokenFor("RS256", TOPIC));
        assertThat(v.verify(RSA.tokenFor("RS256", TOPIC)).get("sub")).isEqualTo(TOPIC);
        assertThat(v.status()).containsEntry("failures", 3L).containsEntry("loaded", 2)
                .containsEntry("last_failure", "cannot be fetched: connection refused");
    }

    @Test
    void anOldSetIsFetchedAgainInTheBackgroundSoARemovedKeyStopsWorking() {
        JwksServer server = serve(RSA, P256);
        JwtVerifier v = verifier(server);
        server.serve(P256);

        clock.advance(Duration.ofMinutes(5));
        v.verify(P256.tokenFor("ES256", TOPIC));

        await().atMost(Duration.ofSeconds(5)).until(() -> v.status().get("loaded").equals(1));
        assertThat(server.requests()).isEqualTo(2);
        assertThat(rejection(v, RSA.tokenFor("RS256", TOPIC))).contains("kid 'rsa-1'");
    }

    @Test
    void theStartIsRefusedWhenTheFirstFetchFailsSayingWhy() {
        JwksServer server = serve(RSA);
        URI uri = server.uri();

        assertThatThrownBy(() -> verifier(server.failWith(404))).isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot load public keys: the JWK Set " + uri
                        + " cannot be fetched: the server answered HTTP 404");
        assertThatThrownBy(() -> verifier(server.serveText("<html>login</html>")))
                .hasMessageEndingWith("is neither a JWK Set (JSON) nor PEM ('-----BEGIN PUBLIC KEY-----')");
        assertThatThrownBy(() -> verifier(server.serveText("{\"keys\":[]}")))
                .hasMessageEndingWith("is not a valid JWK Set (MalformedKeySetException)");
        assertThatThrownBy(() -> verifier(server.serveText("{\"keys\":[{\"kty\":\"oct\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAAA"
                + "AAAAAAAAAAAAAAAAAAAAAAA\"}]}")))
                .hasMessageContaining("holds no key esper can verify tokens with").hasMessageEndingWith("1 key(s) left out");
        assertThatThrownBy(() -> JwtVerifier.jwks(server.serve(RSA).uri()).maxSourceBytes(100).build())
                .hasMessageEndingWith("cannot be fetched: the answer is larger than 100 bytes");
        assertThatThrownBy(() -> JwtVerifier.jwks(server.delay(1500).uri()).fetchTimeout(Duration.ofMillis(300))
                .build()).hasMessageEndingWith("cannot be fetched: no answer within 300 ms");
        server.close();
        assertThatThrownBy(() -> verifier(server)).hasMessageEndingWith("cannot be fetched: connection refused");
    }

    @Test
    void aSetHoldingAPrivateKeyIsRefusedWithoutShowingIt() {
        String privateJwk = io.jsonwebtoken.security.Jwks.UNSAFE_JSON(io.jsonwebtoken.security.Jwks.builder()
                .key((java.security.interfaces.RSAPrivateKey) RSA.privateKey())
                .publicKey((java.security.interfaces.RSAPublicKey) RSA.publicKey()).id("leak").build());
        JwksServer server = serve().serveText("{\"keys\":[" + privateJwk + "]}");

        assertThatThrownBy(() -> verifier(server)).hasMessageEndingWith("holds a private key (kid 'leak'); give esper "
                + "only public keys").satisfies(e -> assertThat(e.getMessage()).doesNotContain("\"d\""));
    }

    @Test
    void weakEncryptionSymmetricAndOtherKeysAreLeftOutAndCounted() {
        SigningKey weak = SigningKey.rsa("weak", 1024);
        String enc = RSA.jwk().replace("\"kid\":\"rsa-1\"", "\"kid\":\"enc\",\"use\":\"enc\"");
        String narrowed = P256.jwk().replace("\"kid\":\"ec-256\"", "\"kid\":\"ec-256\",\"alg\":\"ES256\"");
        JwksServer server = serve().serveText("{\"keys\":[" + weak.jwk() + "," + enc + "," + narrowed + ","
                + "{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}]}");

        JwtVerifier v = verifier(server);

        assertThat(v.status()).containsEntry("loaded", 1).containsEntry("ignored", 3)
                .containsEntry("kids", List.of("ec-256"));
        assertThat(rejection(v, weak.tokenFor("RS256", TOPIC))).contains("kid 'weak'");
    }

    // ---- files ---------------------------------------------------------------------------------

    @Test
    void aPemPublicKeyACertificateAndAJwkSetFileAreKeysToo(@TempDir Path dir) throws Exception {
        Path pem = Files.writeString(dir.resolve("key.pem"), P384.pem());
        Path set = Files.writeString(dir.resolve("jwks.json"), SigningKey.jwkSet(RSA, ED));
        Path one = Files.writeString(dir.resolve("jwk.json"), ED.jwk());

        assertThat(JwtVerifier.keyFile(pem).build().verify(P384.tokenFor("ES384", TOPIC)).get("sub"))
                .isEqualTo(TOPIC);
        assertThat(JwtVerifier.keyFile(set).build().verify(ED.tokenFor("EdDSA", TOPIC)).get("sub"))
                .isEqualTo(TOPIC);
        assertThat(JwtVerifier.keyFile(one).build().verify(ED.tokenFor("EdDSA", TOPIC)).get("sub"))
                .isEqualTo(TOPIC);
        assertThat(JwtVerifier.keyFile(pem).build().status()).containsEntry("keys", "file")
                .containsEntry("source", "key file " + pem).containsEntry("kids", List.of());
    }

    @Test
    void aKeyFileIsReadAgainForAnUnknownKidSoItCanBeReplaced(@TempDir Path dir) throws Exception {
        Path set = Files.writeString(dir.resolve("jwks.json"), SigningKey.jwkSet(RSA));
        JwtVerifier v = JwtVerifier.keyFile(set).clock(clock).build();

        Files.writeString(set, SigningKey.jwkSet(RSA, ED));

        assertThat(v.verify(ED.tokenFor("EdDSA", TOPIC)).get("sub")).isEqualTo(TOPIC);
    }

    @Test
    void aKeyFileThatIsAPrivateKeyPkcs1OrNotAKeyIsRefused(@TempDir Path dir) throws Exception {
        Path priv = Files.writeString(dir.resolve("priv.pem"), "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n");
        Path pkcs1 = Files.writeString(dir.resolve("rsa.pem"), "-----BEGIN RSA PUBLIC KEY-----\nMIIB\n-----END RSA PUBLIC KEY-----\n");
        Path weak = Files.writeString(dir.resolve("weak.pem"), SigningKey.rsa(null, 1024).pem());
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello");

        assertThatThrownBy(() -> JwtVerifier.keyFile(priv).build()).hasMessage("cannot load public keys: the key file "
                + priv + " holds a private key; give esper only the public key (openssl pkey -in key.pem -pubout)");
        assertThatThrownBy(() -> JwtVerifier.keyFile(pkcs1).build()).hasMessageContaining("PKCS#1");
        assertThatThrownBy(() -> JwtVerifier.keyFile(weak).build()).hasMessageContaining("holds a RSA 1024-bit key");
        assertThatThrownBy(() -> JwtVerifier.keyFile(text).build()).hasMessageContaining("neither a JWK Set");
        assertThatThrownBy(() -> JwtVerifier.keyFile(dir.resolve("missing.pem")).build())
                .hasMessageContaining("cannot be read: nosuchfile");
    }

    // ---- attacks, each 401 ---------------------------------------------------------------------

    @Test
    void anHs256TokenWhoseSecretIsThePublicKeyPemOrDerIsRefused() {
        JwtVerifier v = verifier(serve(RSA));
        String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"rsa-1\"}";

        for (byte[] key : List.of(RSA.pem().getBytes(StandardCharsets.US_ASCII), RSA.der())) {
            assertThat(rejection(v, Tokens.hmacWithKey(header, "HS256", key, Tokens.claims(TOPIC))))
                    .isEqualTo("token algorithm 'HS256' (HMAC) is not accepted on a side keyed by public keys; use "
                            + "RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA");
        }
        assertThat(rejection(v, Tokens.unsecured("none", TOPIC))).contains("'none' is not accepted");
    }

    @Test
    void anAlgorithmThatDoesNotFitTheKeyIsRefused() {
        JwtVerifier v = verifier(serve(RSA, P256));

        assertThat(rejection(v, P256.signed("{\"alg\":\"ES384\",\"kid\":\"ec-256\"}", "ES256", Tokens.claims(TOPIC))))
                .isEqualTo("token algorithm 'ES384' does not fit the key it names (EC P-256)");
        assertThat(rejection(v, P256.signed("{\"alg\":\"RS256\",\"kid\":\"ec-256\"}", "ES256", Tokens.claims(TOPIC))))
                .contains("does not fit the key it names (EC P-256)");
        assertThat(rejection(v, RSA.signed("{\"alg\":\"ES256\",\"kid\":\"rsa-1\"}", "RS256", Tokens.claims(TOPIC))))
                .contains("does not fit the key it names (RSA 2048-bit)");
        assertThat(rejection(v, RSA.signed("{\"alg\":\"PS256\",\"kid\":\"rsa-1\"}", "RS256", Tokens.claims(TOPIC))))
                .isEqualTo("token signature does not verify");
        assertThat(rejection(v, ED.signed("{\"alg\":\"EdDSA\"}", "EdDSA", Tokens.claims(TOPIC))))
                .isEqualTo("token algorithm 'EdDSA' does not fit any configured key (RSA 2048-bit, EC P-256)");
    }

    @Test
    void aJwkSetAlgNarrowsWhatItsKeyVerifies() {
        String rs256Only = RSA.jwk().replace("\"kid\":\"rsa-1\"", "\"kid\":\"rsa-1\",\"alg\":\"RS256\"");
        JwtVerifier v = verifier(serve().serveText("{\"keys\":[" + rs256Only + "]}"));

        assertThat(v.verify(RSA.tokenFor("RS256", TOPIC)).get("sub")).isEqualTo(TOPIC);
        assertThat(rejection(v, RSA.tokenFor("PS256", TOPIC))).contains("'PS256' does not fit the key it names");
    }

    @Test
    void jkuX5uAndJwkHeadersPointingElsewhereAreNeverFollowedNorUsed() {
        JwksServer real = serve(RSA);
        SigningKey attacker = SigningKey.rsa("rsa-1");
        JwksServer evil = serve(attacker);
        JwtVerifier v = verifier(real);
        String payload = Tokens.claims(TOPIC);

        List<String> forged = List.of(
                attacker.signed("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"jku\":\"" + evil.uri() + "\"}", "RS256", payload),
                attacker.signed("{\"alg\":\"RS256\",\"jku\":\"" + evil.uri() + "\"}", "RS256", payload),
                attacker.signed("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"x5u\":\"" + evil.uri() + "\"}", "RS256", payload),
                attacker.signed("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"jwk\":" + attacker.jwk() + "}", "RS256", payload),
                attacker.signed("{\"alg\":\"RS256\",\"kid\":\"evil\",\"jwk\":" + attacker.jwk() + "}", "RS256", payload));

        for (String token : forged) {
            rejection(v, token);
        }
        assertThat(v.verify(RSA.signed("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"jku\":\"" + evil.uri() + "\",\"x5u\":\""
                + evil.uri() + "\"}", "RS256", payload)).get("sub")).as("ignored on a genuine token").isEqualTo(TOPIC);
        assertThat(evil.requests()).as("requests the attacker's server got").isEqualTo(0);
    }

    @Test
    void anIssuerOrAudienceThatDoesNotMatchIsRefused() {
        JwksServer server = serve(RSA);
        JwtVerifier v = JwtVerifier.jwks(server.uri()).issuer("https://idp.example.com/realms/app").audience("esper")
                .build();
        long exp = Tokens.now() + 600;
        String iss = "\"iss\":\"https://idp.example.com/realms/app\"";

        assertThat(v.verify(RSA.token("RS256", "{" + iss + ",\"aud\":\"esper\",\"sub\":\"" + TOPIC + "\",\"exp\":"
                + exp + "}")).get("sub")).isEqualTo(TOPIC);
        assertThat(v.verify(RSA.token("RS256", "{" + iss + ",\"aud\":[\"account\",\"esper\"],\"exp\":" + exp + "}"))
                .get("aud")).isEqualTo(List.of("account", "esper"));
        assertThat(rejection(v, RSA.token("RS256", "{\"iss\":\"https://evil.example\",\"aud\":\"esper\",\"exp\":" + exp
                + "}"))).isEqualTo("token 'iss' claim must be 'https://idp.example.com/realms/app'");
        assertThat(rejection(v, RSA.token("RS256", "{\"aud\":\"esper\",\"exp\":" + exp + "}"))).contains("'iss'");
        assertThat(rejection(v, RSA.token("RS256", "{" + iss + ",\"aud\":\"account\",\"exp\":" + exp + "}")))
                .isEqualTo("token 'aud' claim must be or hold 'esper'");
        assertThat(rejection(v, RSA.token("RS256", "{" + iss + ",\"exp\":" + exp + "}"))).contains("'aud'");
        assertThat(v.status()).containsEntry("issuer", "https://idp.example.com/realms/app")
                .containsEntry("audience", "esper");
    }

    @Test
    void issuerAndAudienceAreCheckedOnASideKeyedByASecretToo() {
        dev.esper.auth.Secret secret = dev.esper.auth.Secret.of("s", Tokens.SUBSCRIBER_SECRET);
        JwtVerifier v = JwtVerifier.secret(secret).issuer("backend").build();

        assertThat(v.verify(Tokens.hmac("HS256", Tokens.SUBSCRIBER_SECRET, "{\"iss\":\"backend\",\"exp\":1}"))
                .get("iss")).isEqualTo("backend");
        assertThat(rejection(v, Tokens.hs256(Tokens.SUBSCRIBER_SECRET, TOPIC))).contains("'iss'");
        assertThat(v.status()).containsEntry("keys", "secret").containsEntry("issuer", "backend");
    }

    @Test
    void theStatusAndDescriptionNameTheKeysButHoldNoKeyMaterial() {
        JwksServer server = serve(RSA, P256);
        JwtVerifier v = verifier(server);
        String modulus = RSA.jwk().replaceAll(".*\"n\":\"([^\"]+)\".*", "$1");

        assertThat(v.status()).containsEntry("keys", "jwks").containsEntry("source", "JWK Set " + server.uri())
                .containsEntry("loaded", 2).containsEntry("kids", List.of("rsa-1", "ec-256"))
                .containsEntry("fetches", 1L).containsEntry("failures", 0L).containsEntry("last_fetch_ok", true)
                .containsKeys("loaded_at", "last_fetch");
        assertThat(v.toString()).startsWith("JWK Set " + server.uri() + ": 2 keys (RSA 2048-bit kid 'rsa-1', EC P-256 "
                + "kid 'ec-256'), read at ");
        assertThat(v.status().toString() + v).doesNotContain(modulus.substring(0, 20));
    }

    @Test
    void aJwkSetUrlMustBeHttpOrHttps() {
        assertThatThrownBy(() -> JwtVerifier.jwks(URI.create("file:///etc/jwks.json")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https:// or http://");
        assertThatThrownBy(() -> JwtVerifier.jwks(URI.create("https://user:pw@/jwks")))
                .hasMessageNotContaining("pw");
    }
}
