package dev.esper.broker;

/**
 * Hears what a broker's counters cannot say: how long each publish took, and each request a front end refused,
 * as it happens. A metrics adapter turns these into a histogram and counters (esper-micrometer's
 * {@code EsperMetrics} does). Add one with {@link Broker#addListener}.
 *
 * <p>Methods are called on the thread where the event happens (a publishing thread, a transport's thread, a
 * front end's thread), possibly several at once: they must be thread-safe, quick, and must not block. An
 * exception thrown by a listener is ignored and never reaches the publisher or the client. Both methods do
 * nothing by default.
 */
public interface BrokerListener {
    /**
     * A publish completed: its events have their place in the topic's order, or it was refused (a limit, a
     * transport that is down, the broker shutting down).
     *
     * @param durationNanos from the call to {@code publish}/{@code publishAsync} to its outcome
     * @param events the events of the batch
     * @param published true if it was published, false if it was refused
     */
    default void publishHandled(long durationNanos, int events, boolean published) {
    }

    /**
     * A front end refused a request with this status ({@link Broker#recordRejected}).
     *
     * @param status a 4xx or 5xx HTTP status
     */
    default void requestRejected(int status) {
    }
}
