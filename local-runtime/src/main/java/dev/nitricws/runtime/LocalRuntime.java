package dev.nitricws.runtime;

import static java.util.Objects.requireNonNull;

import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.gateway.GatewaySettings;
import dev.nitricws.runtime.gateway.SocketEndpoint;
import dev.nitricws.runtime.gateway.WebsocketGateway;
import dev.nitricws.runtime.gateway.WebsocketService;
import dev.nitricws.runtime.handlers.DisconnectCounter;
import dev.nitricws.runtime.handlers.HandlerRegistry;
import dev.nitricws.runtime.handlers.WebsocketHandlerService;
import dev.nitricws.runtime.kv.KvStorage;
import dev.nitricws.runtime.kv.KvStoreService;
import dev.nitricws.runtime.resources.DeclaredResources;
import dev.nitricws.runtime.resources.ResourcesService;
import io.grpc.Server;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Nitric-compatible runtime for one machine: the gRPC services a Nitric v1 application needs
 * (Resources, Websocket, WebsocketHandler, KvStore) and a websocket gateway real clients connect
 * to. Point an application at it with {@code SERVICE_ADDRESS=<serviceAddress()>}.
 *
 * <pre>{@code
 * try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0).build().start()) {
 *   int grpcPort = runtime.grpcPort();
 *   ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #start()} and {@link #close()} block their caller briefly (binding, and
 * a graceful shutdown of at most a few seconds); call them from an application thread.
 */
public final class LocalRuntime implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalRuntime.class);

  /** Default gRPC port, the one Nitric SDKs use when SERVICE_ADDRESS is not set. */
  public static final int DEFAULT_GRPC_PORT = 50051;
  /** Default port of the first declared websocket, as with {@code nitric start}. */
  public static final int DEFAULT_WEBSOCKET_PORT = 4000;
  /** Default largest message, AWS API Gateway's limit. */
  public static final int DEFAULT_MAX_MESSAGE_SIZE = 128 * 1024;
  /** Default idle timeout, AWS API Gateway's. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
  /** Default interval between keep-alive pings. */
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(30);
  /** Default time the application has to answer an event. */
  public static final Duration DEFAULT_HANDLER_TIMEOUT = Duration.ofSeconds(30);
  /** Default time a new connection has to send its HTTP request (slow or silent clients are cut off). */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  /** Default number of connections one client address may hold. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 256;
  /**
   * Default number of connections in all: below a process's usual 20,000 open files, leaving
   * room for the runtime's other files and for refused connections waiting for their answer.
   */
  public static final int DEFAULT_MAX_CONNECTIONS = 16_000;
  /** Default messages a connection may send per second (and in one burst). */
  public static final int DEFAULT_MAX_MESSAGES_PER_SECOND = 100;
  /** Default bytes that may wait to be written to one connection: two messages of the default largest size. */
  public static final int DEFAULT_WRITE_BUFFER_SIZE = 256 * 1024;
  /** Default bytes that may queue for one connection in all before it is closed as not reading: 4 MiB. */
  public static final int DEFAULT_MAX_QUEUED_BYTES = 4 << 20;
  /** Default bytes that may queue for all connections together: 64 MiB. */
  public static final long DEFAULT_MAX_QUEUED_TOTAL_BYTES = 64L << 20;
  /** Default time a connection may stay unwritable (not reading) before it is closed. */
  public static final Duration DEFAULT_SLOW_CLIENT_TIMEOUT = Duration.ofSeconds(10);
  /** Default delay before changed key-value stores are written to disk. */
  public static final Duration DEFAULT_KV_FLUSH_INTERVAL = Duration.ofSeconds(1);

  private enum State { NEW, STARTED, CLOSED }

  private final String grpcHost;
  private final boolean tokenRequired;
  private final int configuredGrpcPort;
  private final HandlerRegistry registry;
  private final DisconnectCounter disconnects;
  private final WebsocketGateway gateway;
  private final KvStorage storage;
  private final ResourcesService resources;
  private final Server server;
  private final Server inProcessServer;
  private final String inProcessName;
  private State state = State.NEW;

  LocalRuntime(LocalRuntimeBuilder config) {
    this.grpcHost = config.grpcHost;
    this.configuredGrpcPort = config.grpcPort;
    // a registration opens its socket's port (idempotent), as in the reference runtime, whose
    // gateway follows the registered handlers: an app that re-registers after a restart is served
    this.registry = new HandlerRegistry(config.handlerTimeout, this::openSocketOf);
    GatewaySettings settings = config.gatewaySettings();
    this.storage = config.kvDirectory == null
        ? KvStorage.inMemory()
        : KvStorage.persistent(config.kvDirectory, config.kvFlushInterval);
    this.disconnects = new DisconnectCounter(registry);
    this.gateway = new WebsocketGateway(settings, disconnects);
    this.resources = new ResourcesService(gateway, storage);
    WebsocketService websockets = new WebsocketService(gateway);
    WebsocketHandlerService handlers = new WebsocketHandlerService(registry);
    KvStoreService kv = new KvStoreService(storage);
    NettyServerBuilder grpc = NettyServerBuilder.forAddress(new InetSocketAddress(config.grpcHost, config.grpcPort))
        .addService(resources)
        .addService(websockets)
        .addService(handlers)
        .addService(kv)
        .permitKeepAliveTime(5, TimeUnit.SECONDS)
        .permitKeepAliveWithoutCalls(true)
        // every service answers without blocking (a send is a write the gateway completes later):
        // calls run on the transport's threads, with no hand-off to a pool per call
        .directExecutor();
    // the same services for an app in this JVM: no HTTP/2 or sockets between them
    this.inProcessName = "nitric-ws-local-runtime-" + UUID.randomUUID();
    InProcessServerBuilder local = InProcessServerBuilder.forName(inProcessName).directExecutor()
        .addService(resources)
        .addService(websockets)
        .addService(handlers)
        .addService(kv);
    if (config.grpcToken != null) {
      grpc.intercept(new TokenAuthInterceptor(config.grpcToken));
      local.intercept(new TokenAuthInterceptor(config.grpcToken));
    }
    this.server = grpc.build();
    this.inProcessServer = local.build();
    this.tokenRequired = config.grpcToken != null;
  }

  /**
   * The name of this runtime's in-process gRPC server (grpc-java's {@code InProcessChannelBuilder.forName}):
   * the same services as {@link #serviceAddress()}, for an app in the same JVM, without HTTP/2 and
   * sockets between them. Served while the runtime runs, with the same token check.
   */
  public String inProcessName() {
    return inProcessName;
  }

  public static LocalRuntimeBuilder builder() {
    return new LocalRuntimeBuilder();
  }

  /**
   * Starts the gRPC server (websocket ports open when sockets are declared).
   *
   * @return this runtime
   * @throws LocalRuntimeException when the gRPC port cannot be bound
   * @throws IllegalStateException when already started or closed
   */
  public synchronized LocalRuntime start() {
    if (state != State.NEW) {
      throw new IllegalStateException("the runtime can be started once; it is " + state);
    }
    try {
      server.start();
      inProcessServer.start();
    } catch (IOException e) {
      close();
      throw new LocalRuntimeException(String.format("Unable to start the gRPC server on %s:%d",
          grpcHost, configuredGrpcPort), e);
    }
    state = State.STARTED;
    LOG.info("Nitric local runtime listening on {} (SERVICE_ADDRESS){}", serviceAddress(),
        tokenRequired ? "; every call must carry its token" : "");
    return this;
  }

  private void openSocketOf(String socketName) {
    gateway.declare(socketName).whenComplete((endpoint, error) -> {
      if (error != null) {
        LOG.error("Unable to open websocket '{}' for its registered handler", socketName, error);
      }
    });
  }

  /** The bound gRPC port (the actual one when configured as 0). */
  public synchronized int grpcPort() {
    requireStarted();
    return ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
  }

  /** The value an application sets as {@code SERVICE_ADDRESS}, e.g. {@code 127.0.0.1:50051}. */
  public String serviceAddress() {
    String host = grpcHost.equals("0.0.0.0") || grpcHost.equals("::") ? "127.0.0.1" : grpcHost;
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + grpcPort();
  }

  /**
   * Declares a websocket from the embedding side (as a Resources.Declare would) and waits until
   * its port is open. Idempotent.
   *
   * @return the socket's port
   */
  public int declareWebsocket(String socketName) {
    requireNonNull(socketName, "socketName");
    requireStarted();
    try {
      return gateway.declare(socketName).get(10, TimeUnit.SECONDS).port();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof LocalRuntimeException runtimeException) {
        throw runtimeException;
      }
      throw new LocalRuntimeException("Unable to open websocket '" + socketName + "'", e.getCause());
    } catch (TimeoutException e) {
      throw new LocalRuntimeException("Websocket '" + socketName + "' did not open within 10 s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LocalRuntimeException("Interrupted while opening websocket '" + socketName + "'", e);
    }
  }

  /**
   * The port clients of a declared socket connect to.
   *
   * @throws IllegalArgumentException when the socket is not declared (or its port not open yet)
   */
  public int websocketPort(String socketName) {
    return endpoint(socketName).port();
  }

  /** The URL clients of a declared socket connect to, e.g. {@code ws://127.0.0.1:4000}. */
  public String websocketUrl(String socketName) {
    return endpoint(socketName).url();
  }

  /** Names of the sockets whose ports are open. */
  public Set<String> websockets() {
    return gateway.socketNames();
  }

  /** How many open websocket connections a socket has. */
  public int connectionCount(String socketName) {
    return endpoint(socketName).connectionCount();
  }

  /** The gateway, for the tests (through their bridge in this package). */
  WebsocketGateway gateway() {
    return gateway;
  }

  /** How many HandleEvents streams are registered for the socket and event type. */
  public int handlerCount(String socketName, WebsocketEventType eventType) {
    requireNonNull(socketName, "socketName");
    requireNonNull(eventType, "eventType");
    return registry.handlerCount(socketName, eventType);
  }

  /** What the application has declared so far. */
  public DeclaredResources declaredResources() {
    return resources.declared();
  }

  private SocketEndpoint endpoint(String socketName) {
    requireNonNull(socketName, "socketName");
    return gateway.endpoint(socketName).orElseThrow(() -> new IllegalArgumentException(
        "websocket '" + socketName + "' is not declared (open: " + gateway.socketNames() + ")"));
  }

  private void requireStarted() {
    if (state != State.STARTED) {
      throw new IllegalStateException("the runtime is " + state + ", not STARTED");
    }
  }

  /**
   * Stops accepting websocket clients and closes every open one with 1001, then waits until the
   * application has answered each client's Disconnect event, or {@code maxWait} has passed. The
   * gRPC services keep running, so an application can still answer, and send or store what it
   * must, until {@link #close()}. An embedding process calls it first when it shuts down, so its
   * application sees every disconnect. Idempotent; blocks its caller.
   *
   * @return whether every Disconnect was answered within {@code maxWait}
   */
  public boolean closeGateway(Duration maxWait) {
    requireNonNull(maxWait, "maxWait");
    long deadline = System.nanoTime() + maxWait.toNanos();
    gateway.close();
    boolean answered = disconnects.awaitNone(deadline);
    if (!answered) {
      LOG.warn("Websocket gateway closed; Disconnect events still unanswered after {}", maxWait);
    }
    return answered;
  }

  /**
   * Closes every websocket client (each gets its Disconnect event), ends the handler streams,
   * stops the gRPC server and writes the key-value stores. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (state == State.CLOSED) {
      return;
    }
    state = State.CLOSED;
    gateway.close();
    registry.close();
    List<Server> servers = List.of(server, inProcessServer);
    servers.forEach(Server::shutdown);
    try {
      for (Server s : servers) {
        if (!s.awaitTermination(5, TimeUnit.SECONDS)) {
          s.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      servers.forEach(Server::shutdownNow);
      Thread.currentThread().interrupt();
    }
    storage.close();
    LOG.info("Nitric local runtime stopped");
  }
}
