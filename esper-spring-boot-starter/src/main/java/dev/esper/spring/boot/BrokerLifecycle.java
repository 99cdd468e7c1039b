package dev.esper.spring.boot;

import dev.esper.broker.Broker;
import org.springframework.context.SmartLifecycle;

/**
 * Closes the broker when the application context closes, before the web server's graceful shutdown: open
 * streams then end at once and cleanly (each sends what it already has, up to two seconds), instead of
 * holding the shutdown for {@code spring.lifecycle.timeout-per-shutdown-phase} and being cut. Its phase puts
 * the stop after the components of the default phase (which may still publish) and before the web server's
 * ({@code WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE}, {@code Integer.MAX_VALUE - 1024}).
 *
 * <p>Thread-safe: the broker's close is idempotent.
 */
final class BrokerLifecycle implements SmartLifecycle {
    /** Stops after the default phase ({@code Integer.MAX_VALUE}), before the web server's graceful shutdown. */
    static final int PHASE = Integer.MAX_VALUE - 512;

    private final Broker broker;

    BrokerLifecycle(Broker broker) {
        this.broker = broker;
    }

    @Override
    public void start() {
        // The broker runs from its construction.
    }

    @Override
    public void stop() {
        broker.close();
    }

    @Override
    public boolean isRunning() {
        return !broker.isClosed();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
