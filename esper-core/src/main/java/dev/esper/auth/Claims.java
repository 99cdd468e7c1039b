package dev.esper.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The claims of a token whose signature a {@link TokenVerifier} accepted, as raw JSON values: a JSON
 * number is a {@link Number}, a string a {@link String}, and so on. Raw types matter: the rules reject an
 * {@code exp} that is the string {@code "1795977266"} although it reads like a number.
 *
 * <p>Immutable.
 */
public final class Claims {
    private final Map<String, Object> values;

    private Claims(Map<String, Object> values) {
        this.values = values;
    }

    /**
     * Wraps the claims a verifier decoded.
     *
     * @param values claim name to raw JSON value (null values allowed); copied
     */
    public static Claims of(Map<String, ?> values) {
        return new Claims(Collections.unmodifiableMap(new LinkedHashMap<>(values)));
    }

    /** The raw value of a claim, or null if absent (or JSON null). */
    public Object get(String name) {
        return values.get(name);
    }

    /** Whether the claim is present (even with a null value). */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** All claims, unmodifiable. */
    public Map<String, Object> asMap() {
        return values;
    }

    /** Names the claims only: values may identify people. */
    @Override
    public String toString() {
        return "Claims" + values.keySet();
    }
}
