package dev.esper.standalone;

import dev.esper.auth.AccessPolicy;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.http.HttpApi;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;

/**
 * For the servlet module's contract suites (run here against {@link EsperHandler}): a Jetty server on
 * 127.0.0.1 with the handler under a path prefix, configured as {@link EsperServer} configures its own.
 */
public final class CoreHandlerServer {
    private CoreHandlerServer() {
    }

    /**
     * Starts a server on an ephemeral port.
     *
     * @param prefix where the API is mounted, e.g. {@code /app}, or {@code ""} for the root
     * @return the started server; its first connector's local port is where it listens
     */
    public static Server start(Broker broker, EsperConfig config, AccessPolicy policy, String prefix)
            throws Exception {
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setOutputAggregationSize(0);
        http.setRequestHeaderSize(EsperServer.REQUEST_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setUriCompliance(EsperServer.URI_COMPLIANCE);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        EsperHandler esper = new EsperHandler(HttpApi.create(broker, config, policy), 0);
        server.setHandler(prefix.isEmpty() ? esper : new ContextHandler(esper, prefix));
        server.setErrorHandler(new TextErrorHandler());
        server.start();
        return server;
    }

    /** The port a server started here listens on. */
    public static int port(Server server) {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }
}
