package dev.nitricws.adapters.postgres;

import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes expired rows, and by the foreign key's cascade their group memberships: in batches of
 * {@value #BATCH}, oldest first, rows locked by others skipped, on demand and every {@link
 * PostgresRegistryConfig#purgeInterval()} on a timer thread of its own ({@code
 * nitricws-postgres-purge-<schema>-1}). The statements run on the registry's executor; one
 * background purge runs at a time.
 */
final class ExpiryPurge {

  /** Logs under the registry's name, as the rest of the registry does. */
  private static final Logger LOG = LoggerFactory.getLogger(PostgresConnectionRegistry.class);

  /** Rows deleted per purge statement. */
  static final int BATCH = 1_000;

  private final PostgresRegistryConfig config;
  private final StoreExecutor executor;
  private final String statement;
  private final Clock clock;
  private final BooleanSupplier registryClosed;
  private final AtomicBoolean purging = new AtomicBoolean();
  private final ScheduledExecutorService timer;

  /** Starts the timer, unless the purge interval is zero. */
  ExpiryPurge(PostgresRegistryConfig config, StoreExecutor executor, PostgresStatements sql, Clock clock,
      BooleanSupplier registryClosed) {
    this.config = config;
    this.executor = executor;
    this.statement = sql.purge();
    this.clock = clock;
    this.registryClosed = registryClosed;
    if (config.purgeInterval().isZero()) {
      this.timer = null;
    } else {
      long every = config.purgeInterval().toMillis();
      this.timer = Executors.newSingleThreadScheduledExecutor(
          StoreExecutor.daemonThreads("nitricws-postgres-purge-" + config.schema() + "-"));
      this.timer.scheduleWithFixedDelay(this::inBackground, every, every, TimeUnit.MILLISECONDS);
    }
  }

  /** Deletes every row expired by the clock, batch after batch; completes with the number deleted. */
  CompletableFuture<Long> purge() {
    return purgeFrom(0);
  }

  /** Stops the timer; a purge under way goes on until the executor stops. */
  void stop() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  private CompletableFuture<Long> purgeFrom(long deletedSoFar) {
    return executor.run("purge of expired connections", null, null, h -> h.createUpdate(statement)
        .bind("now", SqlTime.now(clock))
        .bind("limit", BATCH)
        .execute())
        .thenCompose(deleted -> deleted < BATCH || registryClosed.getAsBoolean()
            ? CompletableFuture.completedFuture(deletedSoFar + deleted)
            : purgeFrom(deletedSoFar + deleted));
  }

  private void inBackground() {
    if (registryClosed.getAsBoolean() || !purging.compareAndSet(false, true)) {
      return;
    }
    purgeFrom(0).whenComplete((deleted, error) -> {
      purging.set(false);
      if (error != null) {
        LOG.warn("postgres registry on {}: background purge failed: {}", config.describe(), error.getMessage());
      } else if (deleted > 0) {
        LOG.debug("postgres registry on {}: purged {} expired connection(s)", config.describe(), deleted);
      }
    });
  }
}
