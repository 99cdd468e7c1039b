package dev.esper.broker;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A topic's subscribers (their streams' {@link Member}s for this topic), split into stripes (one per delivery
 * thread) so that the fan-out of one publish to many subscribers runs on several threads at once: each stripe is
 * fanned out by its own task. A member stays in the stripe it was given. A multi-topic stream is here once, as
 * one subscriber of this topic. Thread-safe.
 */
final class SubscriberSet implements Iterable<Member> {
    private final List<Set<Member>> stripes;
    /** Per stripe: a fan-out pass is queued and has not started yet. */
    private final AtomicBoolean[] queued;
    private final AtomicInteger next = new AtomicInteger();

    SubscriberSet(int stripeCount) {
        stripes = new ArrayList<>(stripeCount);
        queued = new AtomicBoolean[stripeCount];
        for (int i = 0; i < stripeCount; i++) {
            stripes.add(ConcurrentHashMap.newKeySet());
            queued[i] = new AtomicBoolean();
        }
    }

    /** The stripe for a new subscriber (round robin). */
    int nextStripe() {
        return Math.floorMod(next.getAndIncrement(), stripes.size());
    }

    int stripeCount() {
        return stripes.size();
    }

    Set<Member> stripe(int i) {
        return stripes.get(i);
    }

    AtomicBoolean queued(int i) {
        return queued[i];
    }

    boolean add(Member s) {
        return stripes.get(s.stripe).add(s);
    }

    boolean remove(Member s) {
        return stripes.get(s.stripe).remove(s);
    }

    boolean isEmpty() {
        for (Set<Member> s : stripes) {
            if (!s.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    int size() {
        int n = 0;
        for (Set<Member> s : stripes) {
            n += s.size();
        }
        return n;
    }

    /** Weakly consistent, like the sets it walks. */
    @Override
    public Iterator<Member> iterator() {
        return new Iterator<>() {
            private int stripe;
            private Iterator<Member> current = stripes.get(0).iterator();

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    if (++stripe >= stripes.size()) {
                        return false;
                    }
                    current = stripes.get(stripe).iterator();
                }
                return true;
            }

            @Override
            public Member next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return current.next();
            }
        };
    }
}
