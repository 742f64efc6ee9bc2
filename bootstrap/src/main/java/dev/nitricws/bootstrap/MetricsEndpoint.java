package dev.nitricws.bootstrap;

import java.util.OptionalInt;

/**
 * The HTTP endpoint of {@code --metrics-port}: {@code /metrics} and {@code /health}
 * ({@link HttpMetricsEndpoint}), or {@link #OFF} when no port was given.
 */
interface MetricsEndpoint extends AutoCloseable {

  /** Serves nothing. */
  MetricsEndpoint OFF = new MetricsEndpoint() {
    @Override
    public void start() {}

    @Override
    public OptionalInt port() {
      return OptionalInt.empty();
    }

    @Override
    public void close() {}
  };

  /**
   * Starts serving.
   *
   * @throws java.io.UncheckedIOException when the port cannot be bound
   */
  void start();

  /** The port it listens on once started; empty when it serves nothing. */
  OptionalInt port();

  /** Stops serving. Idempotent. */
  @Override
  void close();
}
