package dev.esper.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.servlet.TomcatConnectorSettings;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.Server;
import org.apache.catalina.Service;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Catalina;
import org.apache.tomcat.util.digester.Digester;
import org.junit.jupiter.api.Test;

/**
 * The {@code server.xml} that docs/servlet.md shows ({@code examples/src/main/tomcat-snippet/server.xml}), read
 * by Tomcat's own parser for it (without starting anything): its HTTP connector has every attribute of
 * {@link TomcatConnectorSettings}, with that value, as Tomcat understood it.
 */
class ServerXmlSnippetTest {
    private static final Path SERVER_XML =
            DocsSnippetsTest.repositoryRoot().resolve("examples/src/main/tomcat-snippet/server.xml");

    @Test
    void theConnectorHasEveryStreamSettingAsTomcatReadsIt() throws Exception {
        Connector connector = parse().findServices()[0].findConnectors()[0];

        int cap = (Integer) connector.getProperty("maxConnections");
        Map<String, String> settings = TomcatConnectorSettings.forStreams(cap);
        settings.forEach((name, value) -> assertThat(String.valueOf(connector.getProperty(name)))
                .as("connector attribute %s", name).isEqualTo(value));
        assertThat(cap).as("the cap shown is above Tomcat's default, 8192").isGreaterThan(10_000);
    }

    private static Server parse() throws Exception {
        Reader catalina = new Reader();
        Digester digester = catalina.digester();
        digester.push(catalina);
        digester.parse(SERVER_XML.toFile());
        Server server = catalina.getServer();
        Service[] services = server.findServices();
        assertThat(services).hasSize(1);
        assertThat(services[0].findConnectors()).hasSize(1);
        return server;
    }

    /** Tomcat's start-up parser for server.xml, which Catalina keeps protected. */
    private static final class Reader extends Catalina {
        Digester digester() {
            return createStartDigester();
        }
    }
}
