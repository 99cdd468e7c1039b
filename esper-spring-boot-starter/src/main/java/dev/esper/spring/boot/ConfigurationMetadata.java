package dev.esper.spring.boot;

import dev.esper.config.Setting;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Spring Boot's configuration metadata for the {@code esper.*} properties (so IDEs complete them, with their
 * meaning and default), made from {@link Setting}, and for {@code management.health.esper.enabled}: the build
 * runs {@link #main} after compiling and writes {@code META-INF/spring-configuration-metadata.json} into the
 * jar, so a setting added to the table is described without anyone writing JSON. The
 * {@code ConfigurationMetadataTest} checks the file against the table.
 */
final class ConfigurationMetadata {
    private static final String SOURCE = EsperAutoConfiguration.class.getName();

    private ConfigurationMetadata() {
    }

    /**
     * Writes the metadata.
     *
     * @param args the file to write, e.g. {@code target/classes/META-INF/spring-configuration-metadata.json}
     * @throws IOException if it cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ConfigurationMetadata <file to write>");
        }
        Path file = Path.of(args[0]);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, json(), StandardCharsets.UTF_8);
    }

    /** Turns the health indicator off ({@code @ConditionalOnEnabledHealthIndicator("esper")}). */
    static final String HEALTH_ENABLED = "management.health.esper.enabled";

    /** The metadata, as JSON. */
    static String json() {
        List<String> properties = new ArrayList<>();
        properties.add(property(EsperProperties.ENABLED, "java.lang.Boolean",
                "Whether esper starts: false defines none of its beans (no servlet, no broker).", "true"));
        properties.add(property(EsperProperties.PATH, "java.lang.String",
                "Where the esper servlet is mapped, a path ending in /* (routes such as /subscribe/{topic} are"
                        + " relative to it).", quote(EsperProperties.DEFAULT_PATH)));
        for (Setting s : EsperProperties.settings()) {
            properties.add(property(EsperProperties.propertyName(s), type(s), description(s), defaultValue(s)));
        }
        properties.add(property(HEALTH_ENABLED, "java.lang.Boolean",
                "Whether to enable esper's health check (the component esper in Actuator's health endpoint).",
                EsperActuatorAutoConfiguration.class.getName(), "true"));
        return "{\n"
                + "  \"groups\": [\n"
                + "    {\n"
                + "      \"name\": \"" + EsperProperties.PREFIX + "\",\n"
                + "      \"description\": \"esper, the Server-Sent Events broker: its servlet and its Broker bean.\",\n"
                + "      \"sourceType\": \"" + SOURCE + "\"\n"
                + "    }\n"
                + "  ],\n"
                + "  \"properties\": [\n"
                + String.join(",\n", properties) + "\n"
                + "  ],\n"
                + "  \"hints\": []\n"
                + "}\n";
    }

    private static String property(String name, String type, String description, String defaultJson) {
        return property(name, type, description, SOURCE, defaultJson);
    }

    private static String property(String name, String type, String description, String source,
            String defaultJson) {
        return "    {\n"
                + "      \"name\": " + quote(name) + ",\n"
                + "      \"type\": " + quote(type) + ",\n"
                + "      \"description\": " + quote(description) + ",\n"
                + "      \"sourceType\": " + quote(source)
                + (defaultJson == null ? "" : ",\n      \"defaultValue\": " + defaultJson) + "\n"
                + "    }";
    }

    /** The Java type an IDE checks values against, from the setting's kind (its flag's value label). */
    static String type(Setting s) {
        if (s.isSecret()) {
            return "java.lang.String";
        }
        if (s.isSwitch()) {
            return "java.lang.Boolean";
        }
        switch (s.valueLabel()) {
            case "<n>":
            case "<port>":
            case "<seconds>":
                return "java.lang.Integer";
            case "<bytes>":
                return "java.lang.Long";
            case "<list>":
                return "java.util.List<java.lang.String>";
            default:
                return "java.lang.String";
        }
    }

    /** The setting's own description, its unit, and the environment variable that also sets it. */
    static String description(Setting s) {
        String unit = "<seconds>".equals(s.valueLabel()) && !s.isSecret() ? " In seconds."
                : "<bytes>".equals(s.valueLabel()) ? " In bytes." : "";
        return s.description() + unit + " Environment variable " + s.environmentVariable() + "."
                + (s.isSecret() ? " A secret: never logged." : "");
    }

    /**
     * The default as JSON, or null when there is none to show: an empty one (secrets, redis), or the memory
     * budget's, which is half the heap of whichever JVM runs (its description says so).
     */
    static String defaultValue(Setting s) {
        String text = s.defaultText();
        if (text.isEmpty() || s == Setting.MEMORY_BUDGET) {
            return null;
        }
        switch (type(s)) {
            case "java.lang.Boolean":
            case "java.lang.Integer":
            case "java.lang.Long":
                return text;
            case "java.util.List<java.lang.String>":
                List<String> items = new ArrayList<>();
                for (String item : text.split(",", -1)) {
                    items.add(quote(item.strip()));
                }
                return "[" + String.join(", ", items) + "]";
            default:
                return quote(text);
        }
    }

    /** A JSON string. */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }
}
