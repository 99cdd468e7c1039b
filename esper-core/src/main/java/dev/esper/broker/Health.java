package dev.esper.broker;

import dev.esper.internal.Json;
import java.util.Objects;

/**
 * Whether a broker should get traffic now: what {@code GET /health/ready} answers, and what a health indicator
 * reports. {@link Status#UP}, or {@link Status#DOWN} with a one-line reason, such as a cross-node transport
 * that lost its connection or a shutdown under way.
 *
 * <p>An immutable value; validated in its constructor.
 *
 * @param status up or down; not null
 * @param reason why it is down (one line, never a secret); null when up, not blank when down
 */
public record Health(Status status, String reason) {
    private static final Health UP = new Health(Status.UP, null);

    /** Up or down. */
    public enum Status {
        /** Ready for traffic. */
        UP,
        /** Not ready: send traffic elsewhere. */
        DOWN
    }

    /**
     * Checks that an up health has no reason and a down one has one.
     *
     * @throws IllegalArgumentException if not
     */
    public Health {
        Objects.requireNonNull(status, "status");
        if (status == Status.UP && reason != null) {
            throw new IllegalArgumentException("an UP health has no reason, was '" + reason + "'");
        }
        if (status == Status.DOWN && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("a DOWN health needs a reason, was " + (reason == null ? "null"
                    : "'" + reason + "'"));
        }
    }

    /** Ready. */
    public static Health up() {
        return UP;
    }

    /**
     * Not ready.
     *
     * @param reason why, in one line; not blank
     * @return the health
     */
    public static Health down(String reason) {
        return new Health(Status.DOWN, reason);
    }

    /** Whether the status is {@link Status#UP}. */
    public boolean isUp() {
        return status == Status.UP;
    }

    /** As JSON: {@code {"status":"UP"}}, or {@code {"status":"DOWN","reason":"..."}}. */
    public String toJson() {
        StringBuilder sb = new StringBuilder(48).append("{\"status\":\"").append(status).append('"');
        if (reason != null) {
            sb.append(",\"reason\":");
            Json.string(sb, reason);
        }
        return sb.append('}').toString();
    }
}
