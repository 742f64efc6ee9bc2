package dev.nitricws.adapters.micrometer;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionGroups;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.SocketName;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A {@link ConnectionRegistry} and {@link ConnectionGroups} that times every call of the store it wraps with Micrometer: the
 * timer {@value #REGISTRY_DURATION}, tagged {@code store} (the name given, e.g. {@code redis}),
 * {@code operation} ({@code register}, {@code unregister}, {@code find}, {@code count}, {@code scan},
 * and for the store's groups {@code join}, {@code leave}, {@code groups_of}, {@code count_members},
 * {@code scan_members}) and {@code outcome} ({@code success}, or {@code error} when the stage failed or the call threw).
 * A call is timed from the call until its stage completes; for {@code scan} that is the whole scan,
 * the time the caller took to consume its pages included (a broadcast's sends, for one).
 *
 * <p>Everything else is the wrapped store's: its answers, failures and thread-safety are passed on
 * unchanged, so the decorator passes the registry contract whenever the store does. Recording
 * happens on the thread that completes the store's stage and allocates no meter.
 */
public final class MicrometerConnectionRegistry implements ConnectionRegistry, ConnectionGroups {

  /** Timer: how long each call to the store took, by store, operation and outcome. */
  public static final String REGISTRY_DURATION = "nitricws.registry.duration";

  private enum Operation { REGISTER, UNREGISTER, FIND, COUNT, SCAN, JOIN, LEAVE, GROUPS_OF, COUNT_MEMBERS, SCAN_MEMBERS }

  private final ConnectionRegistry store;
  private final Timer[] succeeded = new Timer[Operation.values().length];
  private final Timer[] failed = new Timer[Operation.values().length];

  private MicrometerConnectionRegistry(ConnectionRegistry store, String storeName, MeterRegistry meters) {
    this.store = store;
    for (Operation operation : Operation.values()) {
      succeeded[operation.ordinal()] = timer(meters, storeName, operation, "success");
      failed[operation.ordinal()] = timer(meters, storeName, operation, "error");
    }
  }

  /**
   * {@code store}, each call timed into {@code meters} with the tag {@code store=storeName}.
   *
   * @throws IllegalArgumentException when {@code storeName} is blank
   */
  public static MicrometerConnectionRegistry timing(ConnectionRegistry store, String storeName, MeterRegistry meters) {
    requireNonNull(store, "store");
    requireNonNull(storeName, "storeName");
    requireNonNull(meters, "meters");
    if (storeName.isBlank()) {
      throw new IllegalArgumentException("storeName must name the store (e.g. redis), got '" + storeName + "'");
    }
    return new MicrometerConnectionRegistry(store, storeName, meters);
  }

  @Override
  public CompletionStage<Void> register(Connection connection) {
    return timed(Operation.REGISTER, () -> store.register(connection));
  }

  @Override
  public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
    return timed(Operation.UNREGISTER, () -> store.unregister(socket, id));
  }

  @Override
  public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
    return timed(Operation.FIND, () -> store.find(socket, id));
  }

  @Override
  public CompletionStage<Long> count(SocketName socket) {
    return timed(Operation.COUNT, () -> store.count(socket));
  }

  @Override
  public CompletionStage<Long> scan(SocketName socket, int pageSize,
      Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    return timed(Operation.SCAN, () -> store.scan(socket, pageSize, onPage));
  }

  @Override
  public CompletionStage<Boolean> join(SocketName socket, GroupName group, ConnectionId id) {
    return timed(Operation.JOIN, () -> groups().join(socket, group, id));
  }

  @Override
  public CompletionStage<Boolean> leave(SocketName socket, GroupName group, ConnectionId id) {
    return timed(Operation.LEAVE, () -> groups().leave(socket, group, id));
  }

  @Override
  public CompletionStage<Set<GroupName>> groupsOf(SocketName socket, ConnectionId id) {
    return timed(Operation.GROUPS_OF, () -> groups().groupsOf(socket, id));
  }

  @Override
  public CompletionStage<Long> countMembers(SocketName socket, GroupName group) {
    return timed(Operation.COUNT_MEMBERS, () -> groups().countMembers(socket, group));
  }

  @Override
  public CompletionStage<Long> scanMembers(SocketName socket, GroupName group, int pageSize,
      Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    return timed(Operation.SCAN_MEMBERS, () -> groups().scanMembers(socket, group, pageSize, onPage));
  }

  /** The wrapped store's groups; a store that keeps none fails the call saying so. */
  private ConnectionGroups groups() {
    return ConnectionGroups.of(store);
  }

  private <T> CompletionStage<T> timed(Operation operation, Supplier<CompletionStage<T>> call) {
    long start = System.nanoTime();
    CompletionStage<T> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      record(failed[operation.ordinal()], start);
      throw e;
    }
    // a new future completed with the store's own value or error, so nothing is wrapped on the way
    CompletableFuture<T> timed = new CompletableFuture<>();
    stage.whenComplete((value, error) -> {
      record((error == null ? succeeded : failed)[operation.ordinal()], start);
      if (error != null) {
        timed.completeExceptionally(error);
      } else {
        timed.complete(value);
      }
    });
    return timed;
  }

  private static void record(Timer timer, long start) {
    timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
  }

  private static Timer timer(MeterRegistry meters, String storeName, Operation operation, String outcome) {
    return Timer.builder(REGISTRY_DURATION)
        .description("calls to the connection store, from the call until its stage completed")
        .tags("store", storeName, "operation", operation.name().toLowerCase(Locale.ROOT), "outcome", outcome)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(meters);
  }

  @Override
  public String toString() {
    return "MicrometerConnectionRegistry[" + store + "]";
  }
}
