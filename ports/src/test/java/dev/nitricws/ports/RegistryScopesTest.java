package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Two gateways on one store: each sees its own connections only, under names that stay valid. */
class RegistryScopesTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private final InMemoryConnectionRegistry shared = new InMemoryConnectionRegistry();
  private final ScopedConnectionRegistry a = ScopedConnectionRegistry.of(shared, "ws://127.0.0.1:4000@host-a");
  private final ScopedConnectionRegistry b = ScopedConnectionRegistry.of(shared, "ws://127.0.0.1:4001@host-a");

  @Test
  void eachScopeSeesOnlyItsOwnConnectionsUnderItsOwnSocketName() {
    a.register(connection("a1")).toCompletableFuture().join();
    b.register(connection("b1")).toCompletableFuture().join();
    b.register(connection("b2")).toCompletableFuture().join();

    assertThat(a.count(CHAT).toCompletableFuture().join()).isEqualTo(1L);
    assertThat(b.count(CHAT).toCompletableFuture().join()).isEqualTo(2L);
    assertThat(a.find(CHAT, ConnectionId.of("b1")).toCompletableFuture().join()).isEmpty();
    assertThat(a.unregister(CHAT, ConnectionId.of("b1")).toCompletableFuture().join()).isFalse();
    assertThat(b.find(CHAT, ConnectionId.of("b1")).toCompletableFuture().join())
        .hasValueSatisfying(c -> assertThat(c.socket()).isEqualTo(CHAT));
    assertThat(shared.count(CHAT).toCompletableFuture().join()).as("nothing under the bare name").isZero();
    assertThat(shared.count(ScopedConnectionRegistry.scoped(CHAT, "ws://127.0.0.1:4001@host-a")).toCompletableFuture().join())
        .isEqualTo(2L);
  }

  @Test
  void scopedNamesAreValidSocketNamesAndKeepLongNamesApart() {
    SocketName longest = SocketName.of("a".repeat(60) + "-bcd");
    SocketName sibling = SocketName.of("a".repeat(60) + "-bce");

    assertThat(ScopedConnectionRegistry.scoped(CHAT, "s").value()).matches("chat-[0-9a-f]{12}");
    assertThat(ScopedConnectionRegistry.scoped(longest, "s").value()).hasSizeLessThanOrEqualTo(64);
    assertThat(ScopedConnectionRegistry.scoped(longest, "s")).isNotEqualTo(ScopedConnectionRegistry.scoped(sibling, "s"));
    assertThat(ScopedConnectionRegistry.scoped(CHAT, "s")).isEqualTo(ScopedConnectionRegistry.scoped(CHAT, "s"))
        .isNotEqualTo(ScopedConnectionRegistry.scoped(CHAT, "t"));
    assertThatThrownBy(() -> ScopedConnectionRegistry.of(shared, " ")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDeferredScopeHoldsCallsUntilItIsKnown() {
    CompletableFuture<String> scope = new CompletableFuture<>();
    ScopedConnectionRegistry later = ScopedConnectionRegistry.deferred(shared, scope);

    CompletableFuture<Void> registered = later.register(connection("c1")).toCompletableFuture();
    assertThat(registered).isNotDone();
    scope.complete("ws://127.0.0.1:4000@host-a");

    assertThat(registered).succeedsWithin(Duration.ofSeconds(5));
    assertThat(a.find(CHAT, ConnectionId.of("c1")).toCompletableFuture().join()).isPresent();
  }

  private static Connection connection(String id) {
    Instant now = Instant.now();
    return new Connection(CHAT, ConnectionId.of(id), Map.of(), QueryParameters.empty(), now, now.plus(Duration.ofHours(1)));
  }
}
