package dev.nitricws.bench;

import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.SocketName;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
import org.openjdk.jmh.infra.IterationParams;

/**
 * {@code unregister} of a registered connection (so it answers {@code true}), the call a
 * disconnect makes; one operation is one completed unregister.
 *
 * <p>Every operation removes an entry, so before each iteration, outside the measured time, the
 * socket gets a stock the threads share (ids handed out by one counter): twice as many entries as
 * all threads removed per second in the previous iteration times the iteration's length (a guess
 * per store for the first iteration), at most {@value #MAX_STOCK}. An operation that finds the
 * stock used up unregisters an id that was never registered and counts itself in {@code starved}:
 * a measurement with starved operations overstates the rate (only the in-memory store comes
 * near).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Threads(1)
public class UnregisterBenchmark {

  /** The most entries registered ahead (an in-memory entry takes a few hundred bytes). */
  static final long MAX_STOCK = 2_000_000;

  /** Guessed operations per second over all threads, for the stock of the first iteration. */
  private static final Map<String, Long> FIRST_GUESS =
      Map.of("memory", 300_000L, "redis", 20_000L, "postgres", 5_000L, "nitric", 500L);

  /** The socket of the trial and its stock: ids {@code next} to {@code end - 1} are registered. */
  @State(Scope.Benchmark)
  public static class Stock {
    SocketName socket;
    ConnectionRegistry registry;
    final AtomicLong next = new AtomicLong();
    volatile long end;
    private double perSecond = -1;
    private long nextAtStart;

    @Setup(Level.Trial)
    public void fresh(StoreState store) {
      socket = store.socket("unregister");
      registry = store.bench.registry(socket);
    }

    @Setup(Level.Iteration)
    public void topUp(StoreState store, IterationParams iteration) {
      if (perSecond < 0) {
        perSecond = FIRST_GUESS.getOrDefault(store.store, 1_000L);
      }
      long want = Math.min(MAX_STOCK, (long) Math.ceil(perSecond * seconds(iteration) * 2) + 1_000);
      long have = end - next.get();
      if (have < want) {
        store.bench.fill(socket, end, want - have);
        end += want - have;
      }
      nextAtStart = next.get();
    }

    @TearDown(Level.Iteration)
    public void rate(IterationParams iteration) {
      long used = Math.min(next.get(), end) - nextAtStart;
      perSecond = Math.max(1, used / seconds(iteration));
      if (next.get() > end) {
        next.set(end); // the starved ids were never registered: the next top-up starts there
      }
    }

    private static double seconds(IterationParams iteration) {
      return iteration.getTime().convertTo(TimeUnit.MILLISECONDS) / 1000.0;
    }
  }

  /** Operations that found the stock used up (see the class comment); a total per iteration. */
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
  public boolean unregister(Stock stock, Starved starved) {
    long n = stock.next.getAndIncrement();
    boolean removed = stock.registry.unregister(stock.socket, Fixtures.id(n)).toCompletableFuture().join();
    if (n >= stock.end) {
      starved.starved++;
    } else if (!removed) {
      throw new IllegalStateException("connection " + Fixtures.id(n) + " of " + stock.socket + " was not registered");
    }
    return removed;
  }
}
