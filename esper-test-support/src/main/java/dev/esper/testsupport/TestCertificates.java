package dev.esper.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed certificates made for a test by {@code openssl} (Debian package {@code openssl}), as an operator
 * would make them: for {@code localhost} and {@code 127.0.0.1}, valid for a day, with the private key in one of
 * the PEM forms tools write. {@link #trusting} gives a client an {@link SSLContext} that trusts exactly the
 * certificate. Not thread-safe; files live in the directory given.
 */
public final class TestCertificates {
    /** The private key forms openssl writes. */
    public enum KeyForm {
        /** An EC P-256 key in PKCS#8 ({@code BEGIN PRIVATE KEY}): what {@code openssl req -newkey ec} writes. */
        EC_PKCS8,
        /** An RSA 2048 key in PKCS#8. */
        RSA_PKCS8,
        /** An RSA 2048 key in PKCS#1 ({@code BEGIN RSA PRIVATE KEY}). */
        RSA_PKCS1,
        /** An EC P-256 key in SEC1 ({@code BEGIN EC PRIVATE KEY}) after an {@code EC PARAMETERS} block. */
        EC_SEC1,
        /** An Ed25519 key in PKCS#8. */
        ED25519
    }

    /**
     * A certificate and its key.
     *
     * @param cert the PEM certificate
     * @param key the PEM private key
     */
    public record Pair(Path cert, Path key) {
    }

    private TestCertificates() {
    }

    /** An EC certificate for localhost and 127.0.0.1 in {@code dir}, its key in PKCS#8. */
    public static Pair make(Path dir) {
        return make(dir, KeyForm.EC_PKCS8, "esper");
    }

    /**
     * A self-signed certificate for localhost and 127.0.0.1, its key in {@code form}.
     *
     * @param dir where the files go
     * @param form the key's PEM form
     * @param name the files' base name ({@code <name>-cert.pem}, {@code <name>-key.pem})
     */
    public static Pair make(Path dir, KeyForm form, String name) {
        Path cert = dir.resolve(name + "-cert.pem");
        Path key = dir.resolve(name + "-key.pem");
        Path generated = dir.resolve(name + "-generated.pem");
        switch (form) {
            case EC_PKCS8, EC_SEC1 -> openssl(dir, "genpkey", "-algorithm", "EC", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-out", generated.toString());
            case RSA_PKCS8, RSA_PKCS1 -> openssl(dir, "genpkey", "-algorithm", "RSA", "-pkeyopt",
                    "rsa_keygen_bits:2048", "-out", generated.toString());
            case ED25519 -> openssl(dir, "genpkey", "-algorithm", "ED25519", "-out", generated.toString());
            default -> throw new IllegalArgumentException(form.toString());
        }
        openssl(dir, "req", "-x509", "-key", generated.toString(), "-out", cert.toString(), "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        switch (form) {
            case RSA_PKCS1 -> openssl(dir, "rsa", "-in", generated.toString(), "-traditional", "-out", key.toString());
            case EC_SEC1 -> {
                Path params = dir.resolve(name + "-params.pem");
                openssl(dir, "ecparam", "-name", "prime256v1", "-out", params.toString());
                Path sec1 = dir.resolve(name + "-sec1.pem");
                openssl(dir, "ec", "-in", generated.toString(), "-out", sec1.toString());
                try {
                    Files.writeString(key, Files.readString(params) + Files.readString(sec1));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            default -> {
                try {
                    Files.copy(generated, key);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return new Pair(cert, key);
    }

    /** An SSL context that trusts exactly the certificate in {@code cert} (for JDK and Jetty clients). */
    public static SSLContext trusting(Path cert) {
        try (InputStream in = Files.newInputStream(cert)) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("esper", CertificateFactory.getInstance("X.509").generateCertificate(in));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust " + cert, e);
        }
    }

    private static void openssl(Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run openssl (Debian package openssl)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running openssl", e);
        }
    }
}
