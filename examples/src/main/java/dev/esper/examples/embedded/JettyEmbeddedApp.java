package dev.esper.examples.embedded;

import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.servlet.EsperServlet;
import org.eclipse.jetty.ee10.servlet.ErrorHandler;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An existing Jetty 12 application that mounts esper at {@code /events/*}.
 *
 * <pre>
 * ESPER_PUBLISHER_SECRET=... java -cp ... dev.esper.examples.embedded.JettyEmbeddedApp [port]
 * curl -N http://localhost:8080/events/subscribe/abcdef123
 * curl -X POST http://localhost:8080/events/publish/abcdef123 -H "Authorization: Bearer $TOKEN" -d 'data: hi'
 * </pre>
 * Without {@code ESPER_PUBLISHER_SECRET} publishing is open (and the log says so); subscribing is open.
 */
public final class JettyEmbeddedApp {
    private JettyEmbeddedApp() {
    }

    /**
     * Starts the app.
     *
     * @param args optional port (default 8080)
     * @throws Exception if Jetty cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;

        // 1. The configuration: publishing needs a token signed with ESPER_PUBLISHER_SECRET when that is
        //    set; subscribing is open (no subscriber secret).
        EsperConfig config = EsperConfig.builder()
                .publisherSecret(System.getenv("ESPER_PUBLISHER_SECRET"))
                .build();

        // 2. The broker: the app owns it and closes it after Jetty stops.
        Broker broker = Broker.builder().config(config).build();

        // 3. Jetty: no output aggregation buffer, so an idle stream holds no 32 KiB buffer; and URI rules that
        //    let an encoded '%' or '/' in a topic reach esper, which answers what a topic id is.
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setOutputAggregationSize(0);
        http.setSendServerVersion(false);
        http.setUriCompliance(UriCompliance.DEFAULT.with("esper", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING, UriCompliance.Violation.BAD_PERCENT_ENCODING,
                UriCompliance.Violation.BAD_UTF8_ENCODING));
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setPort(port);
        server.addConnector(connector);

        // 4. Mount the servlet, async-supported, in the app's context next to its other servlets.
        ServletContextHandler context = new ServletContextHandler("/");
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        ServletHolder esper = new ServletHolder("esper", new EsperServlet(broker, config));
        esper.setAsyncSupported(true);
        esper.setInitOrder(1);
        context.addServlet(esper, "/events/*");

        // 5. Plain-text container errors instead of HTML pages: the context's for errors inside it, the server's
        //    for those Jetty answers before any context (a malformed request line, a NUL in a path).
        ErrorHandler errors = new ErrorHandler();
        errors.setDefaultResponseMimeType("text/plain");
        errors.setShowStacks(false);
        context.setErrorHandler(errors);
        org.eclipse.jetty.server.handler.ErrorHandler serverErrors = new org.eclipse.jetty.server.handler.ErrorHandler();
        serverErrors.setDefaultResponseMimeType("text/plain");
        serverErrors.setShowStacks(false);
        server.setErrorHandler(serverErrors);

        server.setHandler(context);
        server.setStopAtShutdown(true);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "esper-shutdown"));
        server.start();
        System.out.println("esper on Jetty: http://localhost:" + connector.getLocalPort() + "/events/stats");
        server.join();
    }
}
