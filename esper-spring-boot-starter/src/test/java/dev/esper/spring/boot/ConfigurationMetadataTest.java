package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.config.EsperConfig;
import dev.esper.config.Setting;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataProperty;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepository;
import org.springframework.boot.configurationmetadata.ConfigurationMetadataRepositoryJsonBuilder;
import org.springframework.mock.env.MockEnvironment;

/**
 * The configuration metadata in the jar, which IDEs read to complete {@code esper.*}: made by the build from the
 * table of settings, read here with Spring Boot's own metadata reader, and checked against the table and the
 * binding, so that it cannot drift from either.
 */
class ConfigurationMetadataTest {
    /** The file the build wrote next to the classes (other jars on the class path have one of the same name). */
    private static Path builtFile() throws Exception {
        Path classes = Path.of(ConfigurationMetadata.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return classes.resolve("META-INF/spring-configuration-metadata.json");
    }

    private static Map<String, ConfigurationMetadataProperty> properties() throws Exception {
        try (InputStream in = Files.newInputStream(builtFile())) {
            ConfigurationMetadataRepository repository = ConfigurationMetadataRepositoryJsonBuilder
                    .create(StandardCharsets.UTF_8).withJsonResource(in).build();
            assertThat(repository.getAllGroups()).containsKey("esper");
            return repository.getAllProperties();
        }
    }

    @Test
    void theBuildWroteTheMetadataOfTheCurrentTable() throws Exception {
        assertThat(builtFile()).as("written by the exec-maven-plugin in process-classes").exists();
        assertThat(Files.readString(builtFile(), StandardCharsets.UTF_8)).isEqualTo(ConfigurationMetadata.json());
    }

    @Test
    void everyPropertyIsDescribedAndNoOtherOne() throws Exception {
        List<String> expected = new ArrayList<>(List.of("esper.enabled", "esper.path"));
        for (Setting s : EsperProperties.settings()) {
            expected.add(EsperProperties.propertyName(s));
        }
        expected.add("management.health.esper.enabled");
        Map<String, ConfigurationMetadataProperty> properties = properties();
        assertThat(properties).containsOnlyKeys(expected);
        assertThat(properties.values()).allSatisfy(p -> {
            assertThat(p.getDescription()).as(p.getId()).isNotBlank().endsWith(".");
            assertThat(p.getType()).as(p.getId()).isNotBlank();
        });
        for (Setting s : EsperProperties.settings()) {
            ConfigurationMetadataProperty p = properties.get(EsperProperties.propertyName(s));
            assertThat(p.getDescription()).startsWith(s.description()).contains(s.environmentVariable());
        }
    }

    @Test
    void theTypesAndDefaultsAreTheTables() throws Exception {
        Map<String, ConfigurationMetadataProperty> properties = properties();
        assertThat(properties.get("esper.enabled").getDefaultValue()).isEqualTo(true);
        assertThat(properties.get("esper.path").getDefaultValue()).isEqualTo("/esper/*");
        assertThat(properties.get("management.health.esper.enabled").getDefaultValue()).isEqualTo(true);
        assertThat(properties.get("esper.history-size").getType()).isEqualTo("java.lang.Integer");
        assertThat(properties.get("esper.history-size").getDefaultValue()).isEqualTo(100);
        assertThat(properties.get("esper.heartbeat").getDescription()).contains("In seconds.");
        assertThat(properties.get("esper.max-retained-bytes").getType()).isEqualTo("java.lang.Long");
        assertThat(properties.get("esper.no-auth").getType()).isEqualTo("java.lang.Boolean");
        assertThat(properties.get("esper.no-auth").getDefaultValue()).isEqualTo(false);
        assertThat(properties.get("esper.cors-origins").getType()).isEqualTo("java.util.List<java.lang.String>");
        assertThat(properties.get("esper.redis-url").getDefaultValue()).isNull();
        assertThat(properties.get("esper.publisher-secret").getDescription()).contains("never logged");
        assertThat(properties.get("esper.memory-budget").getDefaultValue())
                .as("half the heap of whichever JVM runs: not a number to write down").isNull();
    }

    @Test
    void everyDefaultShownIsAValueThatGivesTheDefaultConfiguration() throws Exception {
        String defaults = EsperConfig.builder().build().toString();
        for (ConfigurationMetadataProperty p : properties().values()) {
            Object value = p.getDefaultValue();
            if (value == null || !p.getId().startsWith("esper.") || p.getId().equals("esper.enabled")
                    || p.getId().equals("esper.path")) {
                continue;
            }
            String text = value instanceof Collection<?> c ? String.join(",", c.stream().map(String::valueOf).toList())
                    : value instanceof Object[] a ? String.join(",", List.of(a).stream().map(String::valueOf).toList())
                    : String.valueOf(value);
            MockEnvironment env = new MockEnvironment().withProperty(p.getId(), text);
            assertThat(EsperProperties.config(env).toString()).as(p.getId() + "=" + text).isEqualTo(defaults);
        }
    }
}
