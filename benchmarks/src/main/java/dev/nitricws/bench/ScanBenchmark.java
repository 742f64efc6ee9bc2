package dev.nitricws.bench;

import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.SocketName;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * A full {@code scan} of a socket of {@code connections} entries, {@code pageSize} ids a page (the
 * broadcaster's default page, 500), with a consumer that takes each page at once; one operation
 * is one completed scan. The secondary result {@code ids} counts the ids delivered per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Threads(1)
public class ScanBenchmark {

  private static final CompletableFuture<Void> TAKEN = CompletableFuture.completedFuture(null);

  /** A socket filled once per trial. */
  @State(Scope.Benchmark)
  public static class Target {
    @Param("10000")
    public int connections;

    @Param("500")
    public int pageSize;

    SocketName socket;
    ConnectionRegistry registry;

    @Setup(Level.Trial)
    public void fill(StoreState store) {
      socket = store.socket("scan");
      registry = store.bench.registry(socket);
      store.bench.fill(socket, 0, connections);
    }
  }

  /** Ids delivered, reported by JMH per second as {@code ids}. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Delivered {
    public long ids;

    @Setup(Level.Iteration)
    public void reset() {
      ids = 0;
    }
  }

  @Benchmark
  public long scan(Target target, Delivered delivered) {
    long n = target.registry.scan(target.socket, target.pageSize, page -> TAKEN).toCompletableFuture().join();
    if (n != target.connections) {
      throw new IllegalStateException("a scan of " + target.socket + " delivered " + n + " ids, not " + target.connections);
    }
    delivered.ids += n;
    return n;
  }
}
