package dev.nitricws.bench;

import dev.nitricws.domain.SocketName;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The store of one trial, shared by its threads: opened before the first iteration for as many
 * callers as the trial has threads, closed after the last one, with every socket the trial made
 * removed.
 */
@State(Scope.Benchmark)
public class StoreState {

  /** Which registry: {@code memory}, {@code redis}, {@code postgres} or {@code nitric}. */
  @Param({"memory", "redis", "postgres", "nitric"})
  public String store;

  BenchStore bench;

  private final List<SocketName> sockets = new ArrayList<>();

  @Setup(Level.Trial)
  public void open(BenchmarkParams params) {
    bench = BenchStore.open(store, params.getThreads());
  }

  /** A fresh socket, removed again at the end of the trial unless {@link #drop}ped before. */
  synchronized SocketName socket(String what) {
    SocketName socket = Fixtures.freshSocket(what);
    sockets.add(socket);
    return socket;
  }

  /** Removes {@code socket}'s entries now. */
  synchronized void drop(SocketName socket) {
    bench.drop(socket);
    sockets.remove(socket);
  }

  @TearDown(Level.Trial)
  public synchronized void close() {
    try {
      for (SocketName socket : List.copyOf(sockets)) {
        drop(socket);
      }
    } finally {
      bench.close();
    }
  }
}
