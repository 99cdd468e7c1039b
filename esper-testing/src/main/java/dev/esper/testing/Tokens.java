package dev.esper.testing;

import dev.esper.auth.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Collection;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Mints HS256 JWTs for a test server's secrets. Stateless and thread-safe. */
final class Tokens {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Tokens() {
    }

    /** A compact HS256 JWS with {@code sub} and {@code exp}. */
    static String hs256(Secret secret, String subject, Instant expires) {
        return sign(secret, "{\"sub\":\"" + jsonEscape(subject) + "\",\"exp\":" + expires.getEpochSecond() + "}");
    }

    /** A compact HS256 JWS with {@code topics} (SPEC 9.1) and {@code exp}. */
    static String hs256(Secret secret, Collection<String> topics, Instant expires) {
        StringBuilder list = new StringBuilder();
        for (String t : topics) {
            list.append(list.length() == 0 ? "\"" : ",\"").append(jsonEscape(t)).append('"');
        }
        return sign(secret, "{\"topics\":[" + list + "],\"exp\":" + expires.getEpochSecond() + "}");
    }

    private static String sign(Secret secret, String payloadJson) {
        String header = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
        String payload = encode(payloadJson);
        String signingInput = header + "." + payload;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.bytes(), "HmacSHA256"));
            return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
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
