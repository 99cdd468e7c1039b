package dev.esper.servlet;

import jakarta.servlet.http.HttpServlet;
import java.util.Map;

/** An embedded servlet container the suite mounts servlets in, as a user would. */
interface Container extends AutoCloseable {
    /**
     * Starts on an ephemeral port with one context.
     *
     * @param contextPath e.g. {@code /app}, or {@code ""} for the root context
     * @param mounts url pattern (e.g. {@code /*}) to servlet, registered async-supported
     * @param initParams init parameters for every servlet (declarative mode)
     * @return the port
     */
    int start(String contextPath, Map<String, HttpServlet> mounts, Map<String, String> initParams) throws Exception;

    /**
     * Whether this container runs the servlets it is given as servlets (init parameters, {@code init()},
     * the servlet's own log lines). A container that serves the same API another way (the standalone
     * server's Jetty core handler) takes the broker and configuration from the programmatic servlet only.
     */
    default boolean runsServlets() {
        return true;
    }

    /**
     * Whether the container itself refuses a path holding this escape (e.g. {@code %00}), with its own short
     * {@code 400}, before any servlet sees the request. Tomcat does so for {@code %00}, {@code %2F}
     * and bytes that are not UTF-8; Jetty's servlet layer for {@code %00}.
     */
    default boolean refusesInPaths(String escape) {
        return false;
    }

    /** The container's name, for messages. */
    String name();

    @Override
    void close();
}
