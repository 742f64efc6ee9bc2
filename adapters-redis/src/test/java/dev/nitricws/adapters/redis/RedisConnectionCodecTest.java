package dev.nitricws.adapters.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketName;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisConnectionCodecTest {

  private static final SocketName SOCKET = SocketName.of("chat");

  @Test
  void everyPartOfAConnectionRoundTrips() {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("user", "ada");
    attributes.put("12:odd;name", "3:abc;;");
    attributes.put("empty", "");
    attributes.put("日本語 🙂", "ключ émoji 👍🏽");
    Map<String, List<String>> query = new LinkedHashMap<>();
    query.put("tag", List.of("z", "a", "m", "a"));
    query.put("", List.of(""));
    query.put("none", List.of());
    Connection c = new Connection(SOCKET, ConnectionId.of("id:{x}*"), attributes, new QueryParameters(query),
        Instant.parse("2026-01-02T03:04:05.678Z"), Instant.parse("2026-01-02T05:04:05.001Z"));

    String encoded = RedisConnectionCodec.encode(c);
    Connection back = RedisConnectionCodec.decode(SOCKET, c.id(), encoded);

    assertThat(back).isEqualTo(c);
    assertThat(List.copyOf(back.attributes().keySet())).containsExactlyElementsOf(attributes.keySet());
    assertThat(List.copyOf(back.query().values().keySet())).containsExactlyElementsOf(query.keySet());
  }

  @Test
  void timesAtTheEndsOfInstantRoundTrip() {
    for (Instant[] times : new Instant[][] {
        {Instant.parse("1969-12-31T23:59:59.999Z"), Instant.parse("1970-01-01T00:00:00.001Z")},
        {Instant.MIN, Instant.MAX}}) {
      Connection c = new Connection(SOCKET, ConnectionId.of("t"), Map.of(), QueryParameters.empty(), times[0], times[1]);
      assertThat(RedisConnectionCodec.decode(SOCKET, c.id(), RedisConnectionCodec.encode(c))).isEqualTo(c);
    }
    assertThat(RedisConnectionCodec.millis(Instant.MAX)).isEqualTo(Long.MAX_VALUE);
    assertThat(RedisConnectionCodec.millis(Instant.MIN)).isEqualTo(Long.MIN_VALUE);
    assertThat(RedisConnectionCodec.millis(Instant.ofEpochMilli(42))).isEqualTo(42);
  }

  @Test
  void somethingElseIsRefused() {
    for (String bad : List.of("", "2;0;0;0;0;0;0;", "1;0;0;0;0;1;5:ab;0;", "1;0;0;0;0;0;0;extra", "1;x;0;0;0;0;0;",
        "1;0;1000;0;0;0;0;")) {
      assertThatThrownBy(() -> RedisConnectionCodec.decode(SOCKET, ConnectionId.of("x"), bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
