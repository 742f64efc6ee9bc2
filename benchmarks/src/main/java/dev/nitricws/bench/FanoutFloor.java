package dev.nitricws.bench;

import dev.nitricws.proto.websockets.v1.WebsocketConnectionResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.gateway.WebsocketGateway;
import dev.nitricws.runtime.handlers.EventDispatcher;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor of the fan-out benchmark: local-runtime's websocket gateway alone, fanning each frame
 * a client sends out to every open connection, with no gRPC and no app. The gateway is the one
 * every other variant runs (same settings, same per-connection write path as a
 * {@code SendMessage}); only the dispatcher is this class, which accepts every connect, keeps the
 * connection ids it was told of, and writes each message to all of them before it answers, as the
 * chat waits for its broadcast before the sender's next message.
 *
 * <pre>
 * java -cp benchmarks.jar dev.nitricws.bench.FanoutFloor [--ws-port PORT] [--max-connections N]
 * </pre>
 *
 * <p>Prints {@code fan-out floor ready: ws://127.0.0.1:<port>} once the port is open (0, the
 * default, takes a free one) and runs until stopped (SIGTERM). {@code --max-connections} is the
 * gateway's cap (default 19,000); the other settings are local-runtime's defaults.
 */
public final class FanoutFloor implements EventDispatcher, AutoCloseable {

  /** The socket's name, as the chat's. */
  static final String SOCKET = "chat";
  /** The default cap: the largest N the fan-out suite opens. */
  static final int DEFAULT_MAX_CONNECTIONS = 19_000;

  private static final Optional<WebsocketEventResponse> ACCEPT = Optional.of(WebsocketEventResponse.newBuilder()
      .setConnectionResponse(WebsocketConnectionResponse.getDefaultInstance())
      .build());
  private static final Optional<WebsocketEventResponse> DONE = Optional.of(WebsocketEventResponse.getDefaultInstance());

  private final Set<String> connections = ConcurrentHashMap.newKeySet();
  private final AtomicLong failedSends = new AtomicLong();
  private final WebsocketGateway gateway;
  private final int port;

  private FanoutFloor(int wsPort, int maxConnections) throws Exception {
    this.gateway = new WebsocketGateway(
        LocalRuntime.builder().firstWebsocketPort(wsPort).maxConnections(maxConnections).gatewaySettings(), this);
    try {
      this.port = gateway.declare(SOCKET).get(10, TimeUnit.SECONDS).port();
    } catch (Exception e) {
      gateway.close();
      throw e;
    }
  }

  /**
   * Opens the gateway's port: {@code wsPort} (0 for a free one), at most {@code maxConnections}
   * connections in all.
   *
   * @throws IllegalArgumentException for a port or cap the runtime's builder refuses, naming it
   */
  public static FanoutFloor start(int wsPort, int maxConnections) throws Exception {
    return new FanoutFloor(wsPort, maxConnections);
  }

  /** The port clients connect to. */
  public int port() {
    return port;
  }

  /** Connections the floor sends to: those whose Connect it answered and whose Disconnect it has not seen. */
  public int connectionCount() {
    return connections.size();
  }

  /** Sends that failed so far (a connection gone, or closed for not reading). */
  public long failedSends() {
    return failedSends.get();
  }

  @Override
  public CompletableFuture<Optional<WebsocketEventResponse>> dispatch(WebsocketEventType type, WebsocketEventRequest event) {
    switch (type) {
      case Connect -> {
        connections.add(event.getConnectionId());
        return CompletableFuture.completedFuture(ACCEPT);
      }
      case Disconnect -> {
        connections.remove(event.getConnectionId());
        return CompletableFuture.completedFuture(DONE);
      }
      case Message -> {
        CompletableFuture<?>[] sends = connections.stream()
            .map(id -> gateway.send(SOCKET, id, event.getMessage().getBody()).exceptionally(error -> {
              failedSends.incrementAndGet();
              return null;
            }))
            .toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(sends).thenApply(sent -> DONE);
      }
      default -> {
        return CompletableFuture.completedFuture(DONE);
      }
    }
  }

  /** Closes every client with 1001 and the port. */
  @Override
  public void close() {
    gateway.close();
  }

  public static void main(String[] args) throws Exception {
    int wsPort = 0;
    int maxConnections = DEFAULT_MAX_CONNECTIONS;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value (usage: FanoutFloor [--ws-port PORT] [--max-connections N])");
      }
      String value = args[++i];
      switch (flag) {
        case "--ws-port" -> wsPort = number(flag, value);
        case "--max-connections" -> maxConnections = number(flag, value);
        default -> throw new IllegalArgumentException("unknown option " + flag + "; known: --ws-port, --max-connections");
      }
    }
    FanoutFloor floor = start(wsPort, maxConnections);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      floor.close();
      System.out.println("fan-out floor stopped; failed sends: " + floor.failedSends());
      stopped.countDown();
    }, "fanout-floor-shutdown"));
    System.out.println("fan-out floor ready: ws://127.0.0.1:" + floor.port());
    stopped.await();
  }

  private static int number(String flag, String value) {
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be a whole number, was '" + value + "'", e);
    }
  }
}
