package dev.esper.spring.boot;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a bad {@code esper.*} property into Spring Boot's start-up failure report ("APPLICATION FAILED TO
 * START"): the problem, then the property to fix. Registered in {@code META-INF/spring.factories}.
 */
final class EsperFailureAnalyzer extends AbstractFailureAnalyzer<InvalidEsperPropertyException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InvalidEsperPropertyException cause) {
        return new FailureAnalysis("esper cannot start: " + cause.getMessage(),
                "Fix or remove the property " + cause.property() + " (esper's properties and their rules:"
                        + " META-INF/spring-configuration-metadata.json in esper-spring-boot-starter, or"
                        + " docs/spring-boot.md).", cause);
    }
}
