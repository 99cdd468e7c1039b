package dev.esper.servlet;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.jsonwebtoken.Jwts;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;

/**
 * Mints tokens for the auth tests: HMAC, unsecured and encrypted tokens from esper-jwt's test {@code Tokens},
 * asymmetric tokens with jjwt, and tokens from an independent library (com.auth0 java-jwt).
 */
final class Tokens {
    static final String SUBSCRIBER_SECRET = "subscriber-secret-0123456789abcdef";
    static final String PUBLISHER_SECRET = "publisher-secret-0123456789abcdefg";
    /** 48 bytes: allows HS384. */
    static final String SECRET_48 = "a-48-byte-secret-for-hs384-0123456789abcdefghijk";
    /** 64 bytes: allows HS512. */
    static final String SECRET_64 = "a-64-byte-secret-for-hs512-0123456789abcdefghijklmnopqrstuvwxyz0";

    private Tokens() {
    }

    static long now() {
        return dev.esper.jwt.Tokens.now();
    }

    /** {@code {"sub":..,"exp":now+3600}}. */
    static String claims(String sub) {
        return dev.esper.jwt.Tokens.claims(sub);
    }

    /** An HS256 token for {@code sub}, valid for an hour. */
    static String hs256(String secret, String sub) {
        return dev.esper.jwt.Tokens.hs256(secret, sub);
    }

    /** A JWS with header {@code {"alg":alg,"typ":"JWT"}} signed by HMAC with the algorithm's hash. */
    static String hmac(String alg, String secret, String payloadJson) {
        return dev.esper.jwt.Tokens.hmac(alg, secret, payloadJson);
    }

    /** A JWS with an exact header JSON, signed by HMAC with {@code macAlg}'s hash. */
    static String hmacWithHeader(String headerJson, String macAlg, String secret, String payloadJson) {
        return dev.esper.jwt.Tokens.hmacWithHeader(headerJson, macAlg, secret, payloadJson);
    }

    /** An unsecured token ({@code alg} such as none, NONE) with an empty signature. */
    static String unsecured(String alg, String sub) {
        return dev.esper.jwt.Tokens.unsecured(alg, sub);
    }

    static String rs256(String sub) throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("RSA").genKeyPair();
        return Jwts.builder().subject(sub).expiration(inAnHour()).signWith(kp.getPrivate(), Jwts.SIG.RS256).compact();
    }

    static String es256(String sub) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair kp = g.generateKeyPair();
        return Jwts.builder().subject(sub).expiration(inAnHour()).signWith(kp.getPrivate(), Jwts.SIG.ES256).compact();
    }

    /** A JWE (dir + A256GCM) whose key is the secret's first 32 bytes. */
    static String jwe(String secret, String sub) {
        return dev.esper.jwt.Tokens.jwe(secret, sub);
    }

    /** HS256 by com.auth0 java-jwt. */
    static String auth0Hs256(String secret, String sub) {
        return JWT.create().withSubject(sub).withExpiresAt(inAnHour()).sign(Algorithm.HMAC256(secret));
    }

    /** HS512 by com.auth0 java-jwt. */
    static String auth0Hs512(String secret, String sub) {
        return JWT.create().withSubject(sub).withExpiresAt(inAnHour()).withNotBefore(new Date())
                .sign(Algorithm.HMAC512(secret));
    }

    private static Date inAnHour() {
        return Date.from(Instant.now().plusSeconds(3600));
    }

    static String b64(String json) {
        return dev.esper.jwt.Tokens.b64(json);
    }
}
