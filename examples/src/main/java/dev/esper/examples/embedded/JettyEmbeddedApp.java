package dev.esper.examples.embedded;

import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.servlet.EsperServlet;
import java.util.List;
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
 * ESPER_PUBLISHER_SECRET=... java -cp ... dev.esper.examples.embedded.JettyEmbeddedApp [port [address]]
 * curl -N http://localhost:8080/events/subscribe/abcdef123
 * curl -X POST http://localhost:8080/events/publish/abcdef123 -H "Authorization: Bearer $TOKEN" -d 'data: hi'
 * </pre>
 * A side whose secret variable ({@code ESPER_SUBSCRIBER_SECRET}, {@code ESPER_PUBLISHER_SECRET}) is unset is
 * open (and the log says so). Browsers may call it from {@code https://app.example.com} only.
 */
public final class JettyEmbeddedApp {
    private JettyEmbeddedApp() {
    }

    /**
     * Starts the app.
     *
     * @param args optional port (default 8080) and address to listen on (default: all)
     * @throws Exception if Jetty cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        String address = args.length > 1 ? args[1] : null;

        // 1. The configuration, the broker (the app owns it and closes it after Jetty stops) and the servlet.
        // snippet:programmatic
        EsperConfig config = EsperConfig.builder()
                .subscriberSecret(System.getenv("ESPER_SUBSCRIBER_SECRET"))   // null or empty: that side is open
                .publisherSecret(System.getenv("ESPER_PUBLISHER_SECRET"))
                .corsOrigins(List.of("https://app.example.com"))             // default "*"
                .build();                                                    // checks every value
        Broker broker = Broker.builder().config(config).build();   // yours: close it after the container stops
        EsperServlet servlet = new EsperServlet(broker, config);
        // end-snippet:programmatic

        // snippet:jetty
        // 2. Jetty: no output aggregation buffer, so an idle stream holds no 32 KiB buffer.
        Server server = new Server();
        HttpConfiguration http = new HttpConfiguration();
        http.setOutputAggregationSize(0);
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setPort(port);
        connector.setHost(address);                               // null: every interface
        server.addConnector(connector);

        // 3. Mount the servlet, async-supported, in the app's context next to its other servlets.
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder esper = new ServletHolder("esper", servlet);
        esper.setAsyncSupported(true);
        esper.setInitOrder(1);
        context.addServlet(esper, "/events/*");
        server.setHandler(context);

        // 4. URI rules that let an encoded '%' or '/' in a topic reach esper, which answers what a topic id is.
        // snippet:jetty-uris
        http.setUriCompliance(UriCompliance.DEFAULT.with("esper",
                UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR, UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING,
                UriCompliance.Violation.BAD_PERCENT_ENCODING, UriCompliance.Violation.BAD_UTF8_ENCODING));
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        // end-snippet:jetty-uris

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

        // 6. Start; on shutdown Jetty stops first, then the broker closes.
        server.setStopAtShutdown(true);
        Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "esper-shutdown"));
        server.start();
        // end-snippet:jetty
        System.out.println("esper on Jetty: http://localhost:" + connector.getLocalPort() + "/events/stats");
        server.join();
    }
}
