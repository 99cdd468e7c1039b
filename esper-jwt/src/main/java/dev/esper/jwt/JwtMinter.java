package dev.esper.jwt;

import dev.esper.auth.Secret;
import dev.esper.topic.TopicId;
import io.jsonwebtoken.Jwts;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Date;
import java.util.Objects;
import javax.crypto.spec.SecretKeySpec;

/**
 * Makes the tokens esper accepts: an HS256 JWT whose {@code sub} is the topic, with {@code iat} and
 * {@code exp}, signed with a side's secret. For a backend that hands tokens to browsers, for scripts
 * ({@code esper token}), and for tests. The token verifies with {@link JwtVerifier#hmac} over the same secret.
 *
 * <p>Immutable and thread-safe.
 */
public final class JwtMinter {
    /** The longest lifetime a token may be given: a year. */
    public static final Duration MAX_TTL = Duration.ofDays(366);

    private final SecretKeySpec key;
    private final InstantSource clock;

    private JwtMinter(Secret secret, InstantSource clock) {
        this.key = new SecretKeySpec(secret.bytes(), "HmacSHA256");
        this.clock = clock;
    }

    /**
     * A minter signing with a side's secret, on the system clock.
     *
     * @param secret the secret of the side the tokens are for (at least 32 bytes, as {@link Secret} ensures)
     * @return the minter
     */
    public static JwtMinter hmac(Secret secret) {
        return hmac(secret, InstantSource.system());
    }

    /**
     * A minter signing with a side's secret, on the given clock (for tests).
     *
     * @param secret the secret
     * @param clock what "now" is for {@code iat} and {@code exp}
     * @return the minter
     */
    public static JwtMinter hmac(Secret secret, InstantSource clock) {
        return new JwtMinter(Objects.requireNonNull(secret, "secret"), Objects.requireNonNull(clock, "clock"));
    }

    /**
     * A token for one topic, valid from now for {@code ttl} (whole seconds; {@code exp} is a JSON number).
     *
     * @param topic the topic the token grants (its canonical id becomes {@code sub})
     * @param ttl how long the token is valid, 1 second to {@link #MAX_TTL}
     * @return the compact JWT
     * @throws IllegalArgumentException if {@code ttl} is out of range
     */
    public String mint(TopicId topic, Duration ttl) {
        Objects.requireNonNull(topic, "topic");
        if (ttl.getSeconds() < 1 || ttl.compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("token ttl must be from 1 second to " + MAX_TTL.toDays()
                    + " days, was " + ttl.getSeconds() + " s");
        }
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        return Jwts.builder()
                .subject(topic.value())
                .issuedAt(Date.from(now))
                .expiration(Date.from(now.plusSeconds(ttl.getSeconds())))
                .signWith(key, Jwts.SIG.HS256)
                .compact();
    }

    @Override
    public String toString() {
        return "JwtMinter[HS256]";
    }
}
