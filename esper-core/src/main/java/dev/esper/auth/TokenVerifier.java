package dev.esper.auth;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The seam where a JWT library plugs in: checks a compact token's form, algorithm, key and signature (and any
 * claims it was configured to check, such as {@code iss} or {@code aud}) and returns its claims. The claims
 * rules themselves ({@code exp}, {@code nbf}, {@code sub}, {@code topics}) are applied afterwards by
 * {@link AccessPolicy}, the same whatever library verified the signature.
 *
 * <p>An implementation keyed by an HMAC secret must accept only an algorithm {@link Secret#allows(String)};
 * one keyed by public keys only the RSA, EC and EdDSA algorithms that fit the key (SPEC 9.2). Either must reject
 * {@code alg: none} in any letter case, encrypted tokens (JWE) and malformed input, and must never take a key
 * from the token itself ({@code jku}, {@code x5u}, {@code jwk}); {@code kid} may only choose among the keys it
 * was configured with.
 *
 * <p>Implementations are thread-safe. {@code esper-jwt} ships one built on jjwt. esper's HTTP API calls
 * {@link #verifyAsync}, never {@link #verify}, on a container thread.
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

    /**
     * Verifies a token without blocking the calling thread. A verifier that has its keys at hand returns a stage
     * already completed; one that must first fetch a key (a JWK Set read again for an unknown {@code kid}) returns
     * a stage that completes later, on the thread that completes the fetch. The default completes at once with
     * {@link #verify}, which suits any verifier whose {@code verify} never waits.
     *
     * @param token the compact serialization, never null or empty
     * @return completes with the claims, or exceptionally with an {@link AuthenticationException}; not null
     */
    default CompletionStage<Claims> verifyAsync(String token) {
        try {
            return CompletableFuture.completedFuture(verify(token));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The state of this verifier's keys for {@code GET /stats} and the start-up banner, e.g. how many keys are
     * loaded and when they were last fetched: names to JSON values (numbers, booleans, strings, lists and maps of
     * those). Never key material or a token. Empty (the default) when there is nothing to report.
     *
     * @return an unmodifiable map; not null
     */
    default Map<String, Object> status() {
        return Map.of();
    }
}
