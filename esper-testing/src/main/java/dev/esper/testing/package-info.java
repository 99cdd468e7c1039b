/** Test helpers: start a real esper in a user's JUnit test and read its events. */
package dev.esper.testing;
