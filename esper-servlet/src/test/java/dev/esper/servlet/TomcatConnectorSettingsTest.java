package dev.esper.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.catalina.connector.Connector;
import org.junit.jupiter.api.Test;

class TomcatConnectorSettingsTest {
    @Test
    void namesTheConnectionCapAndTheBufferSizesInAFixedOrder() {
        Map<String, String> settings = TomcatConnectorSettings.forStreams(20_000);

        assertThat(settings).containsExactly(
                Map.entry("maxConnections", "20000"),
                Map.entry("socket.appReadBufSize", "1024"),
                Map.entry("socket.appWriteBufSize", "2048"),
                Map.entry("maxHttpResponseHeaderSize", "4096"),
                Map.entry("maxTrailerSize", "1024"));
    }

    @Test
    void everyNameIsAnAttributeThatTomcatsConnectorTakes() {
        Connector connector = new Connector();

        TomcatConnectorSettings.forStreams(20_000)
                .forEach((name, value) -> assertThat(connector.setProperty(name, value)).as(name).isTrue());

        assertThat(connector.getProperty("maxConnections")).isEqualTo(20_000);
        assertThat(connector.getProperty("maxTrailerSize")).isEqualTo(1024);
    }

    @Test
    void refusesACapBelowOne() {
        assertThatThrownBy(() -> TomcatConnectorSettings.forStreams(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConnections must be at least 1, was 0");
    }
}
