package dev.esper.servlet;

import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.JsonErrorReportValve;
import org.apache.coyote.AbstractProtocol;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.catalina.startup.Tomcat;

/** Embedded Tomcat 11 with its defaults (NIO connector), as a user's existing app would have it. */
final class TomcatContainer implements ServletContainer {
    private final Map<String, String> connectorProperties;
    /** Whether a filter wraps every request in a plain HttpServletRequestWrapper, as frameworks' filters do. */
    private boolean wrapRequests;
    private Tomcat tomcat;
    private Path baseDir;

    TomcatContainer() {
        this(Map.of());
    }

    /** With connector properties as in {@code server.xml} (e.g. {@code connectionTimeout}). */
    TomcatContainer(Map<String, String> connectorProperties) {
        this.connectorProperties = Map.copyOf(connectorProperties);
    }

    /** Puts a filter in front of the servlets that wraps each request in an {@link HttpServletRequestWrapper}. */
    TomcatContainer wrappingRequests() {
        this.wrapRequests = true;
        return this;
    }

    /** Requests the connector holds as asynchronous requests now (Tomcat's waiting processors). */
    int asynchronousRequests() {
        return ((AbstractProtocol<?>) tomcat.getConnector().getProtocolHandler()).getWaitingProcessorCount();
    }

    @Override
    public int mount(String contextPath, Map<String, HttpServlet> mounts, Map<String, String> initParams)
            throws Exception {
        baseDir = Files.createTempDirectory("esper-tomcat");
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(0);
        connector.setProperty("address", "127.0.0.1");
        connectorProperties.forEach((k, v) -> {
            if (!connector.setProperty(k, v)) {
                throw new IllegalArgumentException("unknown connector property " + k);
            }
        });
        tomcat.setConnector(connector);
        // As the servlet guide advises: Tomcat's own errors (it refuses an encoded NUL or '/' in any path
        // itself) as short JSON, not an HTML page.
        ((StandardHost) tomcat.getHost()).setErrorReportValveClass(JsonErrorReportValve.class.getName());
        Context context = tomcat.addContext(contextPath, null);
        if (wrapRequests) {
            FilterDef wrap = new FilterDef();
            wrap.setFilterName("wrap");
            wrap.setFilter((Filter) (req, resp, chain) -> chain.doFilter(new HttpServletRequestWrapper(
                    (HttpServletRequest) req), resp));
            wrap.setAsyncSupported("true");
            context.addFilterDef(wrap);
            FilterMap all = new FilterMap();
            all.setFilterName("wrap");
            all.addURLPattern("/*");
            context.addFilterMap(all);
        }
        int i = 0;
        for (Map.Entry<String, HttpServlet> m : mounts.entrySet()) {
            String name = "esper" + i++;
            Wrapper w = Tomcat.addServlet(context, name, m.getValue());
            w.setAsyncSupported(true);
            w.setLoadOnStartup(1);
            initParams.forEach(w::addInitParameter);
            context.addServletMapping(m.getKey(), name);
        }
        tomcat.start();
        return connector.getLocalPort();
    }

    @Override
    public String name() {
        return "Tomcat 11";
    }

    @Override
    public boolean refusesInPaths(String escape) {
        // A NUL, an encoded '/' (encodedSolidusHandling=reject, the default) and bytes that are not UTF-8.
        return escape.equals("%00") || escape.equalsIgnoreCase("%2F") || escape.equals("%C3%28");
    }

    /** A response whose connection closes after it is written until the close, not chunked. */
    @Override
    public boolean endsStreamsWithAFinalChunk() {
        return false;
    }

    @Override
    public void close() {
        if (tomcat != null) {
            Tomcat t = tomcat;
            tomcat = null;
            try {
                t.stop();
                t.destroy();
            } catch (Exception e) {
                throw new IllegalStateException("Tomcat did not stop", e);
            }
        }
        if (baseDir != null) {
            Path dir = baseDir;
            baseDir = null;
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.IOException e) {
                // A temporary directory left behind is harmless.
            }
        }
    }
}
