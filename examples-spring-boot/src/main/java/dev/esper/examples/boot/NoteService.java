package dev.esper.examples.boot;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Notes in the database. Knows nothing of esper: it announces a save, {@link NoteFeed} pushes it. */
@Service
public class NoteService {
    /** The longest note, in characters. */
    public static final int MAX_LENGTH = 500;

    private final JdbcClient jdbc;
    private final ApplicationEventPublisher events;

    NoteService(JdbcClient jdbc, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    /**
     * Saves a note, in a transaction, and announces it ({@link NoteSaved}) within that transaction.
     *
     * @param text the note; stripped, then 1 to {@link #MAX_LENGTH} characters
     * @return the saved note
     * @throws IllegalArgumentException if the text is blank or too long
     */
    @Transactional
    public Note save(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty() || t.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a note is 1 to " + MAX_LENGTH + " characters, was " + t.length());
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        KeyHolder key = new GeneratedKeyHolder();
        jdbc.sql("insert into note (text, created_at) values (?, ?)").params(t, Timestamp.from(now)).update(key, "id");
        Note note = new Note(key.getKeyAs(Long.class), t, now);
        events.publishEvent(new NoteSaved(note));
        return note;
    }

    /** The latest notes, newest first. */
    @Transactional(readOnly = true)
    public List<Note> latest(int n) {
        return jdbc.sql("select id, text, created_at from note order by id desc limit ?").param(n)
                .query((rs, row) -> new Note(rs.getLong("id"), rs.getString("text"),
                        rs.getTimestamp("created_at").toInstant()))
                .list();
    }
}
