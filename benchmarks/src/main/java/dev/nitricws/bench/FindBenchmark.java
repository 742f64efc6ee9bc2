package dev.nitricws.bench;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.SocketName;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code find} of a registered connection (always a hit), the read a send that came back gone
 * makes; one operation is one completed find. The socket holds {@code connections} entries,
 * numbered 0 to connections - 1, and each find picks one at random.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Threads(1)
public class FindBenchmark {

  /** A socket filled once per trial. */
  @State(Scope.Benchmark)
  public static class Target {
    @Param("10000")
    public int connections;

    SocketName socket;
    ConnectionRegistry registry;

    @Setup(Level.Trial)
    public void fill(StoreState store) {
      socket = store.socket("find");
      registry = store.bench.registry(socket);
      store.bench.fill(socket, 0, connections);
    }
  }

  @Benchmark
  public Connection find(Target target) {
    int n = ThreadLocalRandom.current().nextInt(target.connections);
    Optional<Connection> found = target.registry.find(target.socket, Fixtures.id(n)).toCompletableFuture().join();
    if (found.isEmpty()) {
      throw new IllegalStateException("connection " + Fixtures.id(n) + " of " + target.socket + " was not found");
    }
    return found.get();
  }
}
