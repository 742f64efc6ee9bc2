package dev.nitricws.adapters.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The Lua scripts that change or page the registry's keys atomically. Each script works in one
 * hash slot, so it runs on one node of a cluster. A socket's scripts take its keys in the same
 * order: {@code KEYS[1]} the expiry ZSET, {@code KEYS[2]} the id ZSET, {@code KEYS[3]} the data
 * HASH; a group's members are kept in the same two ZSETs without the HASH, so {@link #COUNT} and
 * {@link #PAGE} serve both. Ids, group keys and texts are only ever values, never patterns.
 */
final class Scripts {

  /** One script: its text and the SHA-1 digest EVALSHA names it by. */
  record Script(String name, String text, String sha) {
    static Script of(String name, String text) {
      return new Script(name, text, sha1(text));
    }
  }

  /**
   * Removes up to {@code limit} expired entries (expiry score at or before {@code now}) from the
   * expiry and id ZSETs, and from the data HASH when there is one; returns how many.
   */
  private static final String PURGE = """
      local function purge(now, limit)
        local old = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
        if #old > 0 then
          redis.call('ZREM', KEYS[1], unpack(old))
          redis.call('ZREM', KEYS[2], unpack(old))
          if KEYS[3] then
            redis.call('HDEL', KEYS[3], unpack(old))
          end
        end
        return #old
      end
      """;

  /**
   * How long keys must live for an entry that expires at {@code expires} (ms): {@code persist}
   * when that is more than {@code max} ms off (too far for a key TTL), else the milliseconds (0 or
   * less for an entry already expired). {@code keepAlive} makes {@code keys} live at least that
   * long, given the first key's PTTL before the write: keys without a TTL keep none, TTLs are only
   * ever raised. A safety net: keys nobody touches again vanish once every entry in them has
   * expired.
   */
  private static final String KEEP_ALIVE = """
      local function lifeOf(expires, now, max)
        local life = tonumber(expires) - tonumber(now)
        if life > tonumber(max) then
          return 'persist'
        end
        return life
      end
      local function keepAlive(ttl, life, keys)
        if ttl == -1 then
          return
        end
        if life == 'persist' then
          for _, key in ipairs(keys) do
            redis.call('PERSIST', key)
          end
        elseif life > 0 and ttl < life then
          local ms = string.format('%d', life)
          for _, key in ipairs(keys) do
            redis.call('PEXPIRE', key, ms)
          end
        end
      end
      """;

  /**
   * ARGV: id, expiresAt (ms), now (ms), encoded connection, longest key life (ms). Upserts in all
   * three structures, keeps the keys alive as long as this entry ({@code keepAlive}), and purges
   * up to 100 expired entries.
   */
  static final Script REGISTER = Script.of("register", PURGE + KEEP_ALIVE + """
      local ttl = redis.call('PTTL', KEYS[1])
      redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
      redis.call('ZADD', KEYS[2], 0, ARGV[1])
      redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
      keepAlive(ttl, lifeOf(ARGV[2], ARGV[3], ARGV[5]), KEYS)
      purge(ARGV[3], 100)
      return 0
      """);

  /**
   * KEYS: the socket's three, then the connection's groups ZSET. ARGV: id, now (ms). Removes the
   * entry from all three structures and deletes the record of its groups. Returns {1 if the entry
   * was there and unexpired, else 0; {the group keys it had joined}}: the caller then removes the
   * id from each of those groups (in their own slots).
   */
  static final Script UNREGISTER = Script.of("unregister", """
      local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
      redis.call('ZREM', KEYS[1], ARGV[1])
      redis.call('ZREM', KEYS[2], ARGV[1])
      redis.call('HDEL', KEYS[3], ARGV[1])
      local groups = redis.call('ZRANGE', KEYS[4], 0, -1)
      if #groups > 0 then
        redis.call('DEL', KEYS[4])
      end
      local live = 0
      if score and tonumber(score) > tonumber(ARGV[2]) then
        live = 1
      end
      return {live, groups}
      """);

  /**
   * ARGV: now (ms). Purges up to 1,000 expired entries and counts the unexpired ones. For a
   * socket's keys and for a group's.
   */
  static final Script COUNT = Script.of("count", PURGE + """
      purge(ARGV[1], 1000)
      return redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf')
      """);

  /**
   * ARGV: lex start ({@code -} or {@code (lastId}), page size, now (ms), budget. Walks the id ZSET
   * in byte order from the start, keeps the unexpired ids and removes the expired ones (and any
   * id without an expiry), until it has a page, reaches the end, or has looked at {@code budget}
   * ids. Returns {more (1/0), last id looked at, {ids...}}. For a socket's keys and for a group's.
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
          if KEYS[3] then
            redis.call('HDEL', KEYS[3], unpack(dead))
          end
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

  /**
   * The first step of a join, in the socket's slot. KEYS: the socket's expiry ZSET, the
   * connection's groups ZSET. ARGV: id, group key, now (ms), longest key life (ms). Only if the
   * entry is there and unexpired: records the group on the connection's side, scored by the entry's
   * expiry, keeps that key alive as long as the entry, drops memberships of an earlier entry that
   * expired, and returns the expiry score; otherwise changes nothing and returns nil.
   */
  static final Script JOIN = Script.of("join", KEEP_ALIVE + """
      local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
      if not score or tonumber(score) <= tonumber(ARGV[3]) then
        return false
      end
      local ttl = redis.call('PTTL', KEYS[2])
      redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
      redis.call('ZADD', KEYS[2], score, ARGV[2])
      keepAlive(ttl, lifeOf(score, ARGV[3], ARGV[4]), {KEYS[2]})
      return score
      """);

  /**
   * The second step of a join, in the group's slot. KEYS: the group's expiry and id ZSETs. ARGV:
   * id, expiry score, now (ms), longest key life (ms). Adds the member (as register adds an entry),
   * keeps the group's keys alive as long as it, and purges up to 100 expired members.
   */
  static final Script ADD_MEMBER = Script.of("add member", PURGE + KEEP_ALIVE + """
      local ttl = redis.call('PTTL', KEYS[1])
      redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
      redis.call('ZADD', KEYS[2], 0, ARGV[1])
      keepAlive(ttl, lifeOf(ARGV[2], ARGV[3], ARGV[4]), KEYS)
      purge(ARGV[3], 100)
      return 1
      """);

  /**
   * In the group's slot. KEYS: the group's expiry and id ZSETs. ARGV: id, expiry score or the empty
   * text. Removes the member, only if its score is the one given (when one is): a join undoing its
   * own member never removes the member of a later join. Returns 1 if it removed one, else 0.
   */
  static final Script REMOVE_MEMBER = Script.of("remove member", """
      if ARGV[2] ~= '' then
        local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
        if not score or tonumber(score) ~= tonumber(ARGV[2]) then
          return 0
        end
      end
      local removed = redis.call('ZREM', KEYS[1], ARGV[1])
      redis.call('ZREM', KEYS[2], ARGV[1])
      return removed
      """);

  /**
   * The first step of a leave, in the socket's slot. KEYS: the connection's groups ZSET. ARGV:
   * group key. Removes the group from the connection's record; returns the expiry score it had
   * there, or nil when it was not recorded.
   */
  static final Script LEAVE = Script.of("leave", """
      local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
      if score then
        redis.call('ZREM', KEYS[1], ARGV[1])
      end
      return score
      """);

  /**
   * In the socket's slot. KEYS: the socket's expiry ZSET, the connection's groups ZSET. ARGV: id,
   * now (ms). The group keys of the unexpired memberships of an unexpired entry; none otherwise.
   */
  static final Script GROUPS = Script.of("groups", """
      local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
      if not score or tonumber(score) <= tonumber(ARGV[2]) then
        return {}
      end
      return redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[2], '+inf')
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
