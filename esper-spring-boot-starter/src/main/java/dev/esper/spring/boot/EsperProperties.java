package dev.esper.spring.boot;

import dev.esper.config.EsperConfig;
import dev.esper.config.InvalidConfigException;
import dev.esper.config.Setting;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * The {@code esper.*} properties, derived from the one table of settings ({@link Setting}) rather than written
 * out one by one: every setting a servlet reads ({@link Setting#inServlet()}) is the property {@code esper.}
 * + its environment variable without {@code ESPER_}, in kebab case ({@code ESPER_HISTORY_SIZE} is
 * {@code esper.history-size}, {@code ESPER_REDIS_URL} is {@code esper.redis-url}), so a setting added to the
 * table is a property at once, and Spring's relaxed binding reads the very environment variables the servlet
 * and the standalone server read. Two properties are the starter's own: {@link #ENABLED} and {@link #PATH}.
 *
 * <p>Values go, as text, through {@link EsperConfig.Builder#set}, the one validator; a bad one fails with an
 * {@link InvalidEsperPropertyException} that names the property and where it was set, never a secret's value.
 * Stateless; thread-safe.
 */
final class EsperProperties {
    /** The prefix of every property. */
    static final String PREFIX = "esper";
    /** {@code false} turns the starter off: no bean at all. */
    static final String ENABLED = "esper.enabled";
    /** Where the servlet is mapped. */
    static final String PATH = "esper.path";
    /** The default of {@link #PATH}. */
    static final String DEFAULT_PATH = "/esper/*";

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of(PREFIX);

    private EsperProperties() {
    }

    /** The settings that are properties: those a servlet reads (not {@code bind}, {@code port}: {@code server.*}). */
    static List<Setting> settings() {
        List<Setting> out = new ArrayList<>();
        for (Setting s : Setting.values()) {
            if (s.inServlet()) {
                out.add(s);
            }
        }
        return out;
    }

    /** The property of a setting, e.g. {@code esper.history-size}, {@code esper.redis-url}. */
    static String propertyName(Setting s) {
        return names(s).get(0);
    }

    /**
     * Every name a setting is read under, {@link #propertyName} first: one per environment variable
     * ({@code esper.redis-url}, {@code esper.redis}), and its key.
     */
    static List<String> names(Setting s) {
        Set<String> names = new LinkedHashSet<>();
        for (String variable : s.environmentVariables()) {
            if (variable.startsWith("ESPER_")) {
                names.add(PREFIX + "." + variable.substring(6).toLowerCase(Locale.ROOT).replace('_', '-'));
            }
        }
        names.add(PREFIX + "." + s.key());
        return List.copyOf(names);
    }

    /**
     * The configuration the {@code esper.*} properties of {@code env} give; unset ones keep their defaults.
     *
     * @throws InvalidEsperPropertyException naming the property when a value is bad, when a setting is set
     *     under two of its names to different values, or when an {@code esper.*} property is not one of esper's
     */
    static EsperConfig config(Environment env) {
        checkNoUnknownProperties(env);
        EsperConfig.Builder b = EsperConfig.builder();
        for (Setting s : settings()) {
            value(env, s).ifPresent(v -> b.set(s.key(), s.isSecret() ? v.text : v.text.strip(), v.source));
        }
        try {
            return b.build();
        } catch (InvalidConfigException e) {
            throw new InvalidEsperPropertyException(nameUsed(env, e.setting()), e.getMessage(), e);
        }
    }

    /** Where the servlet is mapped: {@link #PATH}, a mapping such as {@code /esper/*} or {@code /*}. */
    static String path(Environment env) {
        String path = Binder.get(env).bind(PATH, String.class).map(String::strip).orElse(DEFAULT_PATH);
        if (!path.startsWith("/") || !path.endsWith("/*") || path.indexOf('*') != path.length() - 1
                || path.contains("//")) {
            String origin = origin(env, PATH);
            throw new InvalidEsperPropertyException(PATH, PATH + " must be a path mapping that ends in /*, such as "
                    + DEFAULT_PATH + " or /*, was '" + path + "'" + (origin.isEmpty() ? "" : " (" + origin + ")"),
                    null);
        }
        return path;
    }

    /**
     * Whether the starter is on: {@link #ENABLED}, default {@code true}.
     *
     * @throws org.springframework.boot.context.properties.bind.BindException naming the property when its value
     *     is neither {@code true} nor {@code false}
     */
    static boolean enabled(Environment env) {
        return Binder.get(env).bind(ENABLED, Boolean.class).orElse(Boolean.TRUE);
    }

    /** The Redis URI set by property, if any (under any of its names). */
    static Optional<String> redisUrl(Environment env) {
        return value(env, Setting.REDIS).map(v -> v.text.strip()).filter(v -> !v.isEmpty());
    }

    /** A setting's text and the source to name in messages. */
    private static final class Value {
        final String name;
        final String text;
        final String source;

        Value(String name, String text, String source) {
            this.name = name;
            this.text = text;
            this.source = source;
        }
    }

    /** A setting's value under any of its names; two names set to different values is an error. */
    private static Optional<Value> value(Environment env, Setting s) {
        Binder binder = Binder.get(env);
        Value found = null;
        for (String name : names(s)) {
            String text = binder.bind(name, String.class).orElseGet(() -> binder
                    .bind(name, Bindable.listOf(String.class)).map(l -> String.join(",", l)).orElse(null));
            if (text == null) {
                continue;
            }
            String origin = origin(env, name);
            Value v = new Value(name, text, "property " + name + (origin.isEmpty() ? "" : ", " + origin));
            if (found == null) {
                found = v;
            } else if (!found.text.equals(v.text)) {
                throw new InvalidEsperPropertyException(found.name, found.name + " and " + v.name
                        + " are both set, to different values; set only " + propertyName(s), null);
            }
        }
        return Optional.ofNullable(found);
    }

    /** The name a bad setting was given under, for the failure analysis; its main name if none. */
    private static String nameUsed(Environment env, Setting s) {
        return value(env, s).map(v -> v.name).orElse(propertyName(s));
    }

    /** Where a property (or its first list element) was set, e.g. a file and line; empty when unknown. */
    static String origin(Environment env, String name) {
        ConfigurationPropertyName key = ConfigurationPropertyName.of(name);
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(env)) {
            ConfigurationProperty p = source.getConfigurationProperty(key);
            if (p == null) {
                p = source.getConfigurationProperty(key.append("[0]"));
            }
            if (p != null) {
                Origin o = p.getOrigin();
                return o == null ? "" : o.toString();
            }
        }
        return "";
    }

    /**
     * Refuses an {@code esper.*} property that is none of esper's (a typo such as
     * {@code esper.subscriber-secert} would otherwise leave a side open without a word): in configuration files,
     * command-line arguments and test properties. The environment variables and the JVM's system properties are
     * not checked: other programs' {@code ESPER_*} variables and {@code esper.*} properties may be there.
     */
    static void checkNoUnknownProperties(Environment env) {
        List<ConfigurationPropertyName> known = new ArrayList<>();
        known.add(ConfigurationPropertyName.of(ENABLED));
        known.add(ConfigurationPropertyName.of(PATH));
        for (Setting s : settings()) {
            for (String name : names(s)) {
                known.add(ConfigurationPropertyName.of(name));
            }
        }
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(env)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)
                    || isSharedWithOtherPrograms(source)) {
                continue;
            }
            iterable.stream().filter(ROOT::isAncestorOf)
                    .filter(n -> known.stream().noneMatch(k -> k.equals(n) || k.isAncestorOf(n)))
                    .findFirst()
                    .ifPresent(n -> {
                        throw new InvalidEsperPropertyException(n.toString(), unknown(n), null);
                    });
        }
    }

    private static String unknown(ConfigurationPropertyName name) {
        String last = name.getLastElement(ConfigurationPropertyName.Form.DASHED);
        for (Setting s : Setting.values()) {
            if (!s.inServlet() && s.key().equals(last)) {
                return name + " is not used by the esper servlet in Spring Boot (" + s.flag()
                        + " is the standalone server's; the web server's own settings are server.*)";
            }
        }
        Set<String> all = new TreeSet<>();
        all.add(ENABLED);
        all.add(PATH);
        for (Setting s : settings()) {
            all.add(propertyName(s));
        }
        return name + " is not a property of esper; they are " + String.join(", ", all);
    }

    /** Whether a source is the JVM's: the environment or the system properties, which other programs share. */
    private static boolean isSharedWithOtherPrograms(ConfigurationPropertySource source) {
        return source.getUnderlyingSource() instanceof PropertySource<?> ps
                && (StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME.equals(ps.getName())
                        || StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME.equals(ps.getName()));
    }
}
