package dev.nitricws.runtime.gateway;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import com.sun.management.UnixOperatingSystemMXBean;
import dev.nitricws.runtime.LocalRuntimeException;
import dev.nitricws.runtime.gateway.UpgradeRequests.Refusal;
import dev.nitricws.runtime.handlers.EventDispatcher;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local websocket gateway: one listening port per declared socket, real clients, events to
 * the application through an {@link EventDispatcher}. Thread-safe; nothing here blocks an event
 * loop. {@link #close()} blocks its caller (at most a few seconds) and must not be called on an
 * event loop.
 */
public final class WebsocketGateway implements AutoCloseable {

  /** Sizes each read from what the connection's last reads needed: Netty's default, shared. */
  private static final AdaptiveRecvByteBufAllocator RECEIVE_BUFFERS = new AdaptiveRecvByteBufAllocator();

  private static final Logger LOG = LoggerFactory.getLogger(WebsocketGateway.class);
  private static final int MAX_PORT_ATTEMPTS = 100;
  private static final int MAX_HTTP_REQUEST = 64 * 1024;
  /** Open files the process keeps for its own use (jars, selectors, gRPC, stores, refused clients). */
  private static final int FILES_KEPT_FREE = 1000;

  private final GatewaySettings settings;
  private final OutboundBudget outbound;
  private final EventDispatcher dispatcher;
  private final WebSocketDecoderConfig decoderConfig;
  private final ConnectionLimits limits;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final Map<String, CompletableFuture<SocketEndpoint>> endpoints = new ConcurrentHashMap<>();
  private final Object bindLock = new Object();
  /** Guarded by bindLock: binds run one after the other so "next free port" is well defined. */
  private CompletableFuture<?> lastBind = CompletableFuture.completedFuture(null);
  private volatile int nextPort;
  private volatile boolean closed;

  public WebsocketGateway(GatewaySettings settings, EventDispatcher dispatcher) {
    this.outbound = new OutboundBudget(settings.maxQueuedTotalBytes());
    this.settings = requireNonNull(settings, "settings");
    this.dispatcher = requireNonNull(dispatcher, "dispatcher");
    this.decoderConfig = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(settings.maxMessageSize())
        .expectMaskedFrames(true)
        .allowMaskMismatch(false)
        .allowExtensions(false)
        .closeOnProtocolViolation(true)
        .withUTF8Validator(true)
        .build();
    this.limits = new ConnectionLimits(settings.maxConnectionsPerAddress(), settings.maxConnections());
    warnWhenOverTheFileLimit(settings.maxConnections());
    this.nextPort = settings.firstPort();
    this.bossGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("nitric-ws-accept", true),
        NioIoHandler.newFactory());
    this.workerGroup = new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("nitric-ws-io", true),
        NioIoHandler.newFactory());
  }

  /** A connection cap the process cannot reach fails at accept instead of with a 503: say so once. */
  private static void warnWhenOverTheFileLimit(int maxConnections) {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
      long limit = unix.getMaxFileDescriptorCount();
      if (maxConnections > limit - FILES_KEPT_FREE) {
        LOG.warn("maxConnections {} leaves fewer than {} of this process's {} open files for everything else;"
            + " connections may fail at accept before the cap answers 503", maxConnections, FILES_KEPT_FREE, limit);
      }
    }
  }

  /**
   * Opens the gateway port of a socket; idempotent (a second declaration gets the same endpoint).
   * The first socket tries the configured first port, later ones the ports after it; a port in
   * use is skipped. Non-blocking.
   *
   * @return the endpoint once its port is open; failed, with the cause itself (not wrapped), with
   *     {@link LocalRuntimeException} when no port could be opened or {@link IllegalStateException}
   *     when the gateway is closed
   */
  public CompletableFuture<SocketEndpoint> declare(String socketName) {
    requireNonNull(socketName, "socketName");
    if (socketName.isEmpty()) {
      throw new IllegalArgumentException("socket name must not be empty");
    }
    synchronized (bindLock) {
      if (closed) {
        return CompletableFuture.failedFuture(new IllegalStateException("the gateway is closed"));
      }
      CompletableFuture<SocketEndpoint> existing = endpoints.get(socketName);
      if (existing != null) {
        return existing;
      }
      CompletableFuture<SocketEndpoint> endpoint = new CompletableFuture<>();
      // after the previous bind, whatever became of it
      lastBind.whenComplete((ignored, error) -> bind(socketName, endpoint));
      endpoints.put(socketName, endpoint);
      endpoint.whenComplete((bound, error) -> {
        if (error != null) {
          endpoints.remove(socketName, endpoint);
        }
      });
      lastBind = endpoint;
      return endpoint;
    }
  }

  /** The endpoint of a socket whose port is open, if any. */
  public Optional<SocketEndpoint> endpoint(String socketName) {
    CompletableFuture<SocketEndpoint> future = endpoints.get(socketName);
    if (future == null || !future.isDone() || future.isCompletedExceptionally()) {
      return Optional.empty();
    }
    return Optional.of(future.join());
  }

  /** Names of the sockets whose ports are open. */
  public Set<String> socketNames() {
    Set<String> names = new TreeSet<>();
    endpoints.keySet().forEach(name -> endpoint(name).ifPresent(endpoint -> names.add(name)));
    return names;
  }

  /**
   * Writes data to one connection as one frame (text when it is valid UTF-8, else binary), as a
   * {@code SendMessage} does: the future completes once the frame is queued for the client, in
   * order, and fails when the connection is unknown or closed, the socket not declared, or the
   * client over its bounds (which closes it). Public for an embedder that runs the gateway alone
   * with its own {@link EventDispatcher}; thread-safe and non-blocking.
   */
  public CompletableFuture<Void> send(String socketName, String connectionId, ByteString data) {
    ClientConnection connection;
    try {
      connection = connection(socketName, connectionId);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return connection.send(data);
  }

  /** Closes one connection with 1000; the future completes once it is closed. */
  CompletableFuture<Void> closeConnection(String socketName, String connectionId) {
    ClientConnection connection;
    try {
      connection = connection(socketName, connectionId);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    LOG.debug("Closing connection {} on socket '{}' for the application", connectionId, socketName);
    return toCompletable(connection.close(WebSocketCloseStatus.NORMAL_CLOSURE), connectionId);
  }

  private ClientConnection connection(String socketName, String connectionId) {
    SocketEndpoint endpoint = endpoint(socketName).orElseThrow(() -> new SocketNotDeclaredException(socketName));
    ClientConnection connection = endpoint.connection(connectionId);
    if (connection == null) {
      throw new ConnectionNotFoundException(connectionId);
    }
    return connection;
  }

  private static CompletableFuture<Void> toCompletable(ChannelFuture channelFuture, String connectionId) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    channelFuture.addListener(done -> {
      if (done.isSuccess()) {
        result.complete(null);
      } else {
        result.completeExceptionally(new ConnectionNotFoundException(connectionId, done.cause()));
      }
    });
    return result;
  }

  private void bind(String socketName, CompletableFuture<SocketEndpoint> result) {
    try {
      tryBind(new SocketEndpoint(socketName, outbound), settings.firstPort() == 0 ? 0 : nextPort, 0, result);
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  private void tryBind(SocketEndpoint endpoint, int port, int attempt, CompletableFuture<SocketEndpoint> result) {
    if (closed) {
      result.completeExceptionally(new IllegalStateException("the gateway is closed"));
      return;
    }
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(bossGroup, workerGroup)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        // one allocator for every connection (each still gets its own handle): not one object more per connection
        .childOption(ChannelOption.RCVBUF_ALLOCATOR, RECEIVE_BUFFERS)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
            new WriteBufferWaterMark(settings.writeBufferSize() / 2, settings.writeBufferSize()))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel channel) {
            Refusal refusal = limits.admit(channel);
            if (settings.tls() != null) {
              channel.pipeline().addLast("tls", settings.tls().newHandler(channel.alloc()));
            }
            channel.pipeline()
                .addLast(RequestTimeoutHandler.NAME, new RequestTimeoutHandler(settings.requestTimeout()))
                .addLast("http", new HttpServerCodec())
                .addLast("http-aggregator", new HttpObjectAggregator(MAX_HTTP_REQUEST))
                .addLast("upgrade", new UpgradeHandler(endpoint, dispatcher, settings, decoderConfig, refusal));
          }
        });
    bootstrap.bind(settings.bindHost(), port).addListener((ChannelFuture done) -> {
      if (done.isSuccess()) {
        Channel channel = done.channel();
        int boundPort = ((InetSocketAddress) channel.localAddress()).getPort();
        endpoint.bound(channel, boundPort, settings.scheme() + "://" + settings.advertisedHost());
        if (settings.firstPort() != 0) {
          nextPort = boundPort + 1;
          if (attempt > 0) {
            LOG.warn("Port {} is in use; websocket '{}' listens on {} instead", port - attempt,
                endpoint.name(), boundPort);
          }
        }
        LOG.info("Websocket '{}' listening on {}", endpoint.name(), endpoint.url());
        result.complete(endpoint);
        if (closed) {
          channel.close();
        }
      } else if (port != 0 && port < 65535 && attempt + 1 < MAX_PORT_ATTEMPTS
          && done.cause() instanceof BindException) {
        tryBind(endpoint, port + 1, attempt + 1, result);
      } else {
        result.completeExceptionally(new LocalRuntimeException(String.format(
            "Unable to open the websocket gateway for socket '%s' on %s:%d", endpoint.name(),
            settings.bindHost(), port), done.cause()));
      }
    });
  }

  /**
   * Stops listening, closes every client with 1001 (each gets its Disconnect event) and shuts the
   * event loops down. Idempotent; blocks the caller for a few seconds at most.
   */
  @Override
  public void close() {
    synchronized (bindLock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    List<Future<?>> closing = new ArrayList<>();
    for (String name : List.copyOf(endpoints.keySet())) {
      endpoint(name).ifPresent(endpoint -> {
        closing.add(endpoint.serverChannel().close());
        for (ClientConnection connection : endpoint.connections()) {
          closing.add(connection.close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE));
        }
      });
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
    for (Future<?> future : closing) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !future.awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
        LOG.warn("Websocket gateway: clients still open after 3 s; shutting down anyway");
        break;
      }
    }
    Future<?> boss = bossGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    Future<?> workers = workerGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    boss.awaitUninterruptibly(5, TimeUnit.SECONDS);
    workers.awaitUninterruptibly(5, TimeUnit.SECONDS);
    LOG.debug("Websocket gateway stopped");
  }
}
