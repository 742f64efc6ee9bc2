package dev.nitricws.bench;

import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.SocketName;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * {@code unregister} of a registered connection (so it answers {@code true}), the call a
 * disconnect makes; one operation is one completed unregister.
 *
 * <p>Every operation removes an entry, so each thread registers a stock of its own before each
 * iteration, outside the measured time: half as many again as it removed per second in the
 * previous iteration times the iteration's length (a guess per store for the first iteration), at
 * most {@value #MAX_STOCK} entries over all threads. A thread that runs out unregisters an id that
 * was never registered and counts it in {@code starved}: a result with starved operations in a
 * measurement iteration ran out of stock (only the in-memory store comes near) and overstates the
 * rate.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Threads(1)
public class UnregisterBenchmark {

  /** The most entries registered ahead over all threads (in-memory entries take about 300 bytes). */
  static final long MAX_STOCK = 8_000_000;

  /** Each thread's ids: a range of 10^10 numbers of its own. */
  static final long RANGE = 10_000_000_000L;

  /** Guessed operations per second over all threads, for the stock of the first iteration. */
  private static final Map<String, Long> FIRST_GUESS =
      Map.of("memory", 2_000_000L, "redis", 40_000L, "postgres", 10_000L, "nitric", 10_000L);

  /** The socket of the trial. */
  @State(Scope.Benchmark)
  public static class Target {
    SocketName socket;
    ConnectionRegistry registry;

    @Setup(Level.Trial)
    public void fresh(StoreState store) {
      socket = store.socket("unregister");
      registry = store.bench.registry(socket);
    }
  }

  /** One thread's stock: ids {@code next} to {@code end - 1} are registered. */
  @State(Scope.Thread)
  public static class Stock {
    long first;
    long next;
    long end;
    double perSecond = -1;
    private long nextAtStart;
    private long startNanos;

    @Setup(Level.Iteration)
    public void topUp(StoreState store, Target target, ThreadParams thread, BenchmarkParams benchmark,
        IterationParams iteration) {
      if (perSecond < 0) {
        first = thread.getThreadIndex() * RANGE;
        next = first;
        end = first;
        perSecond = FIRST_GUESS.getOrDefault(store.store, 10_000L) / (double) benchmark.getThreads();
      }
      double seconds = iteration.getTime().convertTo(TimeUnit.MILLISECONDS) / 1000.0;
      long want = (long) Math.ceil(perSecond * seconds * 1.5) + 100;
      want = Math.min(want, MAX_STOCK / benchmark.getThreads());
      want = Math.min(want, first + RANGE - 1 - next);
      long have = end - next;
      if (have < want) {
        store.bench.fill(target.socket, end, want - have);
        end += want - have;
      }
      nextAtStart = next;
      startNanos = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void rate() {
      double seconds = (System.nanoTime() - startNanos) / 1e9;
      perSecond = Math.max(1, (next - nextAtStart) / seconds);
    }
  }

  /** Operations that found no stock (see the class comment); reported as a total per iteration. */
  @AuxCounters(AuxCounters.Type.EVENTS)
  @State(Scope.Thread)
  public static class Starved {
    public long starved;

    @Setup(Level.Iteration)
    public void reset() {
      starved = 0;
    }
  }

  @Benchmark
  public boolean unregister(Target target, Stock stock, Starved starved) {
    if (stock.next < stock.end) {
      long n = stock.next++;
      boolean removed = target.registry.unregister(target.socket, Fixtures.id(n)).toCompletableFuture().join();
      if (!removed) {
        throw new IllegalStateException("connection " + Fixtures.id(n) + " of " + target.socket + " was not registered");
      }
      return removed;
    }
    starved.starved++;
    return target.registry.unregister(target.socket, Fixtures.id(stock.first + RANGE - 1)).toCompletableFuture().join();
  }
}
