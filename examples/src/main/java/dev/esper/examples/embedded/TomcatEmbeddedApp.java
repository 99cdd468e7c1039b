package dev.esper.examples.embedded;

import dev.esper.auth.AccessPolicy;
import dev.esper.auth.Secret;
import dev.esper.auth.Side;
import dev.esper.broker.Broker;
import dev.esper.servlet.EsperServlet;
import dev.esper.servlet.EsperServletConfig;
import dev.esper.jwt.JwtVerifier;
import java.nio.file.Files;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;

/**
 * An existing Tomcat 11 application that mounts esper at {@code /events/*}.
 *
 * <pre>
 * ESPER_SUBSCRIBER_SECRET=... ESPER_PUBLISHER_SECRET=... java -cp ... dev.esper.examples.embedded.TomcatEmbeddedApp [port]
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
     * @param args optional port (default 8080)
     * @throws Exception if Tomcat cannot start
     */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;

        // 1. The broker (the app owns it) and the access policy, each side protected or opened by name.
        Broker broker = Broker.builder().build();
        AccessPolicy.Builder policy = AccessPolicy.builder();
        side(policy, Side.SUBSCRIBER, "ESPER_SUBSCRIBER_SECRET");
        side(policy, Side.PUBLISHER, "ESPER_PUBLISHER_SECRET");
        EsperServletConfig config = EsperServletConfig.builder().accessPolicy(policy.build()).build();

        // 2. Tomcat with its NIO connector.
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(Files.createTempDirectory("tomcat").toString());
        Connector connector = new Connector();
        connector.setPort(port);
        tomcat.setConnector(connector);

        // 3. Mount the servlet, async-supported, in the app's context.
        Context context = tomcat.addContext("", null);
        Wrapper esper = Tomcat.addServlet(context, "esper", new EsperServlet(broker, config));
        esper.setAsyncSupported(true);
        esper.setLoadOnStartup(1);
        context.addServletMapping("/events/*", "esper");

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

    private static void side(AccessPolicy.Builder policy, Side side, String variable) {
        String secret = System.getenv(variable);
        if (secret == null || secret.isEmpty()) {
            policy.open(side);
        } else {
            policy.protect(side, JwtVerifier.hmac(Secret.of(variable, secret)));
        }
    }
}
