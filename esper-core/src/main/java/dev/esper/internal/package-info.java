/**
 * Helpers the core's packages share and users do not name (the little JSON esper writes). Not exported by
 * the {@code dev.esper.core} module: no compatibility promise.
 */
package dev.esper.internal;
