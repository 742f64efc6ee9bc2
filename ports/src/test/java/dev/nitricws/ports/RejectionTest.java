package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A rejected connect is answered with the handler's status and reason, checked where they are given. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RejectionTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();
  private final List<SocketError> errors = new CopyOnWriteArrayList<>();
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void aRejectCarriesTheHandlersStatusAndReasonAndTheLastCallWins() {
    serve(SocketHandler.builder().onConnect(c -> {
      c.reject("first thoughts");
      c.reject(429, "too many connections, try again in a minute");
    }).build());

    assertThat(connect("c1")).isEqualTo(new EventAnswer.Reject(429, "too many connections, try again in a minute"));
    assertThat(registry.count(CHAT).toCompletableFuture().join()).isZero();
  }

  @Test
  void aRejectWithoutStatusIsForbidden() {
    serve(SocketHandler.builder().onConnect(c -> c.reject("not today")).build());

    EventAnswer answer = connect("c1");

    assertThat(answer).isEqualTo(new EventAnswer.Reject(403, "not today"));
    assertThat(ConnectContext.DEFAULT_REJECT_STATUS).isEqualTo(403);
    assertThat(answer.rejects()).isTrue();
    assertThat(EventAnswer.ACCEPT.rejects()).isFalse();
  }

  @Test
  void aStatusOutsideFourAndFiveHundredsIsRefusedNamingIt() {
    for (int status : new int[] {0, -1, 101, 200, 302, 399, 600, 1000}) {
      assertThatThrownBy(() -> new EventAnswer.Reject(status, "x"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("4xx or 5xx")
          .hasMessageEndingWith("got " + status);
    }
    assertThat(new EventAnswer.Reject(400, "x").status()).isEqualTo(400);
    assertThat(new EventAnswer.Reject(599, "x").status()).isEqualTo(599);
  }

  @Test
  void aHandlerGivingABadStatusFailsTheConnectAndTheErrorHookHearsWhy() {
    serve(SocketHandler.builder().onConnect(c -> c.reject(200, "fine")).onError(errors::add).build());

    assertThat(connect("c1")).isEqualTo(EventAnswer.FAILED);
    assertThat(EventAnswer.FAILED).isEqualTo(new EventAnswer.Reject(500, "Connection Refused"));
    assertThat(errors).singleElement().satisfies(e -> assertThat(e.cause())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 200"));
  }

  @Test
  void aReasonIsOneShortLine() {
    String longest = "r".repeat(EventAnswer.Reject.MAX_REASON_LENGTH);
    assertThat(new EventAnswer.Reject(403, longest).reason()).isEqualTo(longest);
    assertThat(new EventAnswer.Reject(403, "").reason()).isEmpty();
    assertThat(new EventAnswer.Reject(403, "héllo 🙂 \"quoted\" <b>").reason()).isEqualTo("héllo 🙂 \"quoted\" <b>");

    assertThatThrownBy(() -> new EventAnswer.Reject(403, longest + "r"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most 256 characters, got 257");
    assertThatThrownBy(() -> new EventAnswer.Reject(403, "no\nforged line"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("one line without control characters").hasMessageContaining("U+000A at index 2")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(() -> new EventAnswer.Reject(403, "tab\there")).hasMessageContaining("U+0009");
    assertThatThrownBy(() -> new EventAnswer.Reject(403, "line\u2028separator")).hasMessageContaining("U+2028");
    assertThatThrownBy(() -> new EventAnswer.Reject(403, null)).isInstanceOf(NullPointerException.class)
        .hasMessage("reason");
  }

  @Test
  void anAuthenticatorsRefusalIsUnauthorizedWithItsReason() {
    serve(SocketHandler.builder()
        .authenticate(c -> c.query().first("user").filter("ada"::equals)
            .<Authentication>map(Authentication.Authenticated::new)
            .orElse(new Authentication.Refused("not on the list")))
        .build());

    assertThat(connect("c1")).isEqualTo(new EventAnswer.Reject(401, "not on the list"));
    assertThat(Authenticator.REFUSED_STATUS).isEqualTo(401);
    assertThat(app.handle(new SocketEvent.Connect(CHAT, ConnectionId.of("c2"), QueryParameters.ofSingle(
        java.util.Map.of("user", "ada")))).toCompletableFuture().join()).isEqualTo(EventAnswer.ACCEPT);
  }

  @Test
  void aRefusalsReasonFollowsTheRulesOfAReason() {
    assertThatThrownBy(() -> new Authentication.Refused("bad\r\ntoken"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+000D");
    assertThatThrownBy(() -> new Authentication.Refused("x".repeat(257))).hasMessageContaining("at most 256");
  }

  private void serve(SocketHandler handler) {
    app = WebsocketApp.builder(registry, new RecordingSender()).socket(CHAT, handler).build();
  }

  private EventAnswer connect(String id) {
    return app.handle(new SocketEvent.Connect(CHAT, ConnectionId.of(id), QueryParameters.empty()))
        .toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
