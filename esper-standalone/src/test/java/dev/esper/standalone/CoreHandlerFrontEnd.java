package dev.esper.standalone;

import dev.esper.auth.AccessPolicy;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.http.HttpApi;
import dev.esper.jwt.JwtVerifier;
import dev.esper.testsupport.FrontEnd;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;

/**
 * The standalone server's Jetty core handler as a front end for the contract suites: {@link EsperHandler} on
 * a Jetty server on 127.0.0.1, configured as {@link EsperServer} configures its own, under the mount's path
 * prefix.
 */
final class CoreHandlerFrontEnd implements FrontEnd {
    private Server server;

    @Override
    public int start(String contextPath, String pattern, Broker broker, EsperConfig config, AccessPolicy policy)
            throws Exception {
        if (!pattern.endsWith("/*")) {
            throw new IllegalArgumentException("only prefix mappings: " + pattern);
        }
        String prefix = contextPath + pattern.substring(0, pattern.length() - 2);
        server = new Server();
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
        server.setErrorHandler(new TextErrorHandler(broker::recordRejected));
        server.start();
        return connector.getLocalPort();
    }

    /** As the command line builds it from its options. */
    @Override
    public AccessPolicy accessPolicy(EsperConfig config) {
        return JwtVerifier.accessPolicy(config);
    }

    /** Jetty's request handling refuses a NUL in a decoded path before any handler, whatever the URI rules. */
    @Override
    public boolean refusesInPaths(String escape) {
        return escape.equals("%00");
    }

    @Override
    public String name() {
        return "Jetty 12 core handler";
    }

    @Override
    public void close() {
        if (server != null) {
            Server s = server;
            server = null;
            try {
                s.stop();
            } catch (Exception e) {
                throw new IllegalStateException("Jetty did not stop", e);
            }
        }
    }
}
