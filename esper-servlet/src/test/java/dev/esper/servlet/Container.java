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

    /** The container's name, for messages. */
    String name();

    @Override
    void close();
}
