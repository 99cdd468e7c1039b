package dev.esper.spring.boot;

import java.util.Objects;

/**
 * A bad {@code esper.*} property: start-up fails, and {@link EsperFailureAnalyzer} reports the message (which
 * names the property, the rule, the value unless it is a secret, and where it was set) and the property to fix.
 */
final class InvalidEsperPropertyException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String property;

    InvalidEsperPropertyException(String property, String message, Throwable cause) {
        super(message, cause);
        this.property = Objects.requireNonNull(property, "property");
    }

    /** The property to fix, e.g. {@code esper.history-size}. */
    String property() {
        return property;
    }
}
