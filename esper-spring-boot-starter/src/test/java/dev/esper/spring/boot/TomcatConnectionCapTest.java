package dev.esper.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;

/** On embedded Tomcat the starter makes room for esper's streams: Tomcat's 8,192-connection default is raised. */
class TomcatConnectionCapTest {

    @SpringBootApplication
    static class App {
    }

    /** Tomcat's setting (no Tomcat type in a signature: the Jetty run loads this class without Tomcat). */
    static Object maxConnections(ServletWebServerApplicationContext context) {
        return ((TomcatWebServer) context.getWebServer()).getTomcat().getConnector().getProperty("maxConnections");
    }

    @Nested
    @SpringBootTest(classes = App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = "esper.max-subscribers=20000")
    class ByDefault {
        @Autowired
        ServletWebServerApplicationContext context;

        @Test
        void tomcatAcceptsEsperSubscriberLimitPlusRoomForOtherRequests() {
            assertThat(maxConnections(context)).isEqualTo(22_000);
        }
    }

    @Nested
    @SpringBootTest(classes = App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
            properties = "server.tomcat.max-connections=12345")
    class WhenTheApplicationSetsTheCap {
        @Autowired
        ServletWebServerApplicationContext context;

        @Test
        void theApplicationsOwnCapWins() {
            assertThat(maxConnections(context)).isEqualTo(12_345);
        }
    }

    @Test
    void theCapLeavesAtLeast64ConnectionsBesideTheStreams() {
        assertThat(TomcatStreamsCustomizer.connectionsFor(100)).isEqualTo(164);
        assertThat(TomcatStreamsCustomizer.connectionsFor(100_000)).isEqualTo(110_000);
        assertThat(TomcatStreamsCustomizer.connectionsFor(Integer.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }
}
