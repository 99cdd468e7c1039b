package dev.esper.servlet;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures every java.util.logging record while open: esper's own loggers at every level, and the
 * containers' (Tomcat's JULI and Jetty through slf4j-jdk14) at their configured levels.
 */
final class LogCapture extends Handler implements AutoCloseable {
    private final List<String> lines = new ArrayList<>();
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final Logger esper = Logger.getLogger("dev.esper");
    private Level esperLevel;

    private LogCapture() {
    }

    static LogCapture start() {
        LogCapture c = new LogCapture();
        c.setLevel(Level.ALL);
        c.esperLevel = c.esper.getLevel();
        c.esper.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(c);
        return c;
    }

    @Override
    public synchronized void publish(LogRecord record) {
        lines.add(formatter.format(record));
    }

    synchronized String text() {
        return String.join("", lines);
    }

    @Override
    public void flush() {
        // nothing buffered
    }

    @Override
    public void close() {
        Logger.getLogger("").removeHandler(this);
        esper.setLevel(esperLevel);
    }
}
