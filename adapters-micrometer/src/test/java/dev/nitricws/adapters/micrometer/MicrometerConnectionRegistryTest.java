package dev.nitricws.adapters.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.contract.ConnectionRegistryContract;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.SocketName;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The timed in-memory registry passes the contract, and every call it passes on is timed. */
class MicrometerConnectionRegistryTest extends ConnectionRegistryContract {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ConnectionRegistry registry =
      MicrometerConnectionRegistry.timing(new InMemoryConnectionRegistry(), "memory", meters);

  @Override
  protected ConnectionRegistry registry() {
    return registry;
  }

  @Test
  void everyCallIsTimedByStoreOperationAndOutcome() {
    SocketName socket = freshSocket();
    Connection c = connection(socket, "c1");
    join(registry.register(c));
    join(registry.find(socket, c.id()));
    join(registry.count(socket));
    assertThat(scanAll(socket, 10)).containsExactly(c.id());
    join(registry.unregister(socket, c.id()));

    for (String operation : List.of("register", "find", "count", "scan", "unregister")) {
      assertThat(timer("memory", operation, "success").count()).as(operation).isPositive();
    }
  }

  @Test
  void aFailedCallIsTimedAsAnErrorAndItsFailureIsPassedOnUnchanged() {
    ConnectionStoreException down = new ConnectionStoreException("store down", new IllegalStateException("refused"));
    ConnectionRegistry failing = MicrometerConnectionRegistry.timing(new FailingRegistry(down), "redis", meters);

    CompletableFuture<Long> count = failing.count(freshSocket()).toCompletableFuture();
    assertThat(count).isCompletedExceptionally();
    assertThat(count.handle((v, error) -> error).join()).isSameAs(down);
    assertThatThrownBy(() -> failing.find(freshSocket(), ConnectionId.of("c1"))).isSameAs(down.getCause());

    assertThat(timer("redis", "count", "error").count()).isEqualTo(1);
    assertThat(timer("redis", "find", "error").count()).isEqualTo(1);
    assertThat(timer("redis", "count", "success").count()).isZero();
  }

  @Test
  void aStoreNameIsRequired() {
    assertThatThrownBy(() -> MicrometerConnectionRegistry.timing(new InMemoryConnectionRegistry(), " ", meters))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("storeName must name the store");
  }

  private Timer timer(String store, String operation, String outcome) {
    return meters.get(MicrometerConnectionRegistry.REGISTRY_DURATION)
        .tags("store", store, "operation", operation, "outcome", outcome).timer();
  }

  /** Fails every count with {@code error}; throws the cause of {@code error} from find. */
  private static final class FailingRegistry implements ConnectionRegistry {
    private final ConnectionStoreException error;

    FailingRegistry(ConnectionStoreException error) {
      this.error = error;
    }

    @Override
    public CompletionStage<Void> register(Connection connection) {
      return CompletableFuture.failedFuture(error);
    }

    @Override
    public CompletionStage<Boolean> unregister(SocketName socket, ConnectionId id) {
      return CompletableFuture.failedFuture(error);
    }

    @Override
    public CompletionStage<Optional<Connection>> find(SocketName socket, ConnectionId id) {
      throw (IllegalStateException) error.getCause();
    }

    @Override
    public CompletionStage<Long> count(SocketName socket) {
      return CompletableFuture.failedFuture(error);
    }

    @Override
    public CompletionStage<Long> scan(SocketName socket, int pageSize,
        Function<List<ConnectionId>, CompletionStage<?>> onPage) {
      return CompletableFuture.failedFuture(error);
    }
  }
}
