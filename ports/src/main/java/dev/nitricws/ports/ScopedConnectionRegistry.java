package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionGroups;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.Pages;
import dev.nitricws.domain.SocketName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A registry that keeps one gateway's connections apart from another's in a store they share.
 * Connection ids mean something only to the gateway that issued them: a broadcast that sent one
 * gateway's ids through another would find them "gone" there and prune live connections. So each
 * socket is stored under a name of its own per scope, {@link #scoped(SocketName, String)}: {@code
 * <socket>-<12 hex digits of SHA-256(scope, socket)>}, which stays a valid socket name. The app
 * sees its own socket names throughout: what {@code find} returns carries the unscoped name.
 *
 * <p>The scope may be known only later (a gateway's URL is known once its socket is declared):
 * {@link #deferred} makes every call wait, without a thread, for the scope to be given.
 */
public final class ScopedConnectionRegistry implements ConnectionRegistry, ConnectionGroups {

  private static final int HASH_DIGITS = 12;
  private static final int KEPT = SocketName.MAX_LENGTH - HASH_DIGITS - 1;

  private final ConnectionRegistry inner;
  private final CompletableFuture<String> scope;
  /** The stored name of each socket seen; the scope never changes once given. */
  private final Map<SocketName, SocketName> storedNames = new ConcurrentHashMap<>();

  private ScopedConnectionRegistry(ConnectionRegistry inner, CompletableFuture<String> scope) {
    this.inner = requireNonNull(inner, "inner");
    this.scope = scope;
  }

  /** {@code inner}, scoped by {@code scope}. */
  public static ScopedConnectionRegistry of(ConnectionRegistry inner, String scope) {
    return new ScopedConnectionRegistry(inner, CompletableFuture.completedFuture(checked(scope)));
  }

  /**
   * {@code inner}, scoped by what {@code scope} completes with; calls made before then wait for it,
   * and fail with its failure.
   */
  public static ScopedConnectionRegistry deferred(ConnectionRegistry inner, CompletionStage<String> scope) {
    requireNonNull(scope, "scope");
    CompletableFuture<String> copy = new CompletableFuture<>();
    scope.whenComplete((s, error) -> {
      if (error != null) {
        copy.completeExceptionally(error);
      } else {
        try {
          copy.complete(checked(s));
        } catch (RuntimeException e) {
          copy.completeExceptionally(e);
        }
      }
    });
    return new ScopedConnectionRegistry(inner, copy);
  }

  /**
   * The name the store keeps {@code socket} under in {@code scope}: the socket's name (cut to
   * {@value #KEPT} characters) and 12 hex digits of a SHA-256 of the scope and the full name.
   */
  public static SocketName scoped(SocketName socket, String scope) {
    requireNonNull(socket, "socket");
    checked(scope);
    String name = socket.value();
    String kept = name.length() <= KEPT ? name : name.substring(0, KEPT).replaceAll("-+$", "");
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((scope + "\n" + name).getBytes(StandardCharsets.UTF_8));
      return SocketName.of(kept + "-" + HexFormat.of().formatHex(digest).substring(0, HASH_DIGITS));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  @Override
  public CompletionStage<Void> register(Connection connection) {
    requireNonNull(connection, "connection");
    return scope.thenCompose(s -> inner.register(new Connection(stored(connection.socket(), s), connection.id(),
        connection.attributes(), connection.query(), connection.connectedAt(), connection.expiresAt())));
  }

  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    return scope.thenCompose(s -> inner.unregister(stored(socket, s), id));
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    return scope.thenCompose(s -> inner.find(stored(socket, s), id)).thenApply(found -> found.map(c ->
        new Connection(socket, c.id(), c.attributes(), c.query(), c.connectedAt(), c.expiresAt())));
  }

  @Override
  public CompletionStage<Long> count(SocketName socket) {
    requireNonNull(socket, "socket");
    return scope.thenCompose(s -> inner.count(stored(socket, s)));
  }

  @Override
  public CompletionStage<Long> scan(SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    requireNonNull(socket, "socket");
    Pages.checkScan(socket, pageSize, onPage);
    return scope.thenCompose(s -> inner.scan(stored(socket, s), pageSize, onPage));
  }

  @Override
  public CompletionStage<Boolean> join(SocketName socket, GroupName group, ConnectionId id) {
    checkGroupCall(socket, group);
    requireNonNull(id, "id");
    return scope.thenCompose(s -> groups().join(stored(socket, s), group, id));
  }

  @Override
  public CompletionStage<Boolean> leave(SocketName socket, GroupName group, ConnectionId id) {
    checkGroupCall(socket, group);
    requireNonNull(id, "id");
    return scope.thenCompose(s -> groups().leave(stored(socket, s), group, id));
  }

  @Override
  public CompletionStage<Set<GroupName>> groupsOf(SocketName socket, ConnectionId id) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    return scope.thenCompose(s -> groups().groupsOf(stored(socket, s), id));
  }

  @Override
  public CompletionStage<Long> countMembers(SocketName socket, GroupName group) {
    checkGroupCall(socket, group);
    return scope.thenCompose(s -> groups().countMembers(stored(socket, s), group));
  }

  @Override
  public CompletionStage<Long> scanMembers(SocketName socket, GroupName group, int pageSize,
      Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    Pages.checkScan(socket, pageSize, onPage);
    checkGroupCall(socket, group);
    return scope.thenCompose(s -> groups().scanMembers(stored(socket, s), group, pageSize, onPage));
  }

  private static void checkGroupCall(SocketName socket, GroupName group) {
    requireNonNull(socket, "socket");
    requireNonNull(group, "group");
  }

  /** The inner registry's groups; fails when it keeps none. */
  private ConnectionGroups groups() {
    return ConnectionGroups.of(inner);
  }

  @Override
  public String toString() {
    return "ScopedConnectionRegistry[" + inner + "]";
  }

  /** {@link #scoped(SocketName, String)}, worked out once per socket: a SHA-256 per call is not free. */
  private SocketName stored(SocketName socket, String scope) {
    return storedNames.computeIfAbsent(socket, name -> scoped(name, scope));
  }

  private static String checked(String scope) {
    requireNonNull(scope, "scope");
    if (scope.isBlank()) {
      throw new IllegalArgumentException("a registry scope must not be blank");
    }
    return scope;
  }
}
