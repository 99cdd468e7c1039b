package dev.esper.spring.boot;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code esper.redis-url} (or its other name, {@code esper.redis}) is set and not empty. */
final class RedisUrlCondition extends SpringBootCondition {
    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return EsperProperties.redisUrl(context.getEnvironment()).isPresent()
                ? ConditionOutcome.match("esper.redis-url is set")
                : ConditionOutcome.noMatch("esper.redis-url is not set");
    }
}
