package dev.esper.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A test server's stand-in for an identity provider: a fresh key pair, its public key served as a JWK Set at
 * {@code http://127.0.0.1:<port>/jwks.json} by the JDK's HTTP server, and its private key signing tokens
 * (RS256 or ES256, with the key's {@code kid}). Thread-safe.
 */
final class TestIdentityProvider implements AutoCloseable {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final KeyPairType type;
    private final KeyPair pair;
    private final String kid;
    private final HttpServer server;
    private final ExecutorService executor;

    private TestIdentityProvider(KeyPairType type, KeyPair pair, String kid, HttpServer server,
            ExecutorService executor) {
        this.type = type;
        this.pair = pair;
        this.kid = kid;
        this.server = server;
        this.executor = executor;
    }

    /** Generates the key pair and starts serving its JWK Set. */
    static TestIdentityProvider start(KeyPairType type) {
        KeyPair pair;
        try {
            if (type == KeyPairType.RSA) {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                pair = g.generateKeyPair();
            } else {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                pair = g.generateKeyPair();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + type + " key pair", e);
        }
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String kid = "esper-test-" + HexFormat.of().formatHex(random);
        byte[] jwks = ("{\"keys\":[" + jwk(pair, kid) + "]}").getBytes(StandardCharsets.UTF_8);
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "esper-test-jwks");
            t.setDaemon(true);
            return t;
        });
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            server.createContext("/jwks.json", exchange -> {
                try {
                    exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
                    exchange.sendResponseHeaders(200, jwks.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(jwks);
                    }
                } finally {
                    exchange.close();
                }
            });
            server.setExecutor(executor);
            server.start();
            return new TestIdentityProvider(type, pair, kid, server, executor);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException(e);
        }
    }

    /** The public key as a JWK (RFC 7517, 7518): n and e, or the P-256 point. */
    private static String jwk(KeyPair pair, String kid) {
        if (pair.getPublic() instanceof RSAPublicKey) {
            RSAPublicKey k = (RSAPublicKey) pair.getPublic();
            return "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"use\":\"sig\",\"alg\":\"RS256\",\"n\":\""
                    + B64.encodeToString(unsigned(k.getModulus(), 0)) + "\",\"e\":\""
                    + B64.encodeToString(unsigned(k.getPublicExponent(), 0)) + "\"}";
        }
        ECPublicKey k = (ECPublicKey) pair.getPublic();
        return "{\"kty\":\"EC\",\"kid\":\"" + kid + "\",\"use\":\"sig\",\"alg\":\"ES256\",\"crv\":\"P-256\",\"x\":\""
                + B64.encodeToString(unsigned(k.getW().getAffineX(), 32)) + "\",\"y\":\""
                + B64.encodeToString(unsigned(k.getW().getAffineY(), 32)) + "\"}";
    }

    /** The big-endian bytes of a non-negative number without a sign byte, left-padded to {@code length}. */
    private static byte[] unsigned(BigInteger n, int length) {
        byte[] b = n.toByteArray();
        if (b.length > 1 && b[0] == 0) {
            b = Arrays.copyOfRange(b, 1, b.length);
        }
        if (b.length >= length) {
            return b;
        }
        byte[] padded = new byte[length];
        System.arraycopy(b, 0, padded, length - b.length, b.length);
        return padded;
    }

    /** Where the JWK Set is served. */
    URI jwksUri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json");
    }

    /** A compact JWS of {@code payloadJson}, signed with the private key, its header naming the kid. */
    String sign(String payloadJson) {
        String alg = type == KeyPairType.RSA ? "RS256" : "ES256";
        String input = B64.encodeToString(("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\",\"kid\":\"" + kid + "\"}")
                .getBytes(StandardCharsets.UTF_8)) + "." + B64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
        try {
            Signature s = Signature.getInstance(type == KeyPairType.RSA ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
            s.initSign(pair.getPrivate());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with the " + type + " key", e);
        }
    }

    /** Stops serving the JWK Set. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
