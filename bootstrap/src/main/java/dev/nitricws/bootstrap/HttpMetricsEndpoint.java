package dev.nitricws.bootstrap;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.nitricws.domain.LogText;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics}: the meters in Prometheus's text format; {@code GET /health}: 200 when every
 * {@link HealthChecks health check} is up, 503 otherwise, with a small JSON body naming each check.
 * Served by the JDK's HTTP server on every interface (Prometheus scrapes from elsewhere), on one
 * thread of its own, so a slow store check never holds up a network or handler thread. Anything
 * else is 404, a method other than GET or HEAD 405.
 */
final class HttpMetricsEndpoint implements MetricsEndpoint {

  private static final Logger LOG = LoggerFactory.getLogger(HttpMetricsEndpoint.class);
  /** Prometheus's text exposition format, what PrometheusMeterRegistry.scrape() writes. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final int port;
  private final Supplier<String> scrape;
  private final HealthChecks health;
  private HttpServer server;
  private ExecutorService executor;

  /**
   * An endpoint for port {@code port} (0: any free port), serving {@code scrape}'s text at
   * {@code /metrics} and {@code health} at {@code /health}; not started.
   */
  HttpMetricsEndpoint(int port, Supplier<String> scrape, HealthChecks health) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("metrics port must be between 0 and 65535, got " + port);
    }
    this.port = port;
    this.scrape = requireNonNull(scrape, "scrape");
    this.health = requireNonNull(health, "health");
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      throw new IllegalStateException("the metrics endpoint is already started");
    }
    HttpServer created;
    try {
      created = HttpServer.create(new InetSocketAddress(port), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve metrics on port " + port + " (--metrics-port): " + e.getMessage(), e);
    }
    executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "nitricws-metrics");
      t.setDaemon(true);
      return t;
    });
    created.setExecutor(executor);
    created.createContext("/", this::serve);
    created.start();
    server = created;
    LOG.info("metrics for Prometheus at http://<this host>:{}/metrics, health at /health", server.getAddress().getPort());
  }

  @Override
  public synchronized OptionalInt port() {
    return server == null ? OptionalInt.empty() : OptionalInt.of(server.getAddress().getPort());
  }

  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
      executor.shutdownNow();
      server = null;
    }
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/metrics") && !path.equals("/health")) {
        respond(exchange, 404, "text/plain; charset=utf-8", "not found: try /metrics or /health\n");
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        respond(exchange, 405, "text/plain; charset=utf-8", "method not allowed: GET or HEAD\n");
      } else if (path.equals("/metrics")) {
        respond(exchange, 200, PROMETHEUS_TEXT, scrape.get());
      } else {
        HealthChecks.Health result = health.check();
        respond(exchange, result.up() ? 200 : 503, "application/json", result.json());
      }
    } catch (RuntimeException e) {
      LOG.warn("could not answer {} {}", LogText.escape(exchange.getRequestMethod()),
          LogText.escape(exchange.getRequestURI().getPath()), e);
      throw e;
    }
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    boolean head = exchange.getRequestMethod().equals("HEAD");
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
