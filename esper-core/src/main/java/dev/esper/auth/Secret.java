package dev.esper.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * An HMAC secret: the UTF-8 bytes of a configured string, at least {@value #MIN_BYTES} bytes long.
 * It decides which HMAC algorithms a token may use (RFC 7518 §3.2: the key is at least as long as the
 * hash): HS256 always, HS384 from 48 bytes, HS512 from 64 bytes.
 *
 * <p>Immutable. {@link #toString()} never shows the secret.
 */
public final class Secret {
    /** Shortest secret accepted, in bytes. */
    public static final int MIN_BYTES = 32;

    private final byte[] bytes;

    private Secret(byte[] bytes) {
        this.bytes = bytes;
    }

    /**
     * Makes a secret of the UTF-8 bytes of {@code value}.
     *
     * @param name what the secret is called, for the message (e.g. {@code ESPER_PUBLISHER_SECRET})
     * @param value the secret
     * @throws IllegalArgumentException if it is shorter than {@value #MIN_BYTES} bytes; the message gives
     *     the length, never the value
     */
    public static Secret of(String name, String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        if (b.length < MIN_BYTES) {
            throw new IllegalArgumentException(name + " must be at least " + MIN_BYTES + " bytes, was " + b.length
                    + " bytes");
        }
        return new Secret(b);
    }

    /** A copy of the key bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The length in bytes. */
    public int length() {
        return bytes.length;
    }

    /**
     * Whether a token signed with {@code alg} may be verified with this secret: {@code HS256}, or
     * {@code HS384}/{@code HS512} when the secret is at least 48/64 bytes. Anything else
     * ({@code none} in any case, RSA, EC, EdDSA, unknown names) is refused.
     */
    public boolean allows(String alg) {
        if (alg == null) {
            return false;
        }
        switch (alg) {
            case "HS256":
                return true;
            case "HS384":
                return bytes.length >= 48;
            case "HS512":
                return bytes.length >= 64;
            default:
                return false;
        }
    }

    /** Constant-time comparison of two secrets' bytes. */
    public boolean sameAs(Secret other) {
        return other != null && MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret && sameAs((Secret) o);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Secret[" + bytes.length + " bytes]";
    }
}
