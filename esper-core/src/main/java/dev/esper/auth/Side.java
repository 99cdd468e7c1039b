package dev.esper.auth;

/** The two sides a secret can protect. */
public enum Side {
    /** {@code GET /subscribe/{topic}}. */
    SUBSCRIBER,
    /** {@code POST /publish/{topic}} and {@code GET /stats}. */
    PUBLISHER
}
