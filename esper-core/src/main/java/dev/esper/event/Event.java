package dev.esper.event;

import java.util.Objects;

/**
 * One Server-Sent Event as published: its {@code data}, and optionally an event {@code name}
 * (the SSE {@code event} field), an {@code id} and a {@code retry} reconnection time.
 *
 * <p>Immutable and thread-safe; an invalid event cannot be constructed. The rules are those that let
 * the event travel through an SSE stream unchanged:
 * <ul>
 *   <li>{@code data} is not null and contains no carriage return (a line feed separates lines of a
 *       multi-line payload; the empty string is a valid payload);</li>
 *   <li>{@code name} and {@code id} contain no line break; {@code id} contains no NUL;</li>
 *   <li>{@code retry} is one or more ASCII digits;</li>
 *   <li>an empty {@code name}, {@code id} or {@code retry} is stored as null (no such field), and a
 *       null {@code id} means the broker assigns one when the event is published.</li>
 * </ul>
 *
 * @param data the payload; lines separated by {@code \n}
 * @param name the event type, or null for the default ({@code message})
 * @param id the event id, or null to have the broker assign one
 * @param retry the reconnection time in milliseconds as ASCII digits, or null
 */
public record Event(String data, String name, String id, String retry) {

    /**
     * Validates.
     *
     * @throws InvalidEventException if a field breaks a rule above
     */
    public Event {
        if (data == null) {
            throw new InvalidEventException("event data must not be null");
        }
        if (data.indexOf('\r') >= 0) {
            throw new InvalidEventException("event data must not contain a carriage return; separate lines with \\n");
        }
        if (hasLoneSurrogate(data)) {
            throw new InvalidEventException("event data must be valid Unicode; it has an unpaired surrogate");
        }
        name = emptyToNull(name);
        id = emptyToNull(id);
        retry = emptyToNull(retry);
        if (name != null && (hasLineBreak(name) || hasLoneSurrogate(name))) {
            throw new InvalidEventException("event name must not contain a line break or an unpaired surrogate");
        }
        String idProblem = id == null ? null : idProblem(id);
        if (idProblem != null) {
            throw new InvalidEventException("event id " + idProblem);
        }
        String retryProblem = retry == null ? null : retryProblem(retry);
        if (retryProblem != null) {
            throw new InvalidEventException("retry " + retryProblem);
        }
    }

    /** An unnamed event with this payload and no id (the broker assigns one). */
    public static Event of(String data) {
        return new Event(data, null, null, null);
    }

    /** A copy of this event with the given event name. */
    public Event withName(String newName) {
        return new Event(data, newName, id, retry);
    }

    /** A copy of this event with the given id. */
    public Event withId(String newId) {
        return new Event(data, name, newId, retry);
    }

    /** A copy of this event with the given retry time (ASCII digits). */
    public Event withRetry(String newRetry) {
        return new Event(data, name, id, newRetry);
    }

    /** Whether this event carries an id of its own. */
    public boolean hasId() {
        return id != null;
    }

    /**
     * The id rule, stated once for this record and for {@link SseParser}: what is wrong with {@code id} as an
     * event id (to follow the field's name in a message), or null if nothing is.
     */
    static String idProblem(String id) {
        if (hasLineBreak(id) || id.indexOf('\0') >= 0 || hasLoneSurrogate(id)) {
            return "must not contain NUL, a line break or an unpaired surrogate";
        }
        return null;
    }

    /**
     * The retry rule, stated once for this record and for {@link SseParser}: what is wrong with {@code retry}
     * as a retry value (to follow the field's name in a message), or null if it is one or more ASCII digits.
     */
    static String retryProblem(String retry) {
        return isDigits(retry) ? null : "must be ASCII digits, was '" + shorten(retry) + "'";
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    static String shorten(String s) {
        Objects.requireNonNull(s);
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code s} has a line break (LF or CR), which would end an SSE line early. */
    static boolean hasLineBreak(String s) {
        return s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
