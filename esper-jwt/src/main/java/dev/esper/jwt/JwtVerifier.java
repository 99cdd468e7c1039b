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
import io.jsonwebtoken.ClaimJwtException;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.MacAlgorithm;
import java.io.IOException;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies HMAC-signed JWTs (JWS) with <a href="https://github.com/jwtk/jjwt">jjwt</a> against one fixed
 * secret, as SPEC 3 requires.
 *
 * <p>Accepted: a compact JWS whose header {@code alg} is {@code HS256}, or {@code HS384}/{@code HS512} when
 * the secret is long enough ({@link Secret#allows(String)}), with a valid signature. Rejected with an
 * {@link AuthenticationException}: {@code alg: none} in any letter case, RSA/EC/EdDSA and any other
 * algorithm, encrypted tokens (JWE), malformed tokens, bad signatures, and headers this verifier does not
 * understand ({@code crit}, {@code zip}, {@code b64}). Header parameters that point at keys ({@code kid},
 * {@code jku}, {@code x5u}, {@code jwk}) are ignored: the key is always the configured secret.
 *
 * <p>The returned {@link Claims} hold the payload's raw JSON values (a number is a {@link Number}, a string
 * a {@link String}); jjwt's own {@code exp}/{@code nbf} checks are left to {@link dev.esper.auth.AccessPolicy},
 * which applies the configured clock skew and rejects an {@code exp} that is not a JSON number. Exception
 * messages never contain the token.
 *
 * <p>Immutable and thread-safe.
 */
public final class JwtVerifier implements TokenVerifier {
    /** Longest token accepted, in characters; longer input is rejected before any decoding. */
    static final int MAX_TOKEN_LENGTH = 8192;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {
    };

    private final Secret secret;
    private final JwtParser hs256;
    private final JwtParser hs384;
    private final JwtParser hs512;

    private JwtVerifier(Secret secret) {
        this.secret = secret;
        byte[] key = secret.bytes();
        this.hs256 = parser(Jwts.SIG.HS256, new SecretKeySpec(key, "HmacSHA256"));
        this.hs384 = secret.allows("HS384") ? parser(Jwts.SIG.HS384, new SecretKeySpec(key, "HmacSHA384")) : null;
        this.hs512 = secret.allows("HS512") ? parser(Jwts.SIG.HS512, new SecretKeySpec(key, "HmacSHA512")) : null;
    }

    /**
     * A verifier for tokens signed with HMAC under {@code secret}.
     *
     * @param secret the shared secret; not null
     * @return the verifier
     */
    public static JwtVerifier hmac(Secret secret) {
        return new JwtVerifier(Objects.requireNonNull(secret, "secret"));
    }

    /**
     * The access policy a configuration asks for (SPEC 3): with {@link EsperConfig#noAuth()} both sides are
     * open; otherwise a side with a secret is protected by an HMAC verifier under it and a side without one
     * is open; the clock skew is {@link EsperConfig#clockSkew()}.
     *
     * @param config the configuration; not null
     * @return the policy, on the system clock
     */
    public static AccessPolicy accessPolicy(EsperConfig config) {
        AccessPolicy.Builder policy = AccessPolicy.builder().clockSkew(config.clockSkew());
        config.subscriberSecret().ifPresentOrElse(s -> policy.protect(Side.SUBSCRIBER, hmac(s)),
                () -> policy.open(Side.SUBSCRIBER));
        config.publisherSecret().ifPresentOrElse(s -> policy.protect(Side.PUBLISHER, hmac(s)),
                () -> policy.open(Side.PUBLISHER));
        return policy.build();
    }

    /** Each parser knows exactly one algorithm and one key: no locator, no other algorithm. */
    private static JwtParser parser(MacAlgorithm alg, SecretKey key) {
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
     * @return the claims, once the algorithm and signature are verified
     * @throws AuthenticationException if the token is malformed, encrypted, uses a refused algorithm or
     *     its signature does not verify (the message names the problem, never the token)
     */
    @Override
    public Claims verify(String token) {
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
        if (!(alg instanceof String) || !secret.allows((String) alg)) {
            throw AuthenticationException.invalidToken("token algorithm " + describeAlg(alg)
                    + " is not accepted; use HS256 (or HS384/HS512 with a secret of at least 48/64 bytes)");
        }
        if (header.containsKey("enc")) {
            throw AuthenticationException.invalidToken("encrypted tokens (JWE) are not accepted; send a signed JWT");
        }
        for (String unsupported : new String[] {"crit", "zip", "b64"}) {
            if (header.containsKey(unsupported)) {
                throw AuthenticationException.invalidToken("token header parameter '" + unsupported
                        + "' is not supported");
            }
        }
        JwtParser parser = parserFor((String) alg);
        if (parts[2].isEmpty()) {
            throw AuthenticationException.invalidToken("token has no signature");
        }
        try {
            parser.parseSignedClaims(token);
        } catch (ClaimJwtException e) {
            // jjwt checks exp/nbf only after the signature verified; the policy applies those rules itself
            // (with the configured clock skew), so a signed token that jjwt finds expired is handed on.
        } catch (io.jsonwebtoken.security.SignatureException e) {
            throw AuthenticationException.invalidToken("token signature does not verify");
        } catch (JwtException | IllegalArgumentException e) {
            throw AuthenticationException.invalidToken("token is malformed or not a signed JWT with JSON claims");
        }
        return Claims.of(decodeObject(parts[1], "payload"));
    }

    private JwtParser parserFor(String alg) {
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

    @Override
    public String toString() {
        return "JwtVerifier[hmac, " + secret + "]";
    }
}
