package dev.esper.jwt;

import io.jsonwebtoken.Jwts;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints tokens for the auth tests of esper-jwt and, through this module's test-jar, of the front ends:
 * hand-built HMAC JWS with exact JSON (so a header or claim can be anything, a number a string, an
 * algorithm paired with a too-short key), unsecured and encrypted tokens. Stateless.
 */
public final class Tokens {
    /** A 34-byte secret. */
    public static final String SUBSCRIBER_SECRET = "subscriber-secret-0123456789abcdef";

    private Tokens() {
    }

    /** Now, in seconds since the epoch. */
    public static long now() {
        return Instant.now().getEpochSecond();
    }

    /** {@code {"sub":..,"exp":now+3600}}. */
    public static String claims(String sub) {
        return "{\"sub\":\"" + sub + "\",\"exp\":" + (now() + 3600) + "}";
    }

    /** An HS256 token for {@code sub}, valid for an hour. */
    public static String hs256(String secret, String sub) {
        return hmac("HS256", secret, claims(sub));
    }

    /** A JWS with header {@code {"alg":alg,"typ":"JWT"}} signed by HMAC with the algorithm's hash. */
    public static String hmac(String alg, String secret, String payloadJson) {
        return hmacWithHeader("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}", alg, secret, payloadJson);
    }

    /** A JWS with an exact header JSON, signed by HMAC with {@code macAlg}'s hash. */
    public static String hmacWithHeader(String headerJson, String macAlg, String secret, String payloadJson) {
        String signingInput = b64(headerJson) + "." + b64(payloadJson);
        String jca = "HmacSHA" + macAlg.substring(2);
        try {
            Mac mac = Mac.getInstance(jca);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), jca));
            byte[] sig = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsecured token ({@code alg} such as none, NONE) with an empty signature. */
    public static String unsecured(String alg, String sub) {
        return b64("{\"alg\":\"" + alg + "\"}") + "." + b64(claims(sub)) + ".";
    }

    /** A JWE (dir + A256GCM) whose key is the secret's first 32 bytes. */
    public static String jwe(String secret, String sub) {
        byte[] key = Arrays.copyOf(secret.getBytes(StandardCharsets.UTF_8), 32);
        return Jwts.builder().subject(sub).expiration(Date.from(Instant.now().plusSeconds(3600)))
                .encryptWith(new SecretKeySpec(key, "AES"), Jwts.KEY.DIRECT, Jwts.ENC.A256GCM).compact();
    }

    /** base64url without padding of the UTF-8 bytes of {@code json}. */
    public static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
