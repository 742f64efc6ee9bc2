package dev.nitricws.bench;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the benchmarks store: connections as an app registers them (one attribute, one query
 * parameter, two hours to live), ids that are 12-digit decimal numbers (what {@code
 * redis-benchmark} makes of {@code __rand_int__}, and {@code lpad(n, 12, '0')} in pgbench), and
 * socket names that no other user of a shared server has.
 */
public final class Fixtures {

  /** Every connection's life: the gateway's longest (AWS), as {@code ConnectionTracker} sets it. */
  public static final Duration LIFE = Duration.ofHours(2);

  /** The attributes every benchmark connection carries. */
  public static final Map<String, String> ATTRIBUTES = Map.of("user", "bench-user");

  /** The query every benchmark connection was opened with. */
  public static final QueryParameters QUERY = new QueryParameters(Map.of("room", List.of("lobby")));

  /** {@link #ATTRIBUTES} as the Postgres registry writes them (its jsonb column), for bulk loads and pgbench. */
  public static final String ATTRIBUTES_JSON = "{\"user\":\"bench-user\"}";

  /** {@link #QUERY} as the Postgres registry writes it. */
  public static final String QUERY_JSON = "[[\"room\",[\"lobby\"]]]";

  private Fixtures() {}

  /** A socket name nobody else uses: {@code bench-<what>-<16 random hex digits>}. */
  public static SocketName freshSocket(String what) {
    return SocketName.of("bench-" + what + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE));
  }

  /** The id numbered {@code n}: 12 decimal digits, zero-padded (0 to 999,999,999,999). */
  public static ConnectionId id(long n) {
    if (n < 0 || n > 999_999_999_999L) {
      throw new IllegalArgumentException("id number out of range: " + n);
    }
    char[] digits = new char[12];
    for (int i = 11; i >= 0; i--) {
      digits[i] = (char) ('0' + n % 10);
      n /= 10;
    }
    return ConnectionId.of(new String(digits));
  }

  /** A connection of {@code socket} with {@code id}, connected now, as an app registers it. */
  public static Connection connection(SocketName socket, ConnectionId id) {
    Instant now = Instant.now();
    return new Connection(socket, id, ATTRIBUTES, QUERY, now, now.plus(LIFE));
  }
}
