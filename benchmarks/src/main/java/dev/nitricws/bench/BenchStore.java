package dev.nitricws.bench;

import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.SocketName;

/**
 * One registry under test ({@code memory}, {@code redis}, {@code postgres}, {@code nitric}) and
 * the housekeeping around it that is never measured: filling a socket before a benchmark and
 * removing what the benchmark made afterwards. See {@link Stores} for where each one lives.
 */
public interface BenchStore extends AutoCloseable {

  /** The names {@link #open} knows, in the order the benchmarks list them. */
  String[] NAMES = {"memory", "redis", "postgres", "nitric"};

  /** The store's name, as in {@code @Param}. */
  String name();

  /**
   * The registry that holds {@code socket}. Every store has one registry for all sockets but
   * {@code memory}, which keeps one per socket so that {@link #drop} can let a socket of millions
   * of entries go at once.
   */
  ConnectionRegistry registry(SocketName socket);

  /** Registers the connections numbered {@code from} to {@code from + count - 1} ({@link Fixtures#id}). */
  void fill(SocketName socket, long from, long count);

  /**
   * Removes every entry of {@code socket} from a server others use too; the {@code nitric} store,
   * whose runtime lives only as long as the trial's JVM, leaves them to go with it.
   */
  void drop(SocketName socket);

  /** Closes the registry and removes what the store itself made (a schema of its own, the runtime). */
  @Override
  void close();

  /**
   * Opens the store called {@code name} for {@code callers} concurrent callers (the Postgres pool
   * gets one connection per caller, as pgbench gets one per client).
   */
  static BenchStore open(String name, int callers) {
    return Stores.open(name, callers);
  }
}
