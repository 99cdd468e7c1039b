package dev.esper.testing;

import dev.esper.auth.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Collection;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Builds the JWTs a test server's helpers send: the claims, and an HS256 signature. Stateless and thread-safe. */
final class Tokens {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Tokens() {
    }

    /** A compact HS256 JWS with {@code sub} and {@code exp}. */
    static String hs256(Secret secret, String subject, Instant expires) {
        return hs256(secret, claims(subject, null, null, null, expires));
    }

    /** A compact HS256 JWS of {@code payloadJson}. */
    static String hs256(Secret secret, String payloadJson) {
        String header = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        String signingInput = header + "." + encode(payloadJson);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.bytes(), "HmacSHA256"));
            return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * The claims of a token: {@code sub} (if not null), {@code topics} (if not null), {@code iss} and {@code aud}
     * (if not null), and {@code exp}.
     */
    static String claims(String subject, List<String> topics, String issuer, String audience, Instant expires) {
        StringBuilder sb = new StringBuilder("{");
        if (subject != null) {
            sb.append("\"sub\":\"").append(jsonEscape(subject)).append("\",");
        }
        if (topics != null) {
            sb.append("\"topics\":[");
            for (int i = 0; i < topics.size(); i++) {
                sb.append(i == 0 ? "" : ",").append('"').append(jsonEscape(topics.get(i))).append('"');
            }
            sb.append("],");
        }
        if (issuer != null) {
            sb.append("\"iss\":\"").append(jsonEscape(issuer)).append("\",");
        }
        if (audience != null) {
            sb.append("\"aud\":\"").append(jsonEscape(audience)).append("\",");
        }
        return sb.append("\"exp\":").append(expires.getEpochSecond()).append('}').toString();
    }

    private static String encode(String json) {
        return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
