package dev.nitricws.adapters.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The Lua scripts that change or page a socket's keys atomically. Every script takes the three
 * keys of one socket in the same order (they share one hash slot, so they run on one node of a
 * cluster): {@code KEYS[1]} the expiry ZSET, {@code KEYS[2]} the id ZSET, {@code KEYS[3]} the
 * data HASH. Ids and texts are only ever values, never patterns.
 */
final class Scripts {

  /** One script: its text and the SHA-1 digest EVALSHA names it by. */
  record Script(String name, String text, String sha) {
    static Script of(String name, String text) {
      return new Script(name, text, sha1(text));
    }
  }

  /**
   * Removes up to {@code limit} expired entries (expiry score at or before {@code now}) from all
   * three structures; returns how many.
   */
  private static final String PURGE = """
      local function purge(now, limit)
        local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
        if #old > 0 then
          redis.call('ZREM', KEYS[1], unpack(old))
          redis.call('ZREM', KEYS[2], unpack(old))
          redis.call('HDEL', KEYS[3], unpack(old))
        end
        return #old
      end
      """;

  /**
   * ARGV: id, expiresAt (ms), now (ms), encoded connection, remaining life (ms, may be 0 or less,
   * or {@code persist} when too far off for a key TTL). Upserts in all three structures, makes the
   * keys live at least as long as this entry (a safety net: an idle socket's keys vanish once every
   * entry has expired; keys without a TTL keep none), and purges up to 100 expired entries.
   */
  static final Script REGISTER = Script.of("register", PURGE + """
      local ttl = redis.call('PTTL', KEYS[1])
      redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
      redis.call('ZADD', KEYS[2], 0, ARGV[1])
      redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
      if ttl ~= -1 then
        if ARGV[5] == 'persist' then
          redis.call('PERSIST', KEYS[1])
          redis.call('PERSIST', KEYS[2])
          redis.call('PERSIST', KEYS[3])
        elseif tonumber(ARGV[5]) > 0 and ttl < tonumber(ARGV[5]) then
          redis.call('PEXPIRE', KEYS[1], ARGV[5])
          redis.call('PEXPIRE', KEYS[2], ARGV[5])
          redis.call('PEXPIRE', KEYS[3], ARGV[5])
        end
      end
      purge(ARGV[3], 100)
      return 0
      """);

  /**
   * ARGV: id, now (ms). Removes the entry from all three structures; 1 if it was there and
   * unexpired, else 0.
   */
  static final Script UNREGISTER = Script.of("unregister", """
      local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
      redis.call('ZREM', KEYS[1], ARGV[1])
      redis.call('ZREM', KEYS[2], ARGV[1])
      redis.call('HDEL', KEYS[3], ARGV[1])
      if score and tonumber(score) > tonumber(ARGV[2]) then
        return 1
      end
      return 0
      """);

  /** ARGV: now (ms). Purges up to 1,000 expired entries and counts the unexpired ones. */
  static final Script COUNT = Script.of("count", PURGE + """
      purge(ARGV[1], 1000)
      return redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf')
      """);

  /**
   * ARGV: lex start ({@code -} or {@code (lastId}), page size, now (ms), budget. Walks the id ZSET
   * in byte order from the start, keeps the unexpired ids and removes the expired ones (and any
   * id without an expiry), until it has a page, reaches the end, or has looked at {@code budget}
   * ids. Returns {more (1/0), last id looked at, {ids...}}.
   */
  static final Script PAGE = Script.of("page", """
      local from = ARGV[1]
      local want = tonumber(ARGV[2])
      local now = tonumber(ARGV[3])
      local budget = tonumber(ARGV[4])
      local live = {}
      local seen = 0
      local last = ''
      while true do
        local ask = want - #live
        if ask > 500 then ask = 500 end
        local batch = redis.call('ZRANGEBYLEX', KEYS[2], from, '+', 'LIMIT', 0, ask)
        local n = #batch
        if n == 0 then
          return {0, last, live}
        end
        local scores = redis.call('ZMSCORE', KEYS[1], unpack(batch))
        local dead = {}
        for i = 1, n do
          local s = scores[i]
          if s and tonumber(s) > now then
            live[#live + 1] = batch[i]
          else
            dead[#dead + 1] = batch[i]
          end
        end
        if #dead > 0 then
          redis.call('ZREM', KEYS[1], unpack(dead))
          redis.call('ZREM', KEYS[2], unpack(dead))
          redis.call('HDEL', KEYS[3], unpack(dead))
        end
        last = batch[n]
        from = '(' .. last
        seen = seen + n
        if n < ask then
          return {0, last, live}
        end
        if #live >= want or seen >= budget then
          return {1, last, live}
        end
      end
      """);

  private Scripts() {}

  private static String sha1(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(40);
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from this JVM", e);
    }
  }
}
