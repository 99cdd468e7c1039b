package dev.esper.testsupport;

import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.PublicJwk;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.Base64;

/**
 * A key pair for the public-key token tests (SPEC 9.2), with its public key as a JWK ({@code kid} included) and as
 * PEM, and tokens signed by hand so that a test controls the exact header JSON: an {@code alg} that does not fit
 * the key, {@code jku}/{@code x5u}/{@code jwk} parameters, any {@code kid}. Immutable and thread-safe.
 */
public final class SigningKey {
    private final String kid;
    private final KeyPair pair;

    private SigningKey(String kid, KeyPair pair) {
        this.kid = kid;
        this.pair = pair;
    }

    /** A fresh RSA 2048-bit key. */
    public static SigningKey rsa(String kid) {
        return rsa(kid, 2048);
    }

    /** A fresh RSA key of {@code bits}. */
    public static SigningKey rsa(String kid, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits);
            return new SigningKey(kid, g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh EC key on {@code curve}: {@code P-256}, {@code P-384} or {@code P-521}. */
    public static SigningKey ec(String kid, String curve) {
        String name = switch (curve) {
            case "P-256" -> "secp256r1";
            case "P-384" -> "secp384r1";
            case "P-521" -> "secp521r1";
            default -> throw new IllegalArgumentException(curve);
        };
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(name));
            return new SigningKey(kid, g.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh Ed25519 key. */
    public static SigningKey ed25519(String kid) {
        try {
            return new SigningKey(kid, KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key id (null for none). */
    public String kid() {
        return kid;
    }

    /** The public key. */
    public PublicKey publicKey() {
        return pair.getPublic();
    }

    /** The private key. */
    public PrivateKey privateKey() {
        return pair.getPrivate();
    }

    /** The public key as a JWK (JSON), with {@code kid} when it has one. */
    public String jwk() {
        PublicJwk<?> jwk = kid == null ? Jwks.builder().key(pair.getPublic()).build()
                : Jwks.builder().key(pair.getPublic()).id(kid).build();
        return Jwks.UNSAFE_JSON(jwk);
    }

    /** The public key's DER (SubjectPublicKeyInfo) bytes. */
    public byte[] der() {
        return pair.getPublic().getEncoded();
    }

    /** The public key as PEM ({@code -----BEGIN PUBLIC KEY-----}). */
    public String pem() {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** A JWK Set holding these keys' public JWKs. */
    public static String jwkSet(SigningKey... keys) {
        StringBuilder sb = new StringBuilder("{\"keys\":[");
        for (int i = 0; i < keys.length; i++) {
            sb.append(i == 0 ? "" : ",").append(keys[i].jwk());
        }
        return sb.append("]}").toString();
    }

    /** A token with header {@code {"alg":alg,"typ":"JWT","kid":kid}} (no kid if null), signed with {@code alg}. */
    public String token(String alg, String payloadJson) {
        return signed("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"" + (kid == null ? "" : ",\"kid\":\"" + kid + "\"")
                + "}", alg, payloadJson);
    }

    /** A token for {@code sub}, valid for an hour, signed with {@code alg}. */
    public String tokenFor(String alg, String sub) {
        return token(alg, Tokens.claims(sub));
    }

    /**
     * A JWS with an exact header JSON, its signature made with this key by the JCA algorithm {@code alg} names
     * (RSxxx, PSxxx, ESxxx in the JOSE form, EdDSA); whatever the header says.
     */
    public String signed(String headerJson, String alg, String payloadJson) {
        String input = Tokens.b64(headerJson) + "." + Tokens.b64(payloadJson);
        try {
            Signature s = signature(alg);
            s.initSign(pair.getPrivate());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(alg + " with " + pair.getPublic().getAlgorithm(), e);
        }
    }

    private static Signature signature(String alg) throws GeneralSecurityException {
        String bits = alg.substring(2);
        switch (alg.substring(0, 2)) {
            case "RS":
                return Signature.getInstance("SHA" + bits + "withRSA");
            case "PS":
                Signature pss = Signature.getInstance("RSASSA-PSS");
                int n = Integer.parseInt(bits);
                pss.setParameter(new PSSParameterSpec("SHA-" + n, "MGF1", new MGF1ParameterSpec("SHA-" + n), n / 8, 1));
                return pss;
            case "ES":
                return Signature.getInstance("SHA" + bits + "withECDSAinP1363Format");
            case "Ed":
                return Signature.getInstance("Ed25519");
            default:
                throw new IllegalArgumentException(alg);
        }
    }

    @Override
    public String toString() {
        return "SigningKey[" + pair.getPublic().getAlgorithm() + ", kid " + kid + "]";
    }
}
