package dev.esper.servlet;

import dev.esper.broker.Broker;
import jakarta.servlet.http.HttpServlet;

/** STUB (to be completed by the servlet work). Signatures are the contract. */
public final class EsperServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient Broker broker;
    private final transient EsperServletConfig config;

    /** Declarative use (web.xml): builds its own broker from init parameters in init(). */
    public EsperServlet() {
        this.broker = null;
        this.config = null;
    }

    /** Programmatic use: serves the given broker; the caller owns and closes it. */
    public EsperServlet(Broker broker, EsperServletConfig config) {
        this.broker = broker;
        this.config = config;
    }
}
