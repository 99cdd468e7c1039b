package dev.esper.servlet;

import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import jakarta.servlet.http.HttpServlet;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** Embedded Jetty 12 (ee10), with Jetty's defaults, as a user's existing app would have it. */
final class JettyContainer implements ServletContainer {
    private Server server;

    @Override
    public int mount(String contextPath, Map<String, HttpServlet> mounts, Map<String, String> initParams)
            throws Exception {
        server = new Server();
        // As the servlet guide advises: Jetty's URI rules less those about a path's encoding, so that an encoded
        // '%', '/' or NUL in a topic reaches the servlet and gets its 400.
        HttpConfiguration http = new HttpConfiguration();
        http.setUriCompliance(UriCompliance.DEFAULT.with("esper", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR,
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING, UriCompliance.Violation.BAD_PERCENT_ENCODING,
                UriCompliance.Violation.BAD_UTF8_ENCODING, UriCompliance.Violation.SUSPICIOUS_PATH_CHARACTERS,
                UriCompliance.Violation.ILLEGAL_PATH_CHARACTERS));
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setPort(0);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(contextPath.isEmpty() ? "/" : contextPath);
        context.getServletHandler().setDecodeAmbiguousURIs(true);
        mounts.forEach((pattern, servlet) -> {
            ServletHolder holder = new ServletHolder(servlet);
            holder.setAsyncSupported(true);
            holder.setInitOrder(1);
            holder.setInitParameters(initParams);
            context.addServlet(holder, pattern);
        });
        // As the README advises: plain-text container errors (a malformed request, an ambiguous path).
        org.eclipse.jetty.ee10.servlet.ErrorHandler errors = new org.eclipse.jetty.ee10.servlet.ErrorHandler();
        errors.setDefaultResponseMimeType("text/plain");
        errors.setShowStacks(false);
        context.setErrorHandler(errors);
        org.eclipse.jetty.server.handler.ErrorHandler serverErrors = new org.eclipse.jetty.server.handler.ErrorHandler();
        serverErrors.setDefaultResponseMimeType("text/plain");
        serverErrors.setShowStacks(false);
        server.setErrorHandler(serverErrors);
        server.setHandler(context);
        server.start();
        return connector.getLocalPort();
    }

    /** Jetty's servlet layer refuses a NUL in a decoded path whatever the URI rules allow. */
    @Override
    public boolean refusesInPaths(String escape) {
        return escape.equals("%00");
    }

    @Override
    public String name() {
        return "Jetty 12";
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
