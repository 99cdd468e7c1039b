package dev.esper.testing;

/**
 * The key pair a test server generates to play an identity provider ({@link EsperTestServer#startWithKeyPair},
 * {@link EsperExtension#withKeyPair}): its public key is served as a JWK Set on loopback, its private key signs the
 * tokens the helpers send.
 */
public enum KeyPairType {
    /** A 2048-bit RSA key; tokens are RS256, as most identity providers sign by default. */
    RSA,
    /** An EC key on P-256; tokens are ES256. */
    EC
}
