package dev.esper.auth;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** An {@link InstantSource} the test sets by hand. */
final class MutableInstantSource implements InstantSource {
    private Instant now;

    MutableInstantSource(Instant start) {
        this.now = start;
    }

    @Override
    public Instant instant() {
        return now;
    }

    void set(Instant instant) {
        now = instant;
    }

    void advance(Duration d) {
        now = now.plus(d);
    }
}
