package dev.esper.jwt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.esper.auth.AccessPolicy;
import dev.esper.auth.AuthenticationException;
import dev.esper.auth.Claims;
import dev.esper.auth.Secret;
import dev.esper.auth.Side;
import dev.esper.auth.TokenVerifier;
import dev.esper.config.EsperConfig;
import dev.esper.config.Setting;
import io.jsonwebtoken.ClaimJwtException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.MalformedJwtException;
import io.jsonwebtoken.UnsupportedJwtException;
import io.jsonwebtoken.security.MacAlgorithm;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies JWTs (JWS) with <a href="https://github.com/jwtk/jjwt">jjwt</a> for one side, keyed either by an HMAC
 * secret (SPEC 3) or by public keys (SPEC 9.2), never both.
 *
 * <ul>
 *   <li><b>Secret</b> ({@link #hmac}, {@link #secret}): {@code HS256}, or {@code HS384}/{@code HS512} when the
 *       secret is long enough ({@link Secret#allows(String)}).</li>
 *   <li><b>Public keys</b> ({@link #jwks(URI)} for an identity provider's JWK Set URL, {@link #keyFile(Path)} for
 *       a JWK Set or PEM file): RS256/384/512 and PS256/384/512 with RSA keys of at least 2048 bits,
 *       ES256/ES384/ES512 with EC keys on P-256/P-384/P-521, EdDSA with Ed25519 keys; the algorithm must fit the
 *       key, and HMAC algorithms are refused. The token's {@code kid} picks the key; a {@code kid} the set does
 *       not hold makes a URL be fetched again (at most once per 30 s; {@link #verifyAsync} completes when that
 *       fetch does, without holding a thread, while {@link #verify} waits for it), and a set older than 5 minutes is fetched again in the background; a failed fetch keeps the last good set. The
 *       first fetch happens in {@link Builder#build()}, which fails if it does.</li>
 * </ul>
 *
 * <p>Either way: {@code alg: none} in any letter case, encrypted tokens (JWE), malformed tokens, bad signatures
 * and headers this verifier does not understand ({@code crit}, {@code zip}, {@code b64}) are rejected with an
 * {@link AuthenticationException}; header parameters that point at keys ({@code jku}, {@code x5u}, {@code jwk})
 * are never used; with {@link Builder#issuer} and {@link Builder#audience} the {@code iss} claim must equal the
 * issuer and the {@code aud} claim (a string or an array) must hold the audience.
 *
 * <p>The returned {@link Claims} hold the payload's raw JSON values; {@code exp}, {@code nbf}, {@code sub} and
 * {@code topics} are left to {@link AccessPolicy}. Exception messages and logs never contain a token or key
 * material.
 *
 * <p>Thread-safe; immutable but for the public keys it holds, which change as described.
 */
public final class JwtVerifier implements TokenVerifier {
    /** Longest token accepted, in characters; longer input is rejected before any decoding. */
    static final int MAX_TOKEN_LENGTH = 8192;
    /** Largest JWK Set or key file read, in bytes. */
    static final int MAX_KEY_SOURCE_BYTES = 512 * 1024;
    /** Default time limit of a JWK Set fetch (connecting, then the whole answer). */
    public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };
    private static final String PUBLIC_KEY_ALGORITHMS = "RS256/384/512, PS256/384/512, ES256/384/512 or EdDSA";

    /** The secret, or null when keyed by public keys. */
    private final Secret secret;
    private final JwtParser hs256;
    private final JwtParser hs384;
    private final JwtParser hs512;
    /** The public keys, or null when keyed by a secret. */
    private final PublicKeys keys;
    private final String issuer;
    private final String audience;

    private JwtVerifier(Secret secret, PublicKeys keys, String issuer, String audience) {
        this.secret = secret;
        this.keys = keys;
        this.issuer = issuer;
        this.audience = audience;
        if (secret != null) {
            byte[] key = secret.bytes();
            this.hs256 = hmacParser(Jwts.SIG.HS256, new SecretKeySpec(key, "HmacSHA256"));
            this.hs384 = secret.allows("HS384") ? hmacParser(Jwts.SIG.HS384, new SecretKeySpec(key, "HmacSHA384")) : null;
            this.hs512 = secret.allows("HS512") ? hmacParser(Jwts.SIG.HS512, new SecretKeySpec(key, "HmacSHA512")) : null;
        } else {
            this.hs256 = null;
            this.hs384 = null;
            this.hs512 = null;
        }
    }

    /**
     * A verifier for tokens signed with HMAC under {@code secret}, with no {@code iss} or {@code aud} check.
     *
     * @param secret the shared secret; not null
     * @return the verifier
     */
    public static JwtVerifier hmac(Secret secret) {
        return secret(secret).build();
    }

    /**
     * A builder of a verifier for tokens signed with HMAC under {@code secret} (to add {@code iss}/{@code aud}
     * checks).
     *
     * @param secret the shared secret; not null
     * @return the builder
     */
    public static Builder secret(Secret secret) {
        return new Builder(Objects.requireNonNull(secret, "secret"), null, null);
    }

    /**
     * A builder of a verifier for tokens signed by the keys of the JWK Set at {@code uri}, such as an identity
     * provider's {@code jwks_uri} ({@code https://idp.example.com/realms/app/protocol/openid-connect/certs}).
     *
     * @param uri an {@code https} or {@code http} URL with a host
     * @return the builder; {@link Builder#build()} fetches the set
     * @throws IllegalArgumentException if {@code uri} is not such a URL
     */
    public static Builder jwks(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw new IllegalArgumentException("a JWK Set URL must be https:// or http:// with a host, was '"
                    + KeySource.masked(uri) + "'");
        }
        return new Builder(null, uri, null);
    }

    /**
     * A builder of a verifier for tokens signed by the public keys in a file: a JWK Set (or one JWK) in JSON, or
     * PEM ({@code -----BEGIN PUBLIC KEY-----} or {@code -----BEGIN CERTIFICATE-----} blocks). The file is read
     * again like a URL would be fetched, so it can be replaced to rotate keys.
     *
     * @param file the file; not null
     * @return the builder; {@link Builder#build()} reads the file
     */
    public static Builder keyFile(Path file) {
        return new Builder(null, null, Objects.requireNonNull(file, "file"));
    }

    /**
     * The access policy a configuration asks for (SPEC 3, 9): with {@link EsperConfig#noAuth()} both sides are
     * open; otherwise a side with a secret is protected by an HMAC verifier under it, a side with public keys
     * ({@link EsperConfig#subscriberJwks()}, {@link EsperConfig#publisherJwks()}) by a verifier of those keys
     * (fetched now), and a side with neither is open; every verifier checks {@link EsperConfig#jwtIssuer()} and
     * {@link EsperConfig#jwtAudience()}; the clock skew is {@link EsperConfig#clockSkew()}.
     *
     * @param config the configuration; not null
     * @return the policy, on the system clock
     * @throws IllegalStateException if a side's public keys cannot be loaded; the message names the setting,
     *     the source and why
     */
    public static AccessPolicy accessPolicy(EsperConfig config) {
        AccessPolicy.Builder policy = AccessPolicy.builder().clockSkew(config.clockSkew());
        for (Side side : Side.values()) {
            Optional<JwtVerifier> v = forSide(config, side);
            if (v.isPresent()) {
                policy.protect(side, v.get());
            } else {
                policy.open(side);
            }
        }
        return policy.build();
    }

    /** The verifier a configuration asks for on one side, or empty when that side is open. */
    static Optional<JwtVerifier> forSide(EsperConfig config, Side side) {
        if (config.noAuth()) {
            return Optional.empty();
        }
        boolean subscriber = side == Side.SUBSCRIBER;
        Optional<Secret> secret = subscriber ? config.subscriberSecret() : config.publisherSecret();
        Optional<String> jwks = subscriber ? config.subscriberJwks() : config.publisherJwks();
        Builder b;
        if (secret.isPresent()) {
            b = secret(secret.get());
        } else if (jwks.isPresent()) {
            b = keys(jwks.get());
        } else {
            return Optional.empty();
        }
        b.issuer(config.jwtIssuer().orElse(null)).audience(config.jwtAudience().orElse(null));
        try {
            return Optional.of(b.build());
        } catch (IllegalStateException e) {
            Setting setting = subscriber ? Setting.SUBSCRIBER_JWKS : Setting.PUBLISHER_JWKS;
            throw new IllegalStateException(setting.key() + ": " + e.getMessage(), e);
        }
    }

    /** A builder for a key source as the configuration spells it: an http(s) URL, else a file path. */
    static Builder keys(String urlOrFile) {
        String lower = urlOrFile.toLowerCase(Locale.ROOT);
        if (lower.startsWith("https://") || lower.startsWith("http://")) {
            return jwks(URI.create(urlOrFile));
        }
        return keyFile(Path.of(urlOrFile));
    }

    /** Each parser knows exactly one algorithm and one key: no locator, no other algorithm. */
    private static JwtParser hmacParser(MacAlgorithm alg, SecretKey key) {
        return Jwts.parser()
                .sig().clear().add(alg).and()
                .enc().clear().and()
                .key().clear().and()
                .zip().clear().and()
                .verifyWith(key)
                .build();
    }

    /**
     * Verifies a compact JWS and returns its claims as raw JSON values.
     *
     * @param token the compact serialization; not null
     * @return the claims, once the algorithm, key, signature, issuer and audience are verified
     * @throws AuthenticationException if the token is malformed, encrypted, uses a refused algorithm, names no
     *     configured key, its signature does not verify, or its {@code iss}/{@code aud} do not match (the
     *     message names the problem, never the token)
     */
    @Override
    public Claims verify(String token) {
        Header h = header(token);
        List<JwtParser> parsers = secret != null ? List.of(hmacParserFor(h.alg))
                : publicKeyParsers(keys.choose(h.alg, h.kid), h.alg, h.kid);
        return finish(token, h, parsers);
    }

    /**
     * Verifies a compact JWS without blocking: as {@link #verify}, except that a {@code kid} the JWK Set does not
     * hold does not wait for the set to be read again. Then the stage completes when that read completes (at most
     * the {@linkplain Builder#fetchTimeout fetch timeout} later), on the thread that completed it, with the
     * claims if the new set holds the key, else with an {@link AuthenticationException}. Every other token is
     * decided before this method returns: the stage is complete.
     *
     * @param token the compact serialization; not null
     * @return completes with the claims, or exceptionally with an {@link AuthenticationException}
     */
    @Override
    public CompletionStage<Claims> verifyAsync(String token) {
        Header h;
        KeySet.Choice choice;
        try {
            h = header(token);
            if (secret != null) {
                return CompletableFuture.completedFuture(finish(token, h, List.of(hmacParserFor(h.alg))));
            }
            choice = keys.chooseNow(h.alg, h.kid);
            if (!choice.unknownKid()) {
                return CompletableFuture.completedFuture(finish(token, h, publicKeyParsers(choice, h.alg, h.kid)));
            }
        } catch (AuthenticationException e) {
            return CompletableFuture.failedFuture(e);
        }
        return keys.chooseAfterRead(h.alg, h.kid)
                .thenApply(later -> finish(token, h, publicKeyParsers(later, h.alg, h.kid)));
    }

    /** A token's parts and the header parameters that choose its key, once the header passed its checks. */
    private static final class Header {
        final String[] parts;
        final String alg;
        final String kid;

        Header(String[] parts, String alg, String kid) {
            this.parts = parts;
            this.alg = alg;
            this.kid = kid;
        }
    }

    /** Checks a token's form and header: everything that needs no key. */
    private Header header(String token) {
        if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_LENGTH) {
            throw AuthenticationException.invalidToken("token is malformed");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length == 5) {
            throw AuthenticationException.invalidToken("encrypted tokens (JWE) are not accepted; send a signed JWT");
        }
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw AuthenticationException.invalidToken("token is malformed: a JWT has three dot-separated parts");
        }
        Map<String, Object> header = decodeObject(parts[0], "header");
        Object alg = header.get("alg");
        checkAlgorithm(alg);
        if (header.containsKey("enc")) {
            throw AuthenticationException.invalidToken("encrypted tokens (JWE) are not accepted; send a signed JWT");
        }
        for (String unsupported : new String[] {"crit", "zip", "b64"}) {
            if (header.containsKey(unsupported)) {
                throw AuthenticationException.invalidToken("token header parameter '" + unsupported
                        + "' is not supported");
            }
        }
        Object kid = header.get("kid");
        if (kid != null && !(kid instanceof String)) {
            throw AuthenticationException.invalidToken("token header 'kid' must be a string");
        }
        if (parts[2].isEmpty()) {
            throw AuthenticationException.invalidToken("token has no signature");
        }
        return new Header(parts, (String) alg, (String) kid);
    }

    /** Verifies the signature with the first of {@code parsers} that accepts it, then the claims checks. */
    private Claims finish(String token, Header h, List<JwtParser> parsers) {
        verifySignature(token, parsers);
        Map<String, Object> claims = decodeObject(h.parts[1], "payload");
        checkIssuerAndAudience(claims);
        return Claims.of(claims);
    }

    private void checkAlgorithm(Object alg) {
        if (secret != null) {
            if (!(alg instanceof String) || !secret.allows((String) alg)) {
                throw AuthenticationException.invalidToken("token algorithm " + describeAlg(alg)
                        + " is not accepted; use HS256 (or HS384/HS512 with a secret of at least 48/64 bytes)");
            }
            return;
        }
        if (alg instanceof String && ((String) alg).toUpperCase(Locale.ROOT).startsWith("HS")) {
            throw AuthenticationException.invalidToken("token algorithm " + describeAlg(alg) + " (HMAC) is not "
                    + "accepted on a side keyed by public keys; use " + PUBLIC_KEY_ALGORITHMS);
        }
        if (!(alg instanceof String) || !KeySet.ALGORITHMS.contains(alg)) {
            throw AuthenticationException.invalidToken("token algorithm " + describeAlg(alg) + " is not accepted; use "
                    + PUBLIC_KEY_ALGORITHMS);
        }
    }

    private List<JwtParser> publicKeyParsers(KeySet.Choice choice, String alg, String kid) {
        if (!choice.parsers.isEmpty()) {
            return choice.parsers;
        }
        if (choice.unknownKid()) {
            throw AuthenticationException.invalidToken("token kid " + KeySet.printable(kid) + " names no key of the "
                    + keys.describe());
        }
        throw AuthenticationException.invalidToken("token algorithm '" + alg + "' does not fit "
                + (kid == null ? "any configured key" : "the key it names") + " ("
                + choice.describeKeys() + ")");
    }

    private static void verifySignature(String token, List<JwtParser> parsers) {
        for (JwtParser parser : parsers) {
            try {
                parser.parseSignedClaims(token);
                return;
            } catch (ClaimJwtException e) {
                // jjwt checks exp/nbf only after the signature verified; the policy applies those rules itself
                // (with the configured clock skew), so a signed token that jjwt finds expired is handed on.
                return;
            } catch (io.jsonwebtoken.security.SecurityException | UnsupportedJwtException e) {
                // A bad signature, or a key this algorithm cannot use: try the next key.
            } catch (MalformedJwtException | IllegalArgumentException e) {
                throw AuthenticationException.invalidToken("token is malformed or not a signed JWT with JSON claims");
            } catch (JwtException e) {
                throw AuthenticationException.invalidToken("token is malformed or not a signed JWT with JSON claims");
            }
        }
        throw AuthenticationException.invalidToken("token signature does not verify");
    }

    private void checkIssuerAndAudience(Map<String, Object> claims) {
        if (issuer != null && !issuer.equals(claims.get("iss"))) {
            throw AuthenticationException.invalidToken("token 'iss' claim must be '" + issuer + "'");
        }
        if (audience != null) {
            Object aud = claims.get("aud");
            boolean ok = audience.equals(aud) || (aud instanceof List && ((List<?>) aud).contains(audience));
            if (!ok) {
                throw AuthenticationException.invalidToken("token 'aud' claim must be or hold '" + audience + "'");
            }
        }
    }

    private JwtParser hmacParserFor(String alg) {
        switch (alg) {
            case "HS384":
                return hs384;
            case "HS512":
                return hs512;
            default:
                return hs256;
        }
    }

    private static Map<String, Object> decodeObject(String part, String what) {
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw AuthenticationException.invalidToken("token " + what + " is not base64url");
        }
        try {
            Map<String, Object> map = JSON.readValue(bytes, OBJECT);
            if (map == null) {
                throw AuthenticationException.invalidToken("token " + what + " is not a JSON object");
            }
            return map;
        } catch (IOException e) {
            throw AuthenticationException.invalidToken("token " + what + " is not a JSON object");
        }
    }

    /** Names the header's algorithm for a message: short alphanumeric names only, else a placeholder. */
    private static String describeAlg(Object alg) {
        if (alg instanceof String) {
            String s = (String) alg;
            if (!s.isEmpty() && s.length() <= 16 && s.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c))) {
                return "'" + s + "'";
            }
        }
        return alg == null ? "(missing)" : "(unrecognised)";
    }

    /**
     * The state of this verifier's keys, for {@code GET /stats}: {@code keys} ({@code secret}, {@code jwks} or
     * {@code file}); for public keys also {@code source}, {@code loaded} (usable keys), {@code kids},
     * {@code ignored} (keys left out, if any), {@code loaded_at}, {@code fetches}, {@code failures},
     * {@code last_fetch}, {@code last_fetch_ok} and {@code last_failure}; {@code issuer} and {@code audience}
     * when checked. Never key material.
     */
    @Override
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        if (keys == null) {
            s.put("keys", "secret");
        } else {
            s.putAll(keys.status());
        }
        if (issuer != null) {
            s.put("issuer", issuer);
        }
        if (audience != null) {
            s.put("audience", audience);
        }
        return Map.copyOf(s);
    }

    /**
     * One line on the keys, for logs: {@code HMAC secret (34 bytes)} or {@code JWK Set https://… : 2 keys (RSA
     * 2048-bit kid 'a', EC P-256 kid 'b'), read at …}, and the {@code iss}/{@code aud} checks. Never key material.
     */
    @Override
    public String toString() {
        String checks = (issuer == null ? "" : ", iss '" + issuer + "'") + (audience == null ? "" : ", aud '"
                + audience + "'");
        return keys == null ? "HMAC secret (" + secret.length() + " bytes)" + checks
                : keys.describe() + ": " + keys.summary() + checks;
    }

    /**
     * Builds a {@link JwtVerifier}: the keys ({@link JwtVerifier#secret}, {@link JwtVerifier#jwks},
     * {@link JwtVerifier#keyFile}), then optional claim checks. Not thread-safe.
     */
    public static final class Builder {
        private final Secret secret;
        private final URI uri;
        private final Path file;
        private String issuer;
        private String audience;
        private Duration fetchTimeout = DEFAULT_FETCH_TIMEOUT;
        private InstantSource clock = InstantSource.system();
        private int maxSourceBytes = MAX_KEY_SOURCE_BYTES;

        private Builder(Secret secret, URI uri, Path file) {
            this.secret = secret;
            this.uri = uri;
            this.file = file;
        }

        /** The {@code iss} claim every token must carry, e.g. {@code https://idp.example.com/realms/app}; null or empty: not checked. */
        public Builder issuer(String issuer) {
            this.issuer = issuer == null || issuer.isEmpty() ? null : issuer;
            return this;
        }

        /** A value every token's {@code aud} claim must be or hold, e.g. {@code esper}; null or empty: not checked. */
        public Builder audience(String audience) {
            this.audience = audience == null || audience.isEmpty() ? null : audience;
            return this;
        }

        /**
         * The time limit of a JWK Set fetch, to connect and then for the whole answer; default
         * {@link #DEFAULT_FETCH_TIMEOUT}. A token naming an unknown {@code kid} may be decided this much later
         * (without holding a thread, with {@link JwtVerifier#verifyAsync}).
         *
         * @throws IllegalArgumentException unless from 100 ms to 60 s
         */
        public Builder fetchTimeout(Duration timeout) {
            if (timeout == null || timeout.compareTo(Duration.ofMillis(100)) < 0
                    || timeout.compareTo(Duration.ofSeconds(60)) > 0) {
                throw new IllegalArgumentException("JWK Set fetch timeout must be from 100 ms to 60 s, was " + timeout);
            }
            this.fetchTimeout = timeout;
            return this;
        }

        /** The clock deciding when keys are fetched again (tests). */
        Builder clock(InstantSource clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The largest JWK Set or key file read (tests). */
        Builder maxSourceBytes(int bytes) {
            this.maxSourceBytes = bytes;
            return this;
        }

        /**
         * Builds the verifier, reading the keys: fetching the JWK Set URL (within the fetch timeout) or reading
         * the file.
         *
         * @throws IllegalStateException if the keys cannot be read or hold no usable key; the message names the
         *     source and why, never key material
         */
        public JwtVerifier build() {
            if (secret != null) {
                return new JwtVerifier(secret, null, issuer, audience);
            }
            KeySource source = uri != null ? KeySource.url(uri, fetchTimeout, maxSourceBytes)
                    : KeySource.file(file, maxSourceBytes);
            try {
                PublicKeys keys = PublicKeys.load(source, clock, fetchTimeout.plusSeconds(1));
                return new JwtVerifier(null, keys, issuer, audience);
            } catch (KeySource.KeySourceException e) {
                throw new IllegalStateException("cannot load public keys: the " + source.describe() + " "
                        + e.getMessage(), e);
            }
        }
    }
}
