package dev.esper;

/**
 * Root of every exception esper throws on purpose. Each carries the HTTP status an adapter answers
 * with and a short, human-readable reason that is safe to send to the client and to log: it never
 * contains a token or a secret.
 *
 * <p>Subclasses exist only where callers handle the failure differently; match on the type or on
 * {@link #status()}, never on the message text.
 */
public class EsperException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    /**
     * Creates an exception.
     *
     * @param status the HTTP status that answers a request failing this way (e.g. 400)
     * @param reason a one-line reason naming what was wrong and what is allowed; not null
     */
    public EsperException(int status, String reason) {
        super(reason);
        this.status = status;
    }

    /** The HTTP status that answers a request failing this way. */
    public int status() {
        return status;
    }

    /** The one-line reason, safe for a response body and a log line. */
    public String reason() {
        return getMessage();
    }
}
