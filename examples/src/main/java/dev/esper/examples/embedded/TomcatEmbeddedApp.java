package dev.esper.examples.embedded;

import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.servlet.EsperServlet;
import dev.esper.servlet.TomcatConnectorSettings;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.valves.JsonErrorReportValve;

/**
 * An existing Tomcat 11 application that mounts esper at {@code /events/*}.
 *
 * <pre>
 * ESPER_SUBSCRIBER_SECRET=... ESPER_PUBLISHER_SECRET=... java -cp ... dev.esper.examples.embedded.TomcatEmbeddedApp [port [address]]
 * curl -N "http://localhost:8080/events/subscribe/abcdef123?token=$SUB_TOKEN"
 * curl -X POST http://localhost:8080/events/publish/abcdef123 -H "Authorization: Bearer $PUB_TOKEN" -d 'data: hi'
 * </pre>
 * A side whose secret variable is unset is open (and the log says so).
 */
public final class TomcatEmbeddedApp {
    private TomcatEmbeddedApp() {
    }

    /**
     * Starts the app.
     *
     * @param args optional port (default 8080) and address to listen on (default: all)
     * @throws Exception if Tomcat cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
        String address = args.length > 1 ? args[1] : null;

        // 1. The configuration (a side whose secret is unset is open) and the broker, which the app owns.
        EsperConfig config = EsperConfig.builder()
                .subscriberSecret(System.getenv("ESPER_SUBSCRIBER_SECRET"))
                .publisherSecret(System.getenv("ESPER_PUBLISHER_SECRET"))
                .build();
        Broker broker = Broker.builder().config(config).build();

        // 2. Tomcat with its NIO connector, set for many open streams.
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(port);
        if (address != null) {
            connector.setProperty("address", address);
        }
        // snippet:tomcat-connector
        // A connection cap above the streams it must hold (Tomcat's default, 8192, is its limit on open streams;
        // keep the cap below the process's open-files limit) and smaller buffers per connection, which an open
        // stream keeps all the time it is open.
        TomcatConnectorSettings.forStreams(16_000).forEach(connector::setProperty);
        // Idle streams hold no thread, and every request of this app is asynchronous: a small pool does.
        connector.setProperty("maxThreads", "16");
        // end-snippet:tomcat-connector
        tomcat.setConnector(connector);
        // Tomcat's own errors (it refuses a NUL or an encoded '/' in any path itself) as short JSON, not HTML.
        // snippet:tomcat-json-errors
        ((StandardHost) tomcat.getHost()).setErrorReportValveClass(JsonErrorReportValve.class.getName());
        // end-snippet:tomcat-json-errors

        // 3. Mount the servlet, async-supported, in the app's context.
        // snippet:tomcat-mount
        Context context = tomcat.addContext("", null);
        Wrapper esper = Tomcat.addServlet(context, "esper", new EsperServlet(broker, config));
        esper.setAsyncSupported(true);
        esper.setLoadOnStartup(1);
        context.addServletMapping("/events/*", "esper");
        // end-snippet:tomcat-mount

        tomcat.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                tomcat.stop();
            } catch (Exception e) {
                // exiting anyway
            }
            broker.close();
        }, "esper-shutdown"));
        System.out.println("esper on Tomcat: http://localhost:" + connector.getLocalPort() + "/events/stats");
        tomcat.getServer().await();
    }
}
