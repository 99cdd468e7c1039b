package dev.esper.standalone;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A key store for TLS made from PEM files with the JDK alone, as certificate tools and Let's Encrypt write them:
 * a certificate chain ({@code fullchain.pem}: the server's certificate first, then the intermediates) and its
 * unencrypted private key ({@code privkey.pem}), which may be PKCS#8 ({@code BEGIN PRIVATE KEY}: RSA, EC or
 * Ed25519), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC1 ({@code BEGIN EC PRIVATE KEY}, as
 * {@code openssl ecparam -genkey} writes it). The key must belong to the first certificate. Every error names the
 * file and what is wrong with it, never the key's bytes.
 *
 * <p>Stateless.
 */
final class PemKeyStore {
    /** The in-memory store's password: it protects nothing (the store never leaves the process). */
    static final String PASSWORD = "esper";
    static final String ALIAS = "esper";
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    private static final byte[] RSA_ALGORITHM = der(0x30, concat(der(0x06, new byte[] {0x2a, (byte) 0x86, 0x48,
            (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01}), new byte[] {0x05, 0x00}));
    private static final byte[] EC_PUBLIC_KEY_OID = der(0x06, new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d,
            0x02, 0x01});
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    private PemKeyStore() {
    }

    /**
     * A PKCS#12 store (in memory) holding the key under {@link #ALIAS} with its chain, password {@link #PASSWORD}.
     *
     * @param certFlag the flag that named {@code cert}, for messages (e.g. {@code --tls-cert})
     * @param keyFlag the flag that named {@code key}
     * @throws IllegalArgumentException naming the flag, the file and the problem
     */
    static KeyStore load(String certFlag, Path cert, String keyFlag, Path key) {
        List<X509Certificate> chain = certificates(certFlag, cert);
        PrivateKey privateKey = privateKey(keyFlag, key);
        if (!belongsTo(privateKey, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException(keyFlag + " " + key + ": this private key does not belong to the "
                    + "first certificate of " + certFlag + " " + cert + " (" + subject(chain.get(0)) + ")");
        }
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, privateKey, PASSWORD.toCharArray(), chain.toArray(Certificate[]::new));
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(keyFlag + " " + key + ": the key and " + certFlag
                    + " cannot be stored together: " + e.getMessage(), e);
        }
    }

    /** The certificates of a PEM file, in order; at least one. */
    static List<X509Certificate> certificates(String flag, Path file) {
        String text = read(flag, file);
        List<X509Certificate> chain = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                if (m.group(1).equals("CERTIFICATE")) {
                    chain.add((X509Certificate) factory.generateCertificate(
                            new ByteArrayInputStream(decode(flag, file, m.group(2)))));
                }
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException(flag + " " + file + ": a certificate in it cannot be read: "
                    + e.getMessage(), e);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException(flag + " " + file + ": no PEM certificate in it (a block from "
                    + "-----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----)");
        }
        return chain;
    }

    /** The first private key of a PEM file. */
    static PrivateKey privateKey(String flag, Path file) {
        Matcher m = BLOCK.matcher(read(flag, file));
        while (m.find()) {
            String label = m.group(1);
            switch (label) {
                case "PRIVATE KEY":
                    return pkcs8(flag, file, decode(flag, file, m.group(2)), "RSA", "EC", "Ed25519", "Ed448",
                            "RSASSA-PSS");
                case "RSA PRIVATE KEY":
                    return pkcs8(flag, file, pkcs8(RSA_ALGORITHM, decode(flag, file, m.group(2))), "RSA");
                case "EC PRIVATE KEY":
                    byte[] sec1 = decode(flag, file, m.group(2));
                    byte[] algorithm = der(0x30, concat(EC_PUBLIC_KEY_OID, curveOf(flag, file, sec1)));
                    return pkcs8(flag, file, pkcs8(algorithm, sec1), "EC");
                case "ENCRYPTED PRIVATE KEY":
                    throw new IllegalArgumentException(flag + " " + file + ": the private key is encrypted; give it "
                            + "unencrypted (openssl pkey -in " + file + " -out key.pem) and protect the file instead");
                default:
                    // Not a key (EC PARAMETERS, a certificate): look further.
            }
        }
        throw new IllegalArgumentException(flag + " " + file + ": no PEM private key in it (BEGIN PRIVATE KEY, "
                + "BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)");
    }

    private static String read(String flag, Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(flag + " " + file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    private static byte[] decode(String flag, Path file, String base64) {
        try {
            return Base64.getMimeDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " " + file + ": a PEM block is not valid base64", e);
        }
    }

    private static PrivateKey pkcs8(String flag, Path file, byte[] encoded, String... algorithms) {
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(encoded);
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
                // Not this algorithm's key: try the next.
            }
        }
        throw new IllegalArgumentException(flag + " " + file + ": the private key is not an RSA, EC or EdDSA key "
                + "this JVM can read");
    }

    /** A PKCS#8 PrivateKeyInfo around a key in its algorithm's own encoding (PKCS#1, SEC1). */
    private static byte[] pkcs8(byte[] algorithmIdentifier, byte[] key) {
        return der(0x30, concat(VERSION_0, algorithmIdentifier, der(0x04, key)));
    }

    /** The named curve (an OID, tag and all) of a SEC1 {@code ECPrivateKey}: its {@code [0]} parameters. */
    private static byte[] curveOf(String flag, Path file, byte[] sec1) {
        int[] seq = header(sec1, 0);
        if (seq == null || sec1[0] != 0x30) {
            throw new IllegalArgumentException(flag + " " + file + ": the EC private key is not valid DER");
        }
        int p = seq[0];
        int end = Math.min(sec1.length, seq[0] + seq[1]);
        while (p < end) {
            int[] h = header(sec1, p);
            if (h == null) {
                break;
            }
            if ((sec1[p] & 0xff) == 0xa0) {
                int[] oid = header(sec1, h[0]);
                if (oid != null && sec1[h[0]] == 0x06) {
                    byte[] out = new byte[oid[0] + oid[1] - h[0]];
                    System.arraycopy(sec1, h[0], out, 0, out.length);
                    return out;
                }
            }
            p = h[0] + h[1];
        }
        throw new IllegalArgumentException(flag + " " + file + ": the EC private key does not name its curve; "
                + "convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt -in " + file + ")");
    }

    /** {content start, content length} of the DER element at {@code p}, or null if it does not fit. */
    private static int[] header(byte[] b, int p) {
        if (p + 2 > b.length) {
            return null;
        }
        int len = b[p + 1] & 0xff;
        int start = p + 2;
        if (len >= 0x80) {
            int n = len & 0x7f;
            if (n == 0 || n > 3 || start + n > b.length) {
                return null;
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = len << 8 | (b[start + i] & 0xff);
            }
            start += n;
        }
        return start + len <= b.length ? new int[] {start, len} : null;
    }

    private static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int n = content.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >> 16);
            out.write(n >> 8);
            out.write(n);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /**
     * Whether a signature made with {@code key} verifies with {@code publicKey}; true for a key type this check
     * does not sign with (RSASSA-PSS), which the TLS handshake checks instead.
     */
    private static boolean belongsTo(PrivateKey key, PublicKey publicKey) {
        String algorithm;
        switch (key.getAlgorithm()) {
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            case "EdDSA":
            case "Ed25519":
            case "Ed448":
                algorithm = "EdDSA";
                break;
            default:
                return true;
        }
        try {
            byte[] probe = "esper tls key check".getBytes(StandardCharsets.US_ASCII);
            Signature sign = Signature.getInstance(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            verify.initVerify(publicKey);
            verify.update(probe);
            return verify.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static String subject(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }
}
