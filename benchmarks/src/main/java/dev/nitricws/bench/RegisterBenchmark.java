package dev.nitricws.bench;

import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.SocketName;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * {@code register} of a connection the store has never seen (an insert through the upsert), the
 * call a connect makes; one operation is one completed register. Each iteration writes to a fresh
 * socket, removed after the iteration.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Threads(1)
public class RegisterBenchmark {

  /** The socket of the iteration. */
  @State(Scope.Benchmark)
  public static class Target {
    volatile SocketName socket;
    volatile ConnectionRegistry registry;

    @Setup(Level.Iteration)
    public void fresh(StoreState store) {
      socket = store.socket("register");
      registry = store.bench.registry(socket);
    }

    @TearDown(Level.Iteration)
    public void drop(StoreState store) {
      store.drop(socket);
    }
  }

  /** Each thread numbers its ids in a range of its own, so every register is of a new id. */
  @State(Scope.Thread)
  public static class Ids {
    long next;

    @Setup(Level.Trial)
    public void start(ThreadParams thread) {
      next = thread.getThreadIndex() * 10_000_000_000L;
    }
  }

  @Benchmark
  public void register(Target target, Ids ids) {
    target.registry.register(Fixtures.connection(target.socket, Fixtures.id(ids.next++))).toCompletableFuture().join();
  }
}
