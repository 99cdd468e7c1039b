package dev.esper.standalone;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's connector: Jetty's {@link ServerConnector} with one accepting thread, which says in one line,
 * at most once every {@value #LOG_EVERY_SECONDS} s, that accepting fails, and asks for room. Jetty's own
 * handling ({@code AbstractConnector.handleAcceptFailure}) logs {@code Accept Failure} with a stack trace and
 * sleeps a second, for every failure: at the open-files limit ({@code EMFILE}) that is a stack trace a second
 * for as long as it lasts. Here a failure to accept while running (other than an interrupt or the channel
 * closing, left to Jetty) is logged as one line with the count since the last, idle connections are closed
 * to make room ({@link #onAcceptFailure}), and accepting is tried again after {@value #RETRY_MILLIS} ms.
 *
 * <p>A cleartext connection is set up on the selector thread that will serve it. Jetty's selector registers an
 * accepted channel, then hands the rest of the set-up (the end point, the HTTP connection, its first read
 * interest) to a pool thread ({@code ManagedSelector.Accept}), which wakes a sleeping thread and then wakes the
 * selector again: two thread switches per connection, most of the cost of a connection on a loaded machine.
 * That set-up creates objects and registers interest and does not block, so here it runs where the selector
 * asked for it ({@link Manager#execute}); the interest it registers is picked up in the same selector loop. With
 * TLS the set-up creates an {@code SSLEngine}, which is heavier, and Jetty's hand-off is kept. See
 * docs/performance.md, "Connection set-up".
 *
 * <p>Thread-safe: failures are handled on the accepting thread; the room-maker is set before start.
 */
final class EsperConnector extends ServerConnector {
    static final long LOG_EVERY_SECONDS = 10;
    static final long RETRY_MILLIS = 250;
    private static final Logger LOG = LoggerFactory.getLogger("esper");

    private final EveryFewSeconds logLimit = new EveryFewSeconds(TimeUnit.SECONDS.toNanos(LOG_EVERY_SECONDS));
    private volatile Runnable makeRoom = () -> { };

    EsperConnector(Server server, int selectors, ConnectionFactory... factories) {
        super(server, 1, selectors, factories);
    }

    @Override
    protected SelectorManager newSelectorManager(Executor executor, Scheduler scheduler, int selectors) {
        return new Manager(executor, scheduler, selectors);
    }

    /** Whether connections are set up on the selector thread: plain HTTP, whose set-up is light. */
    boolean setsUpOnSelector() {
        return getDefaultConnectionFactory() instanceof HttpConnectionFactory;
    }

    /**
     * Jetty's selector manager for this connector, which runs the set-up of an accepted cleartext connection
     * on the selector thread that asks for it instead of a pool thread. Every other task goes to the pool.
     */
    final class Manager extends ServerConnectorManager {
        Manager(Executor executor, Scheduler scheduler, int selectors) {
            super(executor, scheduler, selectors);
        }

        @Override
        protected void execute(Runnable task) {
            if (task.getClass() == ACCEPT && setsUpOnSelector()) {
                task.run();
            } else {
                super.execute(task);
            }
        }
    }

    /**
     * Jetty's task that sets up an accepted connection ({@code ManagedSelector.Accept}, not public), or null if
     * this Jetty has none, when every task goes to the pool as Jetty does it.
     */
    static final Class<?> ACCEPT = acceptTask();

    private static Class<?> acceptTask() {
        try {
            return Class.forName("org.eclipse.jetty.io.ManagedSelector$Accept", false,
                    SelectorManager.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    /** What to run when accepting fails (closing idle connections); set before start. */
    void onAcceptFailure(Runnable makeRoom) {
        this.makeRoom = makeRoom;
    }

    @Override
    protected boolean handleAcceptFailure(Throwable failure) {
        if (!isRunning() || failure instanceof InterruptedException || failure instanceof ClosedChannelException) {
            return super.handleAcceptFailure(failure);
        }
        long failures = logLimit.add(System.nanoTime(), 1);
        if (failures > 0) {
            LOG.warn("cannot accept connections: {} ({} time(s) since the last such line; {} connection(s) open); "
                    + "closing idle connections to make room", reason(failure), failures,
                    getConnectedEndPoints().size());
        }
        makeRoom.run();
        try {
            Thread.sleep(RETRY_MILLIS);
            return true;
        } catch (InterruptedException e) {
            // Stopping: Jetty interrupts its acceptors, and its own handling ends the accept loop here too.
            return false;
        }
    }

    /** The failure's message without its class name or stack ("Too many open files"). */
    private static String reason(Throwable failure) {
        String message = failure.getMessage();
        return message == null ? failure.getClass().getSimpleName() : message;
    }
}
