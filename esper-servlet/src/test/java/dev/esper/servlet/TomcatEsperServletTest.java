package dev.esper.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.esper.broker.Broker;
import dev.esper.testsupport.ApiFixture;
import dev.esper.testsupport.RawHttp;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The behaviour suite on embedded Tomcat with the connector settings the servlet guide gives
 * ({@link TomcatConnectorSettings}: smaller socket and header buffers), and what is Tomcat's own. The
 * authorisation matrix ({@link TomcatAuthMatrixTest}) runs on Tomcat's defaults.
 */
class TomcatEsperServletTest extends ServletContract {
    @Override
    protected ServletContainer frontEnd() {
        return new TomcatContainer(TomcatConnectorSettings.forStreams(1_000));
    }

    /**
     * The connection watch's pending read must not inherit the connector's read timeout: with it, Tomcat's
     * poller failed the read after {@code connectionTimeout} of client silence (which is normal on a stream)
     * and the stream of a present client was ended.
     */
    @Test
    void anIdleStreamOutlivesTheConnectorsConnectionTimeout() throws Exception {
        server = ApiFixture.start(new TomcatContainer(Map.of("connectionTimeout", "300")),
                Broker.builder().heartbeat(Duration.ofSeconds(60)).build(), openConfig().build());
        RawHttp stream = server.subscribe("/subscribe/" + TOPIC);

        Thread.sleep(2_500);

        assertThat(server.clients()).isEqualTo(1);
        server.publish(TOPIC, "data: still here");
        assertThat(stream.awaitBody("data: still here\n\n", Duration.ofSeconds(3))).endsWith("data: still here\n\n");
    }
}
