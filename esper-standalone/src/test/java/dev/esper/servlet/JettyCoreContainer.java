package dev.esper.servlet;

import dev.esper.standalone.CoreHandlerServer;
import jakarta.servlet.http.HttpServlet;
import java.util.Map;
import org.eclipse.jetty.server.Server;

/**
 * The standalone server's Jetty core handler as a "container" for the servlet contract suites: it takes the
 * broker and configuration of the programmatic {@link EsperServlet} it is given and serves them with the
 * handler, mounted where the servlet would have been.
 */
final class JettyCoreContainer implements Container {
    private Server server;

    @Override
    public int start(String contextPath, Map<String, HttpServlet> mounts, Map<String, String> initParams)
            throws Exception {
        if (mounts.size() != 1 || !initParams.isEmpty()) {
            throw new IllegalArgumentException("the core handler serves one programmatic servlet's broker");
        }
        Map.Entry<String, HttpServlet> mount = mounts.entrySet().iterator().next();
        EsperServlet servlet = (EsperServlet) mount.getValue();
        String pattern = mount.getKey();
        if (!pattern.endsWith("/*")) {
            throw new IllegalArgumentException("only prefix mappings: " + pattern);
        }
        String prefix = contextPath + pattern.substring(0, pattern.length() - 2);
        server = CoreHandlerServer.start(servlet.broker(), servlet.config(), servlet.accessPolicy(), prefix);
        return CoreHandlerServer.port(server);
    }

    @Override
    public boolean runsServlets() {
        return false;
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
