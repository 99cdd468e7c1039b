package dev.esper.jwt;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jsonwebtoken.JwtParser;
import io.jsonwebtoken.Jwts;
import io.jsonwebtoken.security.Jwk;
import io.jsonwebtoken.security.JwkSet;
import io.jsonwebtoken.security.Jwks;
import io.jsonwebtoken.security.KeyOperation;
import io.jsonwebtoken.security.PrivateJwk;
import io.jsonwebtoken.security.PublicJwk;
import io.jsonwebtoken.security.SecretJwk;
import io.jsonwebtoken.security.SecureDigestAlgorithm;
import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The public keys a side verifies tokens with (SPEC 9.2), read once from a JWK Set (RFC 7517, parsed by jjwt) or
 * PEM text, each with the algorithms it fits: an RSA key of at least 2048 bits RS256/384/512 and PS256/384/512, an
 * EC key on P-256, P-384 or P-521 ES256, ES384 or ES512, an Ed25519 key EdDSA, narrowed to its JWK {@code alg} when
 * it has one. Keys for other uses ({@code use} other than {@code sig}, {@code key_ops} without {@code verify}),
 * symmetric keys and keys of other types are left out, and counted. A set holding a private key is refused.
 *
 * <p>Immutable and thread-safe.
 */
final class KeySet {
    /** Most usable keys a set may hold. */
    static final int MAX_KEYS = 64;
    /** Every algorithm a side keyed by public keys accepts. */
    static final Set<String> ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
            "ES384", "ES512", "EdDSA");
    private static final List<String> RSA = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)\\s*-----END \\1-----");

    private final List<Key> keys;
    private final int ignored;

    private KeySet(List<Key> keys, int ignored) {
        this.keys = List.copyOf(keys);
        this.ignored = ignored;
    }

    /** One usable key: its {@code kid} (null for none), what it is, and one parser per algorithm it fits. */
    static final class Key {
        final String kid;
        final String description;
        final Map<String, JwtParser> parsers;

        Key(String kid, String description, Map<String, JwtParser> parsers) {
            this.kid = kid;
            this.description = description;
            this.parsers = Map.copyOf(parsers);
        }
    }

    /**
     * Reads keys from a JWK Set (or a single JWK) in JSON, or from PEM public keys or certificates.
     *
     * @throws KeySource.KeySourceException saying what is wrong (never with key material): not JSON or PEM, no
     *     usable key, a private key, too many keys
     */
    static KeySet parse(String text) {
        String t = text.strip();
        KeySet set = t.startsWith("{") ? json(t) : pem(t);
        if (set.keys.isEmpty()) {
            throw new KeySource.KeySourceException("holds no key esper can verify tokens with (RSA of 2048 bits or "
                    + "more, EC P-256/P-384/P-521, Ed25519; 'use' sig)" + (set.ignored > 0 ? "; " + set.ignored
                    + " key(s) left out" : ""));
        }
        if (set.keys.size() > MAX_KEYS) {
            throw new KeySource.KeySourceException("holds " + set.keys.size() + " keys; at most " + MAX_KEYS
                    + " are accepted");
        }
        return set;
    }

    private static KeySet json(String text) {
        Map<?, ?> object;
        try {
            object = JSON.readValue(text, Map.class);
        } catch (java.io.IOException e) {
            throw new KeySource.KeySourceException("is not JSON (a JWK Set) nor PEM");
        }
        Collection<? extends Jwk<?>> jwks;
        try {
            if (object.containsKey("keys")) {
                JwkSet set = Jwks.setParser().build().parse(text);
                jwks = set.getKeys();
            } else if (object.containsKey("kty")) {
                jwks = List.of(Jwks.parser().build().parse(text));
            } else {
                throw new KeySource.KeySourceException("is not a JWK Set: it has no 'keys'");
            }
        } catch (KeySource.KeySourceException e) {
            throw e;
        } catch (RuntimeException e) {
            // jjwt's messages may quote the keys: say only what kind of problem it was.
            throw new KeySource.KeySourceException("is not a valid JWK Set (" + e.getClass().getSimpleName() + ")");
        }
        List<Key> keys = new ArrayList<>();
        int ignored = 0;
        for (Jwk<?> jwk : jwks) {
            if (jwk instanceof PrivateJwk) {
                throw new KeySource.KeySourceException("holds a private key" + kidPart(jwk.getId())
                        + "; give esper only public keys");
            }
            if (jwk instanceof SecretJwk || !(jwk instanceof PublicJwk) || !forVerifying((PublicJwk<?>) jwk)) {
                ignored++;
                continue;
            }
            Key key = key(jwk.getId(), (PublicKey) jwk.toKey(), jwk.getAlgorithm());
            if (key == null) {
                ignored++;
            } else {
                keys.add(key);
            }
        }
        return new KeySet(keys, ignored);
    }

    private static boolean forVerifying(PublicJwk<?> jwk) {
        String use = jwk.getPublicKeyUse();
        if (use != null && !use.equals("sig")) {
            return false;
        }
        Set<KeyOperation> ops = jwk.getOperations();
        return ops == null || ops.isEmpty() || ops.stream().anyMatch(op -> "verify".equals(op.getId()));
    }

    private static KeySet pem(String text) {
        if (text.contains("PRIVATE KEY-----")) {
            throw new KeySource.KeySourceException("holds a private key; give esper only the public key "
                    + "(openssl pkey -in key.pem -pubout)");
        }
        List<Key> keys = new ArrayList<>();
        int ignored = 0;
        Matcher m = PEM.matcher(text);
        boolean any = false;
        while (m.find()) {
            any = true;
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new KeySource.KeySourceException("holds a PEM block that is not base64");
            }
            PublicKey publicKey;
            switch (m.group(1)) {
                case "PUBLIC KEY":
                    publicKey = publicKey(der);
                    break;
                case "CERTIFICATE":
                    try {
                        publicKey = CertificateFactory.getInstance("X.509")
                                .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
                    } catch (GeneralSecurityException e) {
                        throw new KeySource.KeySourceException("holds a CERTIFICATE that is not X.509");
                    }
                    break;
                case "RSA PUBLIC KEY":
                    throw new KeySource.KeySourceException("holds a PKCS#1 'RSA PUBLIC KEY'; convert it to a "
                            + "'PUBLIC KEY' (openssl rsa -RSAPublicKey_in -in key.pem -pubout)");
                default:
                    ignored++;
                    continue;
            }
            Key key = key(null, publicKey, null);
            if (key == null) {
                throw new KeySource.KeySourceException("holds a " + describe(publicKey) + " key, which esper does "
                        + "not verify with (RSA of 2048 bits or more, EC P-256/P-384/P-521, Ed25519)");
            }
            keys.add(key);
        }
        if (!any) {
            throw new KeySource.KeySourceException("is neither a JWK Set (JSON) nor PEM ('-----BEGIN PUBLIC KEY-----')");
        }
        return new KeySet(keys, ignored);
    }

    private static PublicKey publicKey(byte[] der) {
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this kind of key; try the next
            }
        }
        throw new KeySource.KeySourceException("holds a PUBLIC KEY that is not RSA, EC or Ed25519");
    }

    /** A usable key, or null when it fits none of the accepted algorithms (or not its JWK {@code alg}). */
    private static Key key(String kid, PublicKey publicKey, String jwkAlg) {
        Set<String> algorithms = new LinkedHashSet<>(algorithmsFor(publicKey));
        if (jwkAlg != null) {
            algorithms.retainAll(Set.of(jwkAlg));
        }
        if (algorithms.isEmpty()) {
            return null;
        }
        Map<String, JwtParser> parsers = new LinkedHashMap<>();
        for (String alg : algorithms) {
            SecureDigestAlgorithm<?, ?> sig = Jwts.SIG.get().forKey(alg);
            parsers.put(alg, Jwts.parser()
                    .sig().clear().add(sig).and()
                    .enc().clear().and()
                    .key().clear().and()
                    .zip().clear().and()
                    .verifyWith(publicKey)
                    .build());
        }
        return new Key(kid, describe(publicKey), parsers);
    }

    /** The algorithms a key fits (SPEC 9.2), none for a key that is too weak or of another kind. */
    static List<String> algorithmsFor(PublicKey key) {
        if (key instanceof RSAPublicKey) {
            return ((RSAPublicKey) key).getModulus().bitLength() >= 2048 ? RSA : List.of();
        }
        if (key instanceof ECPublicKey) {
            switch (((ECPublicKey) key).getParams().getCurve().getField().getFieldSize()) {
                case 256:
                    return List.of("ES256");
                case 384:
                    return List.of("ES384");
                case 521:
                    return List.of("ES512");
                default:
                    return List.of();
            }
        }
        if (key instanceof EdECPublicKey && "Ed25519".equalsIgnoreCase(((EdECPublicKey) key).getParams().getName())) {
            return List.of("EdDSA");
        }
        return List.of();
    }

    /** What a key is, e.g. {@code RSA 2048-bit}, {@code EC P-256}, {@code Ed25519}; never the key itself. */
    static String describe(PublicKey key) {
        if (key instanceof RSAPublicKey) {
            return "RSA " + ((RSAPublicKey) key).getModulus().bitLength() + "-bit";
        }
        if (key instanceof ECPublicKey) {
            int bits = ((ECPublicKey) key).getParams().getCurve().getField().getFieldSize();
            return "EC " + (bits == 256 || bits == 384 || bits == 521 ? "P-" + bits : bits + "-bit");
        }
        if (key instanceof EdECPublicKey) {
            return ((EdECPublicKey) key).getParams().getName();
        }
        return key.getAlgorithm();
    }

    private static String kidPart(String kid) {
        return kid == null ? "" : " (kid " + printable(kid) + ")";
    }

    /** A kid for a message: quoted if short and plain, else a placeholder. */
    static String printable(String kid) {
        if (kid.length() <= 64 && kid.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '\'' && c != '"'
                && c != '\\')) {
            return "'" + kid + "'";
        }
        return "(unprintable)";
    }

    /** The usable keys, in the set's order. */
    List<Key> keys() {
        return keys;
    }

    /** How many keys of the source were left out (other uses, symmetric, other types, too weak). */
    int ignored() {
        return ignored;
    }

    /** The kids of the usable keys, in order (keys without one left out). */
    List<String> kids() {
        List<String> kids = new ArrayList<>();
        for (Key k : keys) {
            if (k.kid != null) {
                kids.add(k.kid);
            }
        }
        return kids;
    }

    /**
     * The keys a token may be verified with (SPEC 9.2): with a {@code kid}, the keys that have it, or when none
     * has it the keys without a kid; without one, every key. Only those that fit {@code alg}.
     *
     * @return the choice; {@link Choice#unknownKid()} when the token names a kid no key has and every key has one
     */
    Choice choose(String alg, String kid) {
        List<Key> named = new ArrayList<>();
        List<Key> unnamed = new ArrayList<>();
        for (Key k : keys) {
            if (kid != null && kid.equals(k.kid)) {
                named.add(k);
            } else if (k.kid == null || kid == null) {
                unnamed.add(k);
            }
        }
        List<Key> pool = kid != null && !named.isEmpty() ? named : unnamed;
        List<JwtParser> parsers = new ArrayList<>();
        for (Key k : pool) {
            JwtParser p = k.parsers.get(alg);
            if (p != null) {
                parsers.add(p);
            }
        }
        return new Choice(parsers, kid != null && named.isEmpty() && unnamed.isEmpty(), pool);
    }

    /** The outcome of {@link #choose}: the parsers to try. */
    static final class Choice {
        final List<JwtParser> parsers;
        private final boolean unknownKid;
        private final List<Key> pool;

        Choice(List<JwtParser> parsers, boolean unknownKid, List<Key> pool) {
            this.parsers = List.copyOf(parsers);
            this.unknownKid = unknownKid;
            this.pool = pool;
        }

        /** Whether the token's kid is in no key and no key lacks one: a refetch might find it. */
        boolean unknownKid() {
            return unknownKid;
        }

        /** What the keys considered are, for a message when none fits the algorithm, e.g. {@code EC P-256}. */
        String describeKeys() {
            Set<String> kinds = new LinkedHashSet<>();
            for (Key k : pool) {
                kinds.add(k.description);
            }
            return String.join(", ", kinds);
        }
    }
}
