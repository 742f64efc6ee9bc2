package dev.nitricws.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ValueTypesTest {

  @ParameterizedTest
  @ValueSource(strings = {"chat", "a", "chat-room-2", "0x", "a-b-c", "x1-y2"})
  void socketNamesInLowerKebabCaseAreAccepted(String name) {
    assertThat(SocketName.of(name).value()).isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"Chat", "chat_room", "chat-", "-chat", "chat--room", "chat room", "chat/room", "chät", ""})
  void namesTheNitricCliWouldRefuseAreRefusedWithTheRule(String name) {
    assertThatThrownBy(() -> SocketName.of(name)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("socket name '" + name + "'")
        .hasMessageContaining(ResourceName.RULE);
  }

  @Test
  void socketNameProblemsAreNamedWithASuggestion() {
    assertThatThrownBy(() -> SocketName.of("Chat_Room")).hasMessageContaining("try 'chat-room'");
    assertThatThrownBy(() -> SocketName.of("chatRoom")).hasMessageContaining("try 'chat-room'");
    assertThatThrownBy(() -> SocketName.of("chat-")).hasMessageContaining("try 'chat'");
    assertThatThrownBy(() -> SocketName.of("x".repeat(65))).hasMessageContaining("65 characters").hasMessageContaining("at most 64");
    assertThatThrownBy(() -> SocketName.of("ch\nat")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ch\\u000aat");
    assertThatThrownBy(() -> SocketName.of(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void suggestionsFollowTheRule() {
    assertThat(ResourceName.suggest("HTTPServer_v2")).isEqualTo("http-server-v2");
    assertThat(ResourceName.suggest("my  Chat--Room!")).isEqualTo("my-chat-room");
    assertThat(ResourceName.suggest("__")).isEmpty();
    assertThat(ResourceName.suggest("A".repeat(100))).matches(ResourceName.RULE).hasSize(64);
  }

  @ParameterizedTest
  @ValueSource(strings = {"L0SM9cOFvHcCIhw=", "4f1c1b9e-7b7e-4bde-9e63-3c6f0f8f4a57", "ид/🙂:{x}*'\"%_", "a b"})
  void connectionIdsAreOpaque(String id) {
    assertThat(ConnectionId.of(id).value()).isEqualTo(id);
  }

  @Test
  void connectionIdProblemsAreNamed() {
    assertThatThrownBy(() -> ConnectionId.of("")).hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> ConnectionId.of("   ")).hasMessageContaining("blank");
    assertThatThrownBy(() -> ConnectionId.of(" x")).hasMessageContaining("white space");
    assertThatThrownBy(() -> ConnectionId.of("x".repeat(257))).hasMessageContaining("257 characters");
    assertThatThrownBy(() -> ConnectionId.of("a\u0000b")).hasMessageContaining("U+0000").hasMessageContaining("index 1");
    assertThatThrownBy(() -> ConnectionId.of("half \uD83D")).hasMessageContaining("unpaired surrogate").hasMessageContaining("U+D83D");
    assertThatThrownBy(() -> ConnectionId.of("\uDC4D low")).hasMessageContaining("unpaired surrogate").hasMessageContaining("index 0");
  }

  @Test
  void queryParametersKeepRepeatedValuesInOrderAndAreImmutable() {
    QueryParameters q = new QueryParameters(Map.of("tag", List.of("b", "a", "b")));
    assertThat(q.all("tag")).containsExactly("b", "a", "b");
    assertThat(q.first("tag")).contains("b");
    assertThat(q.first("missing")).isEmpty();
    assertThat(q.all("missing")).isEmpty();
    assertThatThrownBy(() -> q.values().put("x", List.of())).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> q.all("tag").add("c")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void connectionKeepsMillisecondsAndRefusesImpossibleTimes() {
    Instant t = Instant.parse("2026-01-01T00:00:00.123456789Z");
    Connection c = new Connection(SocketName.of("s"), ConnectionId.of("c"), Map.of(), QueryParameters.empty(), t, t.plusSeconds(1));
    assertThat(c.connectedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00.123Z"));
    assertThat(c.isExpiredAt(t.plusSeconds(1))).isTrue();
    assertThat(c.isExpiredAt(t)).isFalse();
    assertThatThrownBy(() -> new Connection(SocketName.of("s"), ConnectionId.of("c"), Map.of(), QueryParameters.empty(), t, t.minusSeconds(1)))
        .hasMessageContaining("before it connected");
  }

  @Test
  void connectionRefusesTextNoStoreCanKeep() {
    Instant t = Instant.now();
    assertThatThrownBy(() -> new Connection(SocketName.of("s"), ConnectionId.of("c"), Map.of("k", "a\u0000"),
        QueryParameters.empty(), t, t.plusSeconds(1))).hasMessageContaining("attribute 'k'").hasMessageContaining("U+0000");
    assertThatThrownBy(() -> new Connection(SocketName.of("s"), ConnectionId.of("c"), Map.of(),
        QueryParameters.ofSingle(Map.of("q", "\u0000")), t, t.plusSeconds(1))).hasMessageContaining("query parameter 'q'");
    assertThatThrownBy(() -> new Connection(SocketName.of("s"), ConnectionId.of("c"), Map.of("", "v"),
        QueryParameters.empty(), t, t.plusSeconds(1))).hasMessageContaining("attribute name");
    assertThatThrownBy(() -> new Connection(SocketName.of("s"), ConnectionId.of("c"), Map.of("k", "\uD83D"),
        QueryParameters.empty(), t, t.plusSeconds(1))).hasMessageContaining("attribute 'k'").hasMessageContaining("unpaired surrogate");
  }

  @Test
  void messageOffersBytesTextAndAStream() throws Exception {
    byte[] utf8 = "héllo 🙂".getBytes(StandardCharsets.UTF_8);
    SocketEvent.Message m = new SocketEvent.Message(SocketName.of("s"), ConnectionId.of("c"), utf8);
    utf8[0] = 'X';
    assertThat(m.text()).isEqualTo("héllo 🙂");
    assertThat(m.isText()).isTrue();
    assertThat(m.asInputStream().readAllBytes()).isEqualTo("héllo 🙂".getBytes(StandardCharsets.UTF_8));
    assertThat(new SocketEvent.Message(SocketName.of("s"), ConnectionId.of("c"), new byte[] {(byte) 0xff, 0}).isText()).isFalse();
    assertThat(m).isEqualTo(SocketEvent.Message.ofText(SocketName.of("s"), ConnectionId.of("c"), "héllo 🙂"));
  }
}
