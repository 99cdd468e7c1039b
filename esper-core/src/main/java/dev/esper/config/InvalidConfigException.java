package dev.esper.config;

import java.util.Objects;

/**
 * A bad setting: names the setting, the rule, the value as given (never a secret's) and where it came from,
 * e.g. {@code history size must be a whole number from 0 to 2147483647, was '-1' (environment variable
 * ESPER_HISTORY_SIZE)}. A front end that words its errors its own way reads the fields instead of the
 * message.
 */
public final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final Setting setting;
    private final String source;
    private final String problem;

    InvalidConfigException(Setting setting, String source, String problem) {
        super(setting.label() + " " + problem + (source == null ? "" : " (" + source + ")"));
        this.setting = Objects.requireNonNull(setting, "setting");
        this.source = source;
        this.problem = problem;
    }

    /** The setting whose value is bad. */
    public Setting setting() {
        return setting;
    }

    /** Where the value came from (e.g. {@code --history-size}), or null when set by a typed builder method. */
    public String source() {
        return source;
    }

    /** The rule and the value, without the setting's name: {@code must be ..., was '...'}. */
    public String problem() {
        return problem;
    }
}
