package dev.esper.jwt;

import dev.esper.auth.Secret;
import dev.esper.topic.TopicId;
import io.jsonwebtoken.JwtBuilder;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import java.security.Key;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes the tokens esper accepts, with {@code iat} and {@code exp}: for one topic ({@code sub}), for several
 * ({@code topics}, SPEC 9.1) or for all ({@code "topics":"*"}). Signed with a side's HMAC secret (HS256, verified by
 * {@link JwtVerifier#hmac}), or with a private key whose public key esper holds (RS256 for RSA, ES256/384/512 for
 * EC by curve, EdDSA for Ed25519; verified by {@link JwtVerifier#jwks} or {@link JwtVerifier#keyFile}): for a
 * backend that hands tokens to browsers, for scripts ({@code esper token}), and for tests.
 *
 * <p>Immutable and thread-safe.
 */
public final class JwtMinter {
    /** The longest lifetime a token may be given: a year. */
    public static final Duration MAX_TTL = Duration.ofDays(366);

    private final Key key;
    private final SecureDigestAlgorithm<?, ?> algorithm;
    private final String kid;
    private final InstantSource clock;
    private final String issuer;
    private final String audience;

    private JwtMinter(Key key, SecureDigestAlgorithm<?, ?> algorithm, String kid, InstantSource clock, String issuer,
            String audience) {
        this.key = key;
        this.algorithm = algorithm;
        this.kid = kid;
        this.clock = clock;
        this.issuer = issuer;
        this.audience = audience;
    }

    /**
     * A minter signing with a side's secret, on the system clock.
     *
     * @param secret the secret of the side the tokens are for (at least 32 bytes, as {@link Secret} ensures)
     * @return the minter
     */
    public static JwtMinter hmac(Secret secret) {
        return hmac(secret, InstantSource.system());
    }

    /**
     * A minter signing with a side's secret, on the given clock (for tests).
     *
     * @param secret the secret
     * @param clock what "now" is for {@code iat} and {@code exp}
     * @return the minter
     */
    public static JwtMinter hmac(Secret secret, InstantSource clock) {
        Objects.requireNonNull(secret, "secret");
        return new JwtMinter(new SecretKeySpec(secret.bytes(), "HmacSHA256"), Jwts.SIG.HS256, null,
                Objects.requireNonNull(clock, "clock"), null, null);
    }

    /**
     * A minter signing with a private key, naming it with {@code kid} in each token's header, on the system clock.
     *
     * @param key an RSA (at least 2048 bits), EC (P-256, P-384, P-521) or Ed25519 private key
     * @param kid the key id its public key has in esper's JWK Set; null for none
     * @return the minter
     * @throws IllegalArgumentException for another kind of key
     */
    public static JwtMinter privateKey(PrivateKey key, String kid) {
        Objects.requireNonNull(key, "key");
        return new JwtMinter(key, algorithmFor(key), kid, InstantSource.system(), null, null);
    }

    private static SecureDigestAlgorithm<?, ?> algorithmFor(PrivateKey key) {
        if (key instanceof RSAPrivateKey) {
            return Jwts.SIG.RS256;
        }
        if (key instanceof ECPrivateKey) {
            int bits = ((ECPrivateKey) key).getParams().getCurve().getField().getFieldSize();
            if (bits == 256 || bits == 384 || bits == 521) {
                return bits == 256 ? Jwts.SIG.ES256 : bits == 384 ? Jwts.SIG.ES384 : Jwts.SIG.ES512;
            }
        }
        if (key instanceof EdECPrivateKey && "Ed25519".equalsIgnoreCase(((EdECPrivateKey) key).getParams().getName())) {
            return Jwts.SIG.EdDSA;
        }
        throw new IllegalArgumentException("a signing key must be RSA, EC (P-256, P-384, P-521) or Ed25519, was "
                + key.getAlgorithm());
    }

    /** This minter on another clock (for tests). */
    public JwtMinter withClock(InstantSource clock) {
        return new JwtMinter(key, algorithm, kid, Objects.requireNonNull(clock, "clock"), issuer, audience);
    }

    /** This minter, putting {@code iss} in each token (for {@code --jwt-issuer}); null: none. */
    public JwtMinter withIssuer(String issuer) {
        return new JwtMinter(key, algorithm, kid, clock, issuer, audience);
    }

    /** This minter, putting {@code aud} in each token (for {@code --jwt-audience}); null: none. */
    public JwtMinter withAudience(String audience) {
        return new JwtMinter(key, algorithm, kid, clock, issuer, audience);
    }

    /**
     * A token for one topic, valid from now for {@code ttl} (whole seconds; {@code exp} is a JSON number).
     *
     * @param topic the topic the token grants (its canonical id becomes {@code sub})
     * @param ttl how long the token is valid, 1 second to {@link #MAX_TTL}
     * @return the compact JWT
     * @throws IllegalArgumentException if {@code ttl} is out of range
     */
    public String mint(TopicId topic, Duration ttl) {
        Objects.requireNonNull(topic, "topic");
        return builder(ttl).subject(topic.value()).compact();
    }

    /**
     * A token granting several topics (SPEC 9.1): a {@code topics} array of their canonical ids, no {@code sub}.
     *
     * @param topics the topics granted, at least one
     * @param ttl how long the token is valid, 1 second to {@link #MAX_TTL}
     * @return the compact JWT
     * @throws IllegalArgumentException if {@code topics} is empty or {@code ttl} out of range
     */
    public String mintGrant(Collection<TopicId> topics, Duration ttl) {
        if (Objects.requireNonNull(topics, "topics").isEmpty()) {
            throw new IllegalArgumentException("a grant names at least one topic");
        }
        List<String> ids = new ArrayList<>();
        for (TopicId t : topics) {
            ids.add(t.value());
        }
        return builder(ttl).claim("topics", ids).compact();
    }

    /**
     * A token granting every topic: {@code "topics":"*"}. For a trusted backend, never for a browser.
     *
     * @param ttl how long the token is valid, 1 second to {@link #MAX_TTL}
     * @return the compact JWT
     */
    public String mintAllTopics(Duration ttl) {
        return builder(ttl).claim("topics", "*").compact();
    }

    private JwtBuilder builder(Duration ttl) {
        if (ttl.getSeconds() < 1 || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("token ttl must be from 1 second to " + MAX_TTL.toDays()
                    + " days, was " + ttl.getSeconds() + " s");
        }
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        JwtBuilder b = Jwts.builder();
        if (kid != null) {
            b.header().keyId(kid).and();
        }
        if (issuer != null) {
            b.issuer(issuer);
        }
        if (audience != null) {
            b.audience().add(audience).and();
        }
        b.issuedAt(Date.from(now)).expiration(Date.from(now.plusSeconds(ttl.getSeconds())));
        return signWith(b);
    }

    @SuppressWarnings("unchecked")
    private JwtBuilder signWith(JwtBuilder b) {
        return b.signWith(key, (SecureDigestAlgorithm<Key, ?>) algorithm);
    }

    @Override
    public String toString() {
        return "JwtMinter[" + algorithm.getId() + (kid == null ? "" : ", kid " + KeySet.printable(kid)) + "]";
    }
}
