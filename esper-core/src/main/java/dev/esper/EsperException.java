package dev.esper;

import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

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

    /**
     * The failure behind the wrappers of asynchronous code: the cause of a {@link CompletionException} or
     * {@link ExecutionException}, unwrapped repeatedly, or {@code failure} itself when it is neither (or
     * is one without a cause). Use it on what a {@code CompletionStage} or {@code Future} fails with, to
     * find the {@link EsperException} (or other exception) that was actually thrown.
     *
     * <p>Stateless and thread-safe.
     *
     * @param failure the failure; not null
     * @return the innermost cause that is not such a wrapper; never null
     * @throws NullPointerException if {@code failure} is null
     */
    public static Throwable unwrap(Throwable failure) {
        Throwable f = Objects.requireNonNull(failure, "failure");
        while ((f instanceof CompletionException || f instanceof ExecutionException) && f.getCause() != null) {
            f = f.getCause();
        }
        return f;
    }
}
