package dev.nitricws.ports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.Headers;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketName;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Groups, users and attributes as handlers use them through the app. */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class GroupsAndAttributesTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final CountingRegistry registry = new CountingRegistry();
  private final RecordingSender gateway = new RecordingSender();
  private final List<SocketError> errors = new CopyOnWriteArrayList<>();
  private WebsocketApp app;

  @AfterEach
  void close() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void roomsJoinedByMessageReceiveOnlyTheirBroadcasts() {
    app = serve(SocketHandler.builder().onMessage(m -> {
      String[] parts = m.text().split(":", 2);
      switch (parts[0]) {
        case "join" -> m.join(parts[1]);
        case "leave" -> m.leave(parts[1]);
        default -> m.broadcastToOthersInGroup(parts[0], parts[1]);
      }
    }).build());
    connect("a");
    connect("b");
    connect("c");

    answer(message("a", "join:red"));
    answer(message("b", "join:red"));
    answer(message("c", "join:blue"));
    answer(message("a", "red:hello"));
    answer(message("c", "blue:alone"));

    assertThat(gateway.to(id("b"))).containsExactly("hello");
    assertThat(gateway.to(id("a"))).isEmpty();
    assertThat(gateway.to(id("c"))).isEmpty();
    assertThat(count(app.websocket("chat").group("red"))).isEqualTo(2L);

    answer(message("b", "leave:red"));
    answer(message("a", "red:again"));
    assertThat(gateway.to(id("b"))).containsExactly("hello");
    assertThat(count(app.websocket("chat").group("red"))).isEqualTo(1L);
  }

  @Test
  void aUserSetAtConnectIsOnlineWhileAConnectionIsOpenAndGetsEverySend() {
    app = serve(SocketHandler.builder()
        .onConnect(c -> c.user(c.query().first("name").orElseThrow()).join("lobby"))
        .onMessage(m -> m.reply(m.user().orElse("?") + " in " + m.socket().groupsOf(m.connectionId())
            .toCompletableFuture().join().stream().map(GroupName::name).sorted().toList()))
        .build());
    Websocket chat = app.websocket("chat");
    connect("a", "ada");
    connect("b", "ada");
    connect("c", "bob");

    assertThat(online(chat.user("ada"))).isTrue();
    assertThat(count(chat.user("ada"))).isEqualTo(2L);
    assertThat(count(chat.group("lobby"))).isEqualTo(3L);
    assertThat(chat.user("ada").broadcast("for ada").toCompletableFuture().join().delivered()).isEqualTo(2);
    assertThat(gateway.to(id("a"))).containsExactly("for ada");
    assertThat(gateway.to(id("c"))).isEmpty();

    answer(message("a", "who"));
    assertThat(gateway.to(id("a"))).containsExactly("for ada", "ada in [ada, lobby]");

    answer(disconnect("a"));
    answer(disconnect("b"));
    assertThat(online(chat.user("ada"))).as("offline once every connection has gone").isFalse();
    assertThat(online(chat.user("bob"))).isTrue();
    assertThat(count(chat.group("lobby"))).isEqualTo(1L);
  }

  @Test
  void attributesSetAtConnectAreReadInLaterEventsWithoutAStoreCall() {
    List<String> seen = new CopyOnWriteArrayList<>();
    app = serve(SocketHandler.builder()
        .onConnect(c -> c.attribute("name", "Ada"))
        .onMessage(m -> seen.add("message " + m.attribute("name").orElse("-")))
        .onDisconnect(d -> seen.add("disconnect " + d.attribute("name").orElse("-")))
        .build());
    connect("a");
    int findsBefore = registry.finds.get();

    answer(message("a", "hi"));
    answer(message("a", "again"));
    answer(disconnect("a"));

    assertThat(seen).containsExactly("message Ada", "message Ada", "disconnect Ada");
    assertThat(registry.finds.get()).as("store reads").isEqualTo(findsBefore);
  }

  @Test
  void aConnectionAcceptedElsewhereHasItsAttributesReadOnceFromTheRegistry() {
    List<String> seen = new CopyOnWriteArrayList<>();
    app = serve(SocketHandler.builder()
        .onMessage(m -> seen.add(m.attribute("name").orElse("-") + "/" + m.attribute("missing").orElse("-")))
        .onDisconnect(d -> seen.add("bye " + d.attribute("name").orElse("-")))
        .build());
    registerElsewhere("x", Map.of("name", "Grace"));

    answer(message("x", "one"));
    answer(message("x", "two"));
    assertThat(registry.finds.get()).isEqualTo(1);
    answer(disconnect("x"));

    assertThat(seen).containsExactly("Grace/-", "Grace/-", "bye Grace");
    assertThat(registry.finds.get()).as("the disconnect found it cached").isEqualTo(1);
  }

  @Test
  void aDisconnectOfAConnectionNotCachedReadsItsAttributesBeforeUnregistering() {
    List<String> seen = new CopyOnWriteArrayList<>();
    app = serve(SocketHandler.builder().onDisconnect(d -> seen.add("bye " + d.attribute("name").orElse("-"))).build());
    registerElsewhere("x", Map.of("name", "Grace"));

    answer(disconnect("x"));

    assertThat(seen).containsExactly("bye Grace");
    assertThat(registry.find(CHAT, id("x")).toCompletableFuture().join()).isEmpty();
  }

  @Test
  void aRegistryThatFailsToReadAttributesFailsOnlyTheHandlersThatReadThem() {
    List<String> seen = new CopyOnWriteArrayList<>();
    app = serve(SocketHandler.builder()
        .onMessage(m -> seen.add(m.text().equals("read") ? m.attribute("name").orElse("-") : "no attributes needed"))
        .build());
    registerElsewhere("x", Map.of("name", "Grace"));
    registry.failFinds = true;

    answer(message("x", "plain"));
    answer(message("x", "read"));

    assertThat(seen).containsExactly("no attributes needed");
    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.cause()).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("attributes of connection x could not be read").hasRootCauseInstanceOf(ConnectionStoreException.class);
    });
  }

  @Test
  void aStoreWithoutGroupsSaysSoClearly() {
    // the in-memory store seen as a registry alone
    InMemoryConnectionRegistry store = new InMemoryConnectionRegistry();
    ConnectionRegistry plain = (ConnectionRegistry) Proxy.newProxyInstance(ConnectionRegistry.class.getClassLoader(),
        new Class<?>[] {ConnectionRegistry.class}, (proxy, method, args) -> method.invoke(store, args));
    app = WebsocketApp.builder(plain, gateway).socket("chat", SocketHandler.builder().build()).build();

    assertThatThrownBy(() -> app.websocket("chat").group("red"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("does not implement ConnectionGroups");
  }

  @Test
  void badGroupNamesAreRefusedWithTheProblemNamed() {
    app = serve(SocketHandler.builder().build());
    assertThatThrownBy(() -> app.websocket("chat").group(""))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("group name must have 1 to 256 characters");
    assertThatThrownBy(() -> app.websocket("chat").user("x".repeat(300)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user id must have 1 to 256 characters");
  }

  // ---------------------------------------------------------------- helpers

  private WebsocketApp serve(SocketHandler handler) {
    SocketHandler withErrors = new CallbackHandler(handler::onConnect, handler::onDisconnect, handler::onMessage,
        errors::add);
    return WebsocketApp.builder(registry, gateway).socket("chat", withErrors).build();
  }

  private static ConnectionId id(String id) {
    return ConnectionId.of(id);
  }

  private void connect(String id) {
    connect(id, null);
  }

  private void connect(String id, String name) {
    QueryParameters query = name == null ? QueryParameters.empty() : new QueryParameters(Map.of("name", List.of(name)));
    assertThat(answer(app.handle(new SocketEvent.Connect(CHAT, id(id), query, Headers.empty()))))
        .isEqualTo(EventAnswer.ACCEPT);
  }

  private void registerElsewhere(String id, Map<String, String> attributes) {
    java.time.Instant now = java.time.Instant.now();
    registry.register(new Connection(CHAT, id(id), attributes, QueryParameters.empty(), now, now.plusSeconds(3600)))
        .toCompletableFuture().join();
  }

  private CompletionStage<EventAnswer> message(String from, String text) {
    return app.handle(SocketEvent.Message.ofText(CHAT, id(from), text));
  }

  private CompletionStage<EventAnswer> disconnect(String id) {
    return app.handle(new SocketEvent.Disconnect(CHAT, id(id)));
  }

  private static <T> T answer(CompletionStage<T> stage) {
    return stage.toCompletableFuture().completeOnTimeout(null, WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
  }

  private static long count(Group group) {
    return group.count().toCompletableFuture().join();
  }

  private static boolean online(Group user) {
    return user.hasMembers().toCompletableFuture().join();
  }

  /** The in-memory store, counting finds, and failing them on demand. */
  private static final class CountingRegistry extends ForwardingRegistry {
    final AtomicInteger finds = new AtomicInteger();
    volatile boolean failFinds;

    CountingRegistry() {
      super(new InMemoryConnectionRegistry());
    }

    @Override
    public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
      finds.incrementAndGet();
      if (failFinds) {
        return CompletableFuture.failedFuture(new ConnectionStoreException("store down", null));
      }
      return super.find(socket, id);
    }
  }
}
