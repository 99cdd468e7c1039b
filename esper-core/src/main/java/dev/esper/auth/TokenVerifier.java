package dev.esper.auth;

/**
 * The seam where a JWT library plugs in: checks a compact token's form, algorithm and signature and
 * returns its claims. The claims rules themselves ({@code exp}, {@code nbf}, {@code sub}) are applied
 * afterwards by {@link AccessPolicy}, the same whatever library verified the signature.
 *
 * <p>An implementation must accept only JWS tokens signed with HMAC under its secret, with an
 * algorithm {@link Secret#allows(String)}; it must reject {@code alg: none} in any letter case,
 * asymmetric algorithms, encrypted tokens (JWE) and malformed input, and must ignore header
 * parameters that point at keys ({@code kid}, {@code jku}, {@code x5u}, {@code jwk}).
 *
 * <p>Implementations are thread-safe. {@code esper-servlet} ships one built on jjwt.
 */
@FunctionalInterface
public interface TokenVerifier {
    /**
     * Verifies a token.
     *
     * @param token the compact serialization, never null or empty
     * @return its claims, as raw JSON values
     * @throws AuthenticationException if the token is malformed, uses a refused algorithm or its
     *     signature does not verify; the message must not contain the token
     */
    Claims verify(String token);
}
