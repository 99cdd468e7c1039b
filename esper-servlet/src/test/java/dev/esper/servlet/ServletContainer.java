package dev.esper.servlet;

import dev.esper.auth.AccessPolicy;
import dev.esper.broker.Broker;
import dev.esper.config.EsperConfig;
import dev.esper.jwt.JwtVerifier;
import dev.esper.testsupport.FrontEnd;
import jakarta.servlet.http.HttpServlet;
import java.util.Map;

/**
 * An embedded servlet container the suites mount servlets in, as a user would: as a {@link FrontEnd}, the
 * programmatic {@link EsperServlet}; and any servlets, with init parameters (declarative mode, a container's
 * internals).
 */
interface ServletContainer extends FrontEnd {
    /**
     * Starts on an ephemeral port with one context.
     *
     * @param contextPath e.g. {@code /app}, or {@code ""} for the root context
     * @param mounts url pattern (e.g. {@code /*}) to servlet, registered async-supported
     * @param initParams init parameters for every servlet (declarative mode)
     * @return the port
     */
    int mount(String contextPath, Map<String, HttpServlet> mounts, Map<String, String> initParams) throws Exception;

    /** Mounts {@code new EsperServlet(broker, config, policy)} at {@code pattern}. */
    @Override
    default int start(String contextPath, String pattern, Broker broker, EsperConfig config, AccessPolicy policy)
            throws Exception {
        return mount(contextPath, Map.of(pattern, new EsperServlet(broker, config, policy)), Map.of());
    }

    /** As the declarative servlet builds it from its init parameters. */
    @Override
    default AccessPolicy accessPolicy(EsperConfig config) {
        return JwtVerifier.accessPolicy(config);
    }
}
