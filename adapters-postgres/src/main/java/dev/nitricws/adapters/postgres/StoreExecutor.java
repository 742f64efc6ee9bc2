package dev.nitricws.adapters.postgres;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionStoreException;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.Shutdown;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the registry's statements run, since JDBC blocks: as many threads as pool connections
 * ({@code nitricws-postgres-<schema>-N}, let go when idle) and a queue bounded by {@link
 * PostgresRegistryConfig#maxQueued()}. An operation that finds the queue full fails at once. Every
 * failure completes the operation's stage with a {@link ConnectionStoreException} naming the
 * database, the operation, the connection and the socket.
 */
final class StoreExecutor {

  /** Logs under the registry's name, as the rest of the registry does. */
  private static final Logger LOG = LoggerFactory.getLogger(PostgresConnectionRegistry.class);

  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final PostgresRegistryConfig config;
  private final Jdbi jdbi;
  private final BooleanSupplier registryClosed;
  private final ThreadPoolExecutor threads;

  /**
   * @param registryClosed whether the registry is closed, for the message of a refused operation
   */
  StoreExecutor(PostgresRegistryConfig config, Jdbi jdbi, BooleanSupplier registryClosed) {
    this.config = config;
    this.jdbi = jdbi;
    this.registryClosed = registryClosed;
    this.threads = new ThreadPoolExecutor(config.poolSize(), config.poolSize(), 60, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(config.maxQueued()), daemonThreads("nitricws-postgres-" + config.schema() + "-"),
        new ThreadPoolExecutor.AbortPolicy());
    this.threads.allowCoreThreadTimeOut(true);
  }

  /**
   * Runs {@code work} with a handle on one of the executor's threads; the stage completes there.
   *
   * @param operation what the work is, for messages ("register", "scan", ...)
   * @param socket the socket it is about, or null
   * @param id the connection it is about (for a scan, the id it pages after), or null
   */
  <T> CompletableFuture<T> run(String operation, SocketName socket, ConnectionId id,
      HandleCallback<T, RuntimeException> work) {
    return run(operation, socket, null, id, work);
  }

  /**
   * {@link #run(String, SocketName, ConnectionId, HandleCallback)} for work on a group, which
   * messages name too.
   *
   * @param group the group it is about, or null
   */
  <T> CompletableFuture<T> run(String operation, SocketName socket, GroupName group, ConnectionId id,
      HandleCallback<T, RuntimeException> work) {
    StoreTask<T> task = new StoreTask<>(operation, socket, group, id, work);
    try {
      threads.execute(task);
    } catch (RejectedExecutionException e) {
      task.fail(new ConnectionStoreException(PostgresFailures.where(config) + task.describe() + " refused: "
          + (registryClosed.getAsBoolean() || threads.isShutdown() ? "the registry is closed"
              : config.maxQueued() + " operations are already waiting for a database connection"), e));
    }
    return task.result;
  }

  /**
   * Takes no more work and lets queued operations finish, for up to 10 s; those still queued then
   * fail with a {@link ConnectionStoreException}.
   */
  void shutDown() {
    if (!Shutdown.within(CLOSE_WAIT, threads::shutdown, threads::awaitTermination)) {
      List<Runnable> abandoned = threads.shutdownNow();
      for (Runnable r : abandoned) {
        if (r instanceof StoreTask<?> task) {
          task.fail(new ConnectionStoreException(PostgresFailures.where(config) + task.describe()
              + " abandoned: the registry was closed"));
        }
      }
      LOG.warn("postgres registry on {} closed with {} operation(s) not done", config.describe(), abandoned.size());
    }
  }

  /** Daemon threads named {@code prefix} and a count. */
  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** One operation waiting for, or running on, the executor. */
  private final class StoreTask<T> implements Runnable {
    final CompletableFuture<T> result = new CompletableFuture<>();
    private final String operation;
    private final SocketName socket;
    private final GroupName group;
    private final ConnectionId id;
    private final HandleCallback<T, RuntimeException> work;

    StoreTask(String operation, SocketName socket, GroupName group, ConnectionId id,
        HandleCallback<T, RuntimeException> work) {
      this.operation = operation;
      this.socket = socket;
      this.group = group;
      this.id = id;
      this.work = work;
    }

    @Override
    public void run() {
      try {
        result.complete(jdbi.withHandle(work));
      } catch (Exception e) {
        result.completeExceptionally(PostgresFailures.failure(config, describe() + " failed", e));
      } catch (Throwable t) { // an Error: the caller must still hear about it
        result.completeExceptionally(t);
        throw t;
      }
    }

    void fail(Throwable error) {
      result.completeExceptionally(error);
    }

    /**
     * {@code register of connection 'a' on socket chat}, {@code join of connection 'a' in group
     * 'room' on socket chat}, {@code member scan in group 'room' after id 'a' on socket chat}.
     */
    String describe() {
      StringBuilder out = new StringBuilder(operation);
      boolean scan = operation.endsWith("scan");
      if (id != null && !scan) {
        out.append(" of connection '").append(id).append('\'');
      }
      if (group != null) {
        out.append(" in ").append(group);
      }
      if (id != null && scan) {
        out.append(" after id '").append(id).append('\'');
      }
      if (socket != null) {
        out.append(" on socket ").append(socket);
      }
      return out.toString();
    }
  }
}
