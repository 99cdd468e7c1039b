package dev.esper.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The two Lua scripts that make Redis the single place where a topic's order is fixed. Each runs
 * atomically, so a publish (id assignment, retention, fan-out message) is never seen half done, and a
 * fetch (counter and retained events) is a consistent cut of the order.
 *
 * <p>Keys of a topic share the hash tag {@code {topic}}, so the scripts also pass Redis Cluster's one-slot
 * rule. Numbers beyond 2^31 are formatted with {@code %.0f}: Lua 5.1 would print them in exponent form.
 */
final class Scripts {
    /**
     * KEYS: counter, stream, and the idempotency key's when the publish has one. ARGV: channel, history size,
     * history ttl (ms), then id, name, retry, data per event ({@code ""} for none). Returns the first event's
     * sequence number as a decimal string. With an idempotency key that a publish already used (within the
     * history ttl, or 300 s when history does not expire), it publishes nothing and returns that publish's first
     * sequence number, so that every node answers a repeat with the first publish's ids.
     *
     * <p>Sequence numbers come from the counter, never below Redis' clock in ms times 1000: they increase
     * per topic and stay above those a lost counter (Redis restarted without persistence, key expired) had
     * handed out, unless more than 1000 events per ms were published. An event without an id gets its
     * sequence number as id. The pub/sub message is {@code first\n} then, per event, each of id, name,
     * retry, data as {@code <bytes>:<value>}.
     *
     * <p>Each retained entry also holds {@code p}, the sequence number of the topic's event before it (the
     * counter's value before the publish; when there was no counter, the entry's own minus one, which is at
     * least every earlier one): once older entries are trimmed, the oldest entry left says exactly up to where
     * the topic's events are gone (its <em>floor</em>, see {@link #FETCH}).
     */
    static final Scripts.Script PUBLISH = new Script("""
            if #KEYS >= 3 then
              local prev = redis.call('GET', KEYS[3])
              if prev then return prev end
            end
            local n = (#ARGV - 3) / 4
            local hist = tonumber(ARGV[2])
            local ttl = tonumber(ARGV[3])
            local t = redis.call('TIME')
            local nowms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local last = tonumber(redis.call('INCRBY', KEYS[1], n))
            local prev = last - n
            if last - n < nowms * 1000 then
              last = nowms * 1000 + n
              redis.call('SET', KEYS[1], string.format('%.0f', last))
            end
            local first = last - n + 1
            if prev <= 0 then prev = first - 1 end
            local parts = {string.format('%.0f', first), '\\n'}
            for i = 0, n - 1 do
              local b = 4 + i * 4
              local seq = string.format('%.0f', first + i)
              local before = prev
              if i > 0 then before = first + i - 1 end
              local id = ARGV[b]
              if id == '' then id = seq end
              if hist > 0 then
                redis.call('XADD', KEYS[2], 'MAXLEN', hist, '*', 's', seq, 'p', string.format('%.0f', before),
                  'i', id, 'n', ARGV[b + 1], 'r', ARGV[b + 2], 'd', ARGV[b + 3])
              end
              parts[#parts + 1] = #id .. ':' .. id .. #ARGV[b + 1] .. ':' .. ARGV[b + 1]
                .. #ARGV[b + 2] .. ':' .. ARGV[b + 2] .. #ARGV[b + 3] .. ':' .. ARGV[b + 3]
            end
            if ttl > 0 then
              if hist > 0 then
                redis.call('XTRIM', KEYS[2], 'MINID', string.format('%.0f', nowms - ttl))
                redis.call('PEXPIRE', KEYS[2], ttl)
              end
              redis.call('PEXPIRE', KEYS[1], ttl)
            end
            redis.call('PUBLISH', ARGV[1], table.concat(parts))
            if #KEYS >= 3 then
              local keep = ttl
              if keep <= 0 then keep = 300000 end
              redis.call('SET', KEYS[3], string.format('%.0f', first), 'PX', keep)
            end
            return string.format('%.0f', first)
            """);

    /**
     * KEYS: counter, stream. ARGV: history ttl (ms). Returns {counter, Redis time in ms, entries}, where
     * entries are the stream's entries younger than the ttl, oldest first: every publish up to the counter
     * is in them or was trimmed, every later one will come through pub/sub.
     *
     * <p>The topic's floor, below which its events are gone, is the {@code p} of the oldest entry, or the
     * counter when there is none. A topic without a counter (never published, or expired) gets one here, at
     * Redis' clock in ms times 1000 (at or above every sequence number it ever had, below every one to come),
     * so that nodes that follow it later agree on its floor; an existing counter's expiry is renewed.
     */
    static final Scripts.Script FETCH = new Script("""
            local t = redis.call('TIME')
            local nowms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local ttl = tonumber(ARGV[1])
            local last = redis.call('GET', KEYS[1])
            if not last then
              last = string.format('%.0f', nowms * 1000)
              if ttl > 0 then
                redis.call('SET', KEYS[1], last, 'PX', ttl)
              else
                redis.call('SET', KEYS[1], last)
              end
            elseif ttl > 0 then
              redis.call('PEXPIRE', KEYS[1], ttl)
            end
            local start = '-'
            if ttl > 0 then start = string.format('%.0f', nowms - ttl) end
            return {last, string.format('%.0f', nowms), redis.call('XRANGE', KEYS[2], start, '+')}
            """);

    private Scripts() {
    }

    /** A script's body and the SHA-1 that {@code EVALSHA} names it by. */
    record Script(String body, String sha) {
        Script(String body) {
            this(body, sha1(body));
        }

        private static String sha1(String s) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
                StringBuilder sb = new StringBuilder(40);
                for (byte b : d) {
                    sb.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
                }
                return sb.toString();
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-1 is required of every JVM", e);
            }
        }
    }
}
