package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HmacTokensTest {

  private static final String SECRET = "a-secret-of-at-least-thirty-two-bytes!";
  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final SocketName CHAT = SocketName.of("chat");
  private final HmacTokens tokens = HmacTokens.withSecret(SECRET).clock(Clock.fixed(NOW, ZoneOffset.UTC));
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void aMintedTokenNamesItsSubjectUntilItExpires() {
    String token = tokens.mint("alice", NOW.plusSeconds(60));

    assertThat(token).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    assertThat(tokens.verify(token)).isEqualTo(new Authentication.Authenticated("alice"));
    assertThat(tokens.verify(tokens.mint("bob:ü 1", Duration.ofMinutes(5)))).isEqualTo(new Authentication.Authenticated("bob:ü 1"));
    assertThat(tokens.verify(tokens.mint("alice", NOW))).isEqualTo(new Authentication.Refused("expired token"));
    assertThat(tokens.verify(tokens.mint("alice", NOW.minusSeconds(1)))).isEqualTo(new Authentication.Refused("expired token"));
  }

  @Test
  void aTokenSignedWithAnotherSecretOrChangedHasABadSignature() {
    String token = tokens.mint("alice", NOW.plusSeconds(60));
    String other = HmacTokens.withSecret(SECRET + "-other").mint("alice", NOW.plusSeconds(60));
    String payload = token.substring(0, token.indexOf('.'));
    String signature = token.substring(token.indexOf('.') + 1);
    String forgedPayload = Base64.getUrlEncoder().withoutPadding()
        .encodeToString((NOW.plusSeconds(60).getEpochSecond() + ":mallory").getBytes(StandardCharsets.UTF_8));
    String flipped = signature.substring(0, signature.length() - 1) + (signature.endsWith("A") ? "B" : "A");

    assertThat(tokens.verify(other)).isEqualTo(new Authentication.Refused("bad signature"));
    assertThat(tokens.verify(forgedPayload + "." + signature)).isEqualTo(new Authentication.Refused("bad signature"));
    assertThat(tokens.verify(payload + "." + flipped)).isEqualTo(new Authentication.Refused("bad signature"));
    assertThat(tokens.verify(payload + "." + signature.substring(4))).isEqualTo(new Authentication.Refused("bad signature"));
  }

  @Test
  void anythingElseIsMalformed() {
    String signed = tokens.mint("alice", NOW.plusSeconds(60));
    for (String bad : List.of("", "abc", ".", "a.", ".b", "a.b.c", "a b.c", "%%%.%%%", signed + ".x",
        "x".repeat(5_000) + "." + "y", signed.replace('.', ' '))) {
      assertThat(tokens.verify(bad)).as(bad.length() > 40 ? bad.substring(0, 40) : bad)
          .isEqualTo(new Authentication.Refused("malformed token"));
    }
    assertThat(tokens.verify(sign("no-colon"))).isEqualTo(new Authentication.Refused("malformed token"));
    assertThat(tokens.verify(sign("soon:alice"))).isEqualTo(new Authentication.Refused("malformed token"));
    assertThat(tokens.verify(sign(NOW.plusSeconds(60).getEpochSecond() + ":"))).isEqualTo(new Authentication.Refused("malformed token"));
    assertThat(tokens.verify(sign(NOW.plusSeconds(60).getEpochSecond() + ":a\nb"))).isEqualTo(new Authentication.Refused("malformed token"));
  }

  @Test
  void secretsAndSubjectsAreChecked() {
    assertThatThrownBy(() -> HmacTokens.withSecret("too short")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32 bytes").hasMessageNotContaining("too short");
    assertThatThrownBy(() -> tokens.mint("", Duration.ofMinutes(1))).hasMessageContaining("subject");
    assertThatThrownBy(() -> tokens.mint("a\nb", Duration.ofMinutes(1))).hasMessageContaining("control");
    assertThatThrownBy(() -> tokens.mint("x".repeat(257), Duration.ofMinutes(1))).hasMessageContaining("256");
    assertThat(tokens.toString()).doesNotContain(SECRET).contains("token");
  }

  @Test
  void aHandlerBuiltToAuthenticateKeepsTheSubjectAndRefusesWithTheReason() {
    List<String> connected = new CopyOnWriteArrayList<>();
    InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
    app = WebsocketApp.builder(registry, new RecordingSender())
        .socket(CHAT, SocketHandler.builder()
            .authenticate(tokens)
            .onConnect(c -> connected.add(c.connectionId() + " as " + c.attribute("user").orElseThrow()))
            .build())
        .build();

    assertThat(connect("c1", Map.of("token", tokens.mint("alice", NOW.plusSeconds(60))))).isEqualTo(EventAnswer.ACCEPT);
    assertThat(connect("c2", Map.of())).isEqualTo(new EventAnswer.Reject(401, "missing token"));
    assertThat(connect("c3", Map.of("token", tokens.mint("bob", NOW.minusSeconds(1)))))
        .isEqualTo(new EventAnswer.Reject(401, "expired token"));
    assertThat(connect("c4", Map.of("token", "garbage"))).isEqualTo(new EventAnswer.Reject(401, "malformed token"));

    assertThat(connected).containsExactly("c1 as alice");
    assertThat(registry.find(CHAT, ConnectionId.of("c1")).toCompletableFuture().join().orElseThrow().attributes())
        .containsEntry(Authenticator.SUBJECT_ATTRIBUTE, "alice");
    assertThat(registry.count(CHAT).toCompletableFuture().join()).isEqualTo(1L);
  }

  @Test
  void aRefusalSaysWhy() {
    ConnectingContext missing = contextWith(Map.of());
    SocketHandler guarded = SocketHandler.authenticated(tokens.fromQuery("access_token"), SocketHandler.builder().build());

    assertThat(tokens.fromQuery("access_token").toString()).contains("access_token");
    org.assertj.core.api.Assertions.assertThatCode(() -> guarded.onConnect(missing)).doesNotThrowAnyException();
    assertThat(missing.rejection()).contains(new EventAnswer.Reject(Authenticator.REFUSED_STATUS, "missing token"));
  }

  private String sign(String payload) {
    return tokens.sign(payload.getBytes(StandardCharsets.UTF_8));
  }

  private EventAnswer connect(String id, Map<String, String> query) {
    return app.handle(new SocketEvent.Connect(CHAT, ConnectionId.of(id), QueryParameters.ofSingle(query)))
        .toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }

  private static ConnectingContext contextWith(Map<String, String> query) {
    return new ConnectingContext(new Websocket(CHAT, new InMemoryConnectionRegistry(), new RecordingSender()),
        new SocketEvent.Connect(CHAT, ConnectionId.of("c9"), QueryParameters.ofSingle(query)), SocketErrors::log);
  }
}
