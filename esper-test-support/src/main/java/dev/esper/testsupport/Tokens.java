package dev.esper.testsupport;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.jsonwebtoken.Jwts;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mints tokens for the auth tests of esper-jwt and of the front ends: hand-built HMAC JWS with exact JSON (so a
 * header or claim can be anything, a number a string, an algorithm paired with a too-short key), unsecured and
 * encrypted tokens, asymmetric tokens by jjwt, and tokens by an independent library (com.auth0 java-jwt).
 * Stateless.
 */
public final class Tokens {
    /** A 34-byte secret. */
    public static final String SUBSCRIBER_SECRET = "subscriber-secret-0123456789abcdef";
    /** A 35-byte secret. */
    public static final String PUBLISHER_SECRET = "publisher-secret-0123456789abcdefg";
    /** 48 bytes: allows HS384. */
    public static final String SECRET_48 = "a-48-byte-secret-for-hs384-0123456789abcdefghijk";
    /** 64 bytes: allows HS512. */
    public static final String SECRET_64 = "a-64-byte-secret-for-hs512-0123456789abcdefghijklmnopqrstuvwxyz0";

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
        return hmacWithKey(headerJson, macAlg, secret.getBytes(StandardCharsets.UTF_8), payloadJson);
    }

    /**
     * A JWS with an exact header JSON, signed by HMAC with {@code macAlg}'s hash under any key bytes: an attacker's
     * token whose "secret" is a public key's PEM or DER bytes (algorithm confusion).
     */
    public static String hmacWithKey(String headerJson, String macAlg, byte[] key, String payloadJson) {
        String signingInput = b64(headerJson) + "." + b64(payloadJson);
        String jca = "HmacSHA" + macAlg.substring(2);
        try {
            Mac mac = Mac.getInstance(jca);
            mac.init(new SecretKeySpec(key, jca));
            byte[] sig = mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (GeneralSecurityException e) {
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
        return Jwts.builder().subject(sub).expiration(inAnHour())
                .encryptWith(new SecretKeySpec(key, "AES"), Jwts.KEY.DIRECT, Jwts.ENC.A256GCM).compact();
    }

    /** An RS256 token for {@code sub}, valid for an hour, signed by a fresh RSA key. */
    public static String rs256(String sub) throws GeneralSecurityException {
        KeyPair kp = KeyPairGenerator.getInstance("RSA").genKeyPair();
        return Jwts.builder().subject(sub).expiration(inAnHour()).signWith(kp.getPrivate(), Jwts.SIG.RS256).compact();
    }

    /** An ES256 token for {@code sub}, valid for an hour, signed by a fresh P-256 key. */
    public static String es256(String sub) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        return Jwts.builder().subject(sub).expiration(inAnHour()).signWith(kp.getPrivate(), Jwts.SIG.ES256).compact();
    }

    /** HS256 by com.auth0 java-jwt, for {@code sub}, valid for an hour. */
    public static String auth0Hs256(String secret, String sub) {
        return JWT.create().withSubject(sub).withExpiresAt(inAnHour()).sign(Algorithm.HMAC256(secret));
    }

    /** HS512 by com.auth0 java-jwt, for {@code sub}, valid from now for an hour. */
    public static String auth0Hs512(String secret, String sub) {
        return JWT.create().withSubject(sub).withExpiresAt(inAnHour()).withNotBefore(new Date())
                .sign(Algorithm.HMAC512(secret));
    }

    private static Date inAnHour() {
        return Date.from(Instant.now().plusSeconds(3600));
    }

    /** base64url without padding of the UTF-8 bytes of {@code json}. */
    public static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
