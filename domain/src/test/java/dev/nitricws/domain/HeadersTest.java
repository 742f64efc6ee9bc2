package dev.nitricws.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadersTest {

  @Test
  void namesAreLowerCaseAndLookupsIgnoreCase() {
    Map<String, List<String>> given = new LinkedHashMap<>();
    given.put("Origin", List.of("https://chat.example"));
    given.put("X-Tag", List.of("b", "a"));
    given.put("x-tag", List.of("c"));
    Headers headers = Headers.of(given);

    assertThat(headers.names()).containsExactly("origin", "x-tag");
    assertThat(headers.first("ORIGIN")).contains("https://chat.example");
    assertThat(headers.all("x-TAG")).containsExactly("b", "a", "c");
    assertThat(headers.first("cookie")).isEmpty();
    assertThat(headers.all("cookie")).isEmpty();
    assertThatThrownBy(() -> headers.values().put("cookie", List.of("x"))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> headers.all("x-tag").add("d")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aConnectWithoutHeadersHasNone() {
    SocketEvent.Connect connect = new SocketEvent.Connect(SocketName.of("chat"), ConnectionId.of("c1"), QueryParameters.empty());
    assertThat(connect.headers().isEmpty()).isTrue();
    assertThat(Headers.of(Map.of())).isSameAs(Headers.empty());
  }

  @Test
  void toStringNamesTheHeadersButNeverAValue() {
    Headers headers = Headers.of(Map.of("Authorization", List.of("Bearer s3cret-token")));
    assertThat(headers.toString()).isEqualTo("Headers[authorization]").doesNotContain("s3cret");
  }
}
