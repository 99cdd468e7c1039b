package dev.esper.spring.boot;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches unless {@code esper.enabled=false}. Stricter than {@code @ConditionalOnBooleanProperty}: a value that
 * is neither {@code true} nor {@code false} fails start-up naming the property instead of turning esper off.
 */
final class EsperEnabledCondition extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return EsperProperties.enabled(context.getEnvironment())
                ? ConditionOutcome.match(EsperProperties.ENABLED + " is not false")
                : ConditionOutcome.noMatch(EsperProperties.ENABLED + " is false");
    }
}
