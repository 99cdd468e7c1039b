package dev.esper.standalone;

import java.nio.channels.ClosedChannelException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
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
