package dev.nitricws.bootstrap;

import static java.util.Objects.requireNonNull;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import dev.nitricws.adapters.nitric.NitricRuntimeClient;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.ScopedConnectionRegistry;
import dev.nitricws.ports.WebsocketApp;
import dev.nitricws.runtime.LocalRuntime;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running application: with no SERVICE_ADDRESS, the local runtime in-process and the app
 * against it; with one, the app against that runtime. Start with {@link #start}; {@link #close}
 * stops everything in reverse order (the embedded gateway and its clients, event streams,
 * handlers, store, runtime).
 */
public final class NitricWsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NitricWsServer.class);
  private static final String CHAT_PAGE = "dev/nitricws/bootstrap/chat.html";
  private static final long REGISTRATION_TIMEOUT_SECONDS = 30;

  private final AppSettings settings;
  private final LocalRuntime localRuntime;
  private final Lifecycle lifecycle;
  private final NitricRuntimeClient nitric;
  private final WebsocketApp app;
  private final SocketName storedSocket;
  private final MetricsEndpoint metrics;
  private boolean closed;

  private NitricWsServer(AppSettings settings, LocalRuntime localRuntime, Lifecycle lifecycle, NitricRuntimeClient nitric,
      WebsocketApp app, SocketName storedSocket, MetricsEndpoint metrics) {
    this.settings = settings;
    this.localRuntime = localRuntime;
    this.lifecycle = lifecycle;
    this.nitric = nitric;
    this.app = app;
    this.storedSocket = storedSocket;
    this.metrics = metrics;
  }

  /** Starts the chat example with {@code settings}. */
  public static NitricWsServer start(AppSettings settings) {
    return start(settings, new ChatModule());
  }

  /**
   * Starts the app whose {@link dev.nitricws.ports.SocketHandler} {@code handlerModule} binds.
   * Under the Nitric CLI's collection ({@link AppSettings#collecting()}) it returns once the
   * collector has ended every handler stream, having connected to no store; close it then. Fails (having released whatever it had started) if the store or runtime cannot be reached
   * or the handlers are not registered within 30 s.
   */
  public static NitricWsServer start(AppSettings settings, Module handlerModule) {
    requireNonNull(settings, "settings");
    requireNonNull(handlerModule, "handlerModule");
    LOG.info("starting nitric-ws: {}", settings);
    LocalRuntime local = null;
    Lifecycle lifecycle = new Lifecycle();
    GatewayScope scope = new GatewayScope();
    NitricRuntimeClient nitric = null;
    try {
      AppSettings effective = settings;
      if (settings.embedded()) {
        local = LocalRuntime.builder()
            .grpcPort(settings.localGrpcPort())
            .firstWebsocketPort(settings.localWebsocketPort())
            .maxConnections(settings.localMaxConnections())
            .staticPageResource(CHAT_PAGE)
            .build()
            .start();
        effective = settings.withServiceAddress(local.serviceAddress());
      }
      Injector injector = Guice.createInjector(
          new CoreModule(effective, lifecycle, scope, local == null ? null : local.inProcessName()),
          effective.collecting() ? StoreModules.forCollection(effective.store()) : StoreModules.forKind(effective.store()),
          MetricsModules.forSettings(effective),
          handlerModule);
      nitric = injector.getInstance(NitricRuntimeClient.class);
      WebsocketApp app = injector.getInstance(WebsocketApp.class);
      nitric.serve(app).toCompletableFuture().get(REGISTRATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      SocketName stored = effective.socket();
      if (!effective.collecting() && effective.store().sharedAcrossGateways()) {
        stored = keepApart(effective, app, scope);
      }
      MetricsEndpoint metrics = injector.getInstance(MetricsEndpoint.class);
      metrics.start();
      return new NitricWsServer(effective, local, lifecycle, nitric, app, stored, metrics);
    } catch (ExecutionException | TimeoutException | InterruptedException | RuntimeException e) {
      scope.fail(e);
      closeQuietly(nitric);
      lifecycle.close();
      closeQuietly(local);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      Throwable cause = (e instanceof ExecutionException || e instanceof ProvisionException) && e.getCause() != null
          ? e.getCause() : e;
      if (e instanceof TimeoutException) {
        throw new IllegalStateException("the Nitric runtime at " + settings.serviceAddress().orElse("(embedded)")
            + " did not accept the app's handlers within " + REGISTRATION_TIMEOUT_SECONDS + " s", e);
      }
      throw cause instanceof RuntimeException re ? re : new IllegalStateException("nitric-ws did not start: " + cause, cause);
    }
  }

  /**
   * Learns the gateway's URL from the runtime and gives the store its scope: from then on this
   * process's connections are stored under the scoped socket name it returns.
   */
  private static SocketName keepApart(AppSettings settings, WebsocketApp app, GatewayScope scope)
      throws ExecutionException, TimeoutException, InterruptedException {
    String url;
    try {
      url = app.websocket(settings.socket()).url().toCompletableFuture().get(REGISTRATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException("the Nitric runtime at " + settings.serviceAddress().orElseThrow()
          + " did not say the URL of socket '" + settings.socket() + "' (SocketDetails), which keeps this gateway's "
          + "connections apart from other gateways' in the shared " + settings.store().flag() + " store: "
          + e.getCause().getMessage(), e.getCause());
    }
    String resolved = scope.resolve(url);
    SocketName stored = ScopedConnectionRegistry.scoped(settings.socket(), resolved);
    LOG.info("connections of socket '{}' are kept in the {} store as '{}', apart from other gateways' (this one: {})",
        settings.socket(), settings.store().flag(), stored, resolved);
    return stored;
  }

  /** The settings in force (with the embedded runtime's address filled in). */
  public AppSettings settings() {
    return settings;
  }

  /**
   * The socket name the store keeps this server's connections under: in Redis and PostgreSQL the
   * socket's name scoped by its gateway ({@link GatewayScope}), elsewhere the socket's name.
   */
  public SocketName storedSocket() {
    return storedSocket;
  }

  /** The app, to send or broadcast from anywhere. */
  public WebsocketApp app() {
    return app;
  }

  /** The websocket port of the in-process runtime; fails when a runtime address was given. */
  public int websocketPort() {
    if (localRuntime == null) {
      throw new IllegalStateException("no in-process runtime: the app serves the runtime at "
          + settings.serviceAddress().orElseThrow());
    }
    return localRuntime.websocketPort(settings.socket().value());
  }

  /** The port of the metrics and health endpoint ({@code --metrics-port}); empty when none is served. */
  public OptionalInt metricsPort() {
    return metrics.port();
  }

  /** The in-process runtime, if this server started one. */
  public java.util.Optional<LocalRuntime> localRuntime() {
    return java.util.Optional.ofNullable(localRuntime);
  }

  /** What to tell a person once the server is up (or, under the Nitric CLI's collection, done). */
  public String banner() {
    if (settings.collecting()) {
      return "nitric-ws declared socket '" + settings.socket() + "'"
          + (settings.store() == StoreKind.NITRIC ? " and key-value store '" + settings.kvStore() + "'" : "")
          + " and registered its handlers with the Nitric CLI at " + settings.serviceAddress().orElseThrow();
    }
    String metricsLine = metrics.port().isPresent()
        ? "  Metrics for Prometheus: http://127.0.0.1:" + metrics.port().getAsInt() + "/metrics (health: /health)\n" : "";
    if (localRuntime == null) {
      return "nitric-ws serves socket '" + settings.socket() + "' (store: " + settings.store().flag()
          + ") on the Nitric runtime at " + settings.serviceAddress().orElseThrow()
          + (metricsLine.isEmpty() ? "" : "\n" + metricsLine.stripTrailing());
    }
    int port = websocketPort();
    return "nitric-ws chat is running (store: " + settings.store().flag() + ").\n"
        + "  Open http://127.0.0.1:" + port + "/ in a browser,\n"
        + "  or connect any websocket client to ws://127.0.0.1:" + port + "/\n"
        + "  Nitric runtime (SERVICE_ADDRESS for more app instances): " + settings.serviceAddress().orElseThrow() + "\n"
        + metricsLine
        + "  Ctrl-C stops it.";
  }

  /**
   * Stops in order: the embedded runtime's gateway first (it closes every client, and waits until
   * the app has handled each disconnect, so the store keeps no entry of this process), then the
   * event streams, the handlers, the store and the runtime. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("stopping nitric-ws");
    if (localRuntime != null) {
      try {
        localRuntime.closeGateway(settings.handlerTimeout().plusSeconds(2));
      } catch (RuntimeException e) {
        LOG.warn("could not close the gateway of the embedded runtime first", e);
      }
    }
    closeQuietly(nitric);
    lifecycle.close();
    closeQuietly(localRuntime);
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("could not close {}", c, e);
    }
  }
}
