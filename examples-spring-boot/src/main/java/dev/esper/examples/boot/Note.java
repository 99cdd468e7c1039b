package dev.esper.examples.boot;

import java.time.Instant;

/**
 * A saved note.
 *
 * @param id its row id
 * @param text 1 to {@link NoteService#MAX_LENGTH} characters
 * @param createdAt when it was saved
 */
public record Note(long id, String text, Instant createdAt) {
}
