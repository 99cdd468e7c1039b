package dev.esper.examples.boot;

/**
 * Published (as a Spring application event) inside the transaction that saves a note.
 *
 * @param note the note
 */
public record NoteSaved(Note note) {
}
