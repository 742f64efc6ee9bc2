package dev.nitricws.runtime;

import static java.util.Objects.requireNonNull;

import dev.nitricws.runtime.gateway.GatewaySettings;
import dev.nitricws.runtime.checks.PositiveDuration;
import dev.nitricws.runtime.gateway.OriginPolicy;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/** Settings of a {@link LocalRuntime}; every value has a default. Not thread-safe. */
public final class LocalRuntimeBuilder {
  int grpcPort = LocalRuntime.DEFAULT_GRPC_PORT;
  int firstWebsocketPort = LocalRuntime.DEFAULT_WEBSOCKET_PORT;
  String bindHost = "127.0.0.1";
  String grpcHost = "127.0.0.1";
  String grpcToken;
  Path kvDirectory;
  Duration kvFlushInterval = LocalRuntime.DEFAULT_KV_FLUSH_INTERVAL;
  int maxMessageSize = LocalRuntime.DEFAULT_MAX_MESSAGE_SIZE;
  Duration idleTimeout = LocalRuntime.DEFAULT_IDLE_TIMEOUT;
  Duration pingInterval = LocalRuntime.DEFAULT_PING_INTERVAL;
  Duration handlerTimeout = LocalRuntime.DEFAULT_HANDLER_TIMEOUT;
  byte[] staticPage;
  boolean acceptWithoutHandler;
  Duration requestTimeout = LocalRuntime.DEFAULT_REQUEST_TIMEOUT;
  int maxConnectionsPerAddress = LocalRuntime.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS;
  int maxConnections = LocalRuntime.DEFAULT_MAX_CONNECTIONS;
  int maxMessagesPerSecond = LocalRuntime.DEFAULT_MAX_MESSAGES_PER_SECOND;
  int writeBufferSize = LocalRuntime.DEFAULT_WRITE_BUFFER_SIZE;
  Duration slowClientTimeout = LocalRuntime.DEFAULT_SLOW_CLIENT_TIMEOUT;
  int maxQueuedBytes = LocalRuntime.DEFAULT_MAX_QUEUED_BYTES;
  long maxQueuedTotalBytes = LocalRuntime.DEFAULT_MAX_QUEUED_TOTAL_BYTES;
  OriginPolicy allowedOrigins = OriginPolicy.ANY;
  Path tlsCertificate;
  Path tlsPrivateKey;

  LocalRuntimeBuilder() {}

  /** The gRPC port; 0 picks a free one. Default 50051. */
  public LocalRuntimeBuilder grpcPort(int port) {
    this.grpcPort = port(port, "grpcPort");
    return this;
  }

  /** The port of the first declared websocket, later ones take the next free ports; 0 = ephemeral. Default 4000. */
  public LocalRuntimeBuilder firstWebsocketPort(int port) {
    this.firstWebsocketPort = port(port, "firstWebsocketPort");
    return this;
  }

  /** The address the websocket ports listen on. Default 127.0.0.1 (this machine only). */
  public LocalRuntimeBuilder bindHost(String host) {
    this.bindHost = host(host, "bindHost");
    return this;
  }

  /**
   * The address the gRPC port listens on, separately from the websockets' so that opening those
   * to the network never opens the runtime's API. Default 127.0.0.1 (this machine only).
   */
  public LocalRuntimeBuilder grpcHost(String host) {
    this.grpcHost = host(host, "grpcHost");
    return this;
  }

  /**
   * A shared token every gRPC call must carry as metadata {@code authorization: Bearer <token>};
   * others are answered UNAUTHENTICATED. Null: none (the default).
   */
  public LocalRuntimeBuilder grpcToken(String token) {
    this.grpcToken = token == null ? null : notBlank(token, "grpcToken");
    return this;
  }

  /** Keep key-value stores in this directory (loaded at start, written on change); null = memory only. */
  public LocalRuntimeBuilder kvDirectory(Path directory) {
    this.kvDirectory = directory;
    return this;
  }

  /** How long after a change a store is written to disk. Default 1 s. */
  public LocalRuntimeBuilder kvFlushInterval(Duration interval) {
    this.kvFlushInterval = PositiveDuration.require("kvFlushInterval", interval);
    return this;
  }

  /** The largest websocket message in bytes; a client sending more is closed with 1009. Default 128 KiB. */
  public LocalRuntimeBuilder maxMessageSize(int bytes) {
    this.maxMessageSize = positive(bytes, "maxMessageSize");
    return this;
  }

  /** A connection with no message either way for this long is closed. Default 10 min. */
  public LocalRuntimeBuilder idleTimeout(Duration timeout) {
    this.idleTimeout = PositiveDuration.require("idleTimeout", timeout);
    return this;
  }

  /** A ping is sent to a client after this long without writes; zero turns pings off. Default 30 s. */
  public LocalRuntimeBuilder pingInterval(Duration interval) {
    this.pingInterval = zeroOrPositive(interval, "pingInterval", "off");
    return this;
  }

  /** How long the application has to answer an event; an unanswered connect is refused. Default 30 s. */
  public LocalRuntimeBuilder handlerTimeout(Duration timeout) {
    this.handlerTimeout = PositiveDuration.require("handlerTimeout", timeout);
    return this;
  }

  /**
   * Accept a connection without asking the app when no connect handler is registered (fail
   * open) instead of answering HTTP 503 "no handler". Default false: no handler, no connection.
   */
  public LocalRuntimeBuilder acceptWithoutHandler(boolean accept) {
    this.acceptWithoutHandler = accept;
    return this;
  }

  /** Time a new connection has to send its whole HTTP request; then it is answered 408 and closed. Default 10 s. */
  public LocalRuntimeBuilder requestTimeout(Duration timeout) {
    this.requestTimeout = PositiveDuration.require("requestTimeout", timeout);
    return this;
  }

  /** Connections one client address may hold; more are answered 429 before any Connect event. Default 256. */
  public LocalRuntimeBuilder maxConnectionsPerAddress(int connections) {
    this.maxConnectionsPerAddress = positive(connections, "maxConnectionsPerAddress");
    return this;
  }

  /** Connections the gateway holds in all; more are answered 503 before any Connect event. Default 16,000. */
  public LocalRuntimeBuilder maxConnections(int connections) {
    this.maxConnections = positive(connections, "maxConnections");
    return this;
  }

  /**
   * Messages one connection may send per second, in bursts of as many; a client over it is closed
   * with 1008 "rate limit". 0 = no limit. Default 100.
   */
  public LocalRuntimeBuilder maxMessagesPerSecond(int messages) {
    this.maxMessagesPerSecond = zeroOrPositive(messages, "maxMessagesPerSecond", "no limit");
    return this;
  }

  /**
   * Bytes that may wait to be written to one connection before it counts as not reading (its high
   * water mark; it counts as reading again below half of it). A connection over it that stays
   * there for the slow-client timeout, or whose queue would pass {@link #maxQueuedBytes}, is
   * closed with 1008. Default 256 KiB.
   */
  public LocalRuntimeBuilder writeBufferSize(int bytes) {
    this.writeBufferSize = positive(bytes, "writeBufferSize");
    return this;
  }

  /**
   * Bytes that may queue for one connection in all: a send that would queue more closes the
   * connection with 1008 (client not reading) and fails every send waiting for it as gone, so a
   * client gets every message in order or is disconnected, never silently skipped. At least the
   * write buffer. Default 4 MiB.
   */
  public LocalRuntimeBuilder maxQueuedBytes(int bytes) {
    this.maxQueuedBytes = positive(bytes, "maxQueuedBytes");
    return this;
  }

  /**
   * Bytes that may queue for all connections together: a write that takes the total over it
   * closes the connection furthest behind (the most queued) with 1008, one at a time, so however
   * many clients stop reading the gateway holds about this much for them. Default 64 MiB.
   */
  public LocalRuntimeBuilder maxQueuedTotalBytes(long bytes) {
    this.maxQueuedTotalBytes = positive(bytes, "maxQueuedTotalBytes");
    return this;
  }

  /** A connection that stays unwritable (does not read) this long is closed with 1008. Default 10 s. */
  public LocalRuntimeBuilder slowClientTimeout(Duration timeout) {
    this.slowClientTimeout = PositiveDuration.require("slowClientTimeout", timeout);
    return this;
  }

  /**
   * Browser origins that may open a websocket, each {@code scheme://host[:port]} exactly as
   * browsers send it (no default port), or {@code *}; a listed origin matches without regard to
   * case. Any other Origin is answered 403 before any Connect event; a request with no Origin
   * (not a browser) is allowed. Empty or {@code *}: any origin. Default: any.
   */
  public LocalRuntimeBuilder allowedOrigins(String... origins) {
    requireNonNull(origins, "origins");
    return allowedOrigins(List.of(origins));
  }

  /** The same as {@link #allowedOrigins(String...)}. */
  public LocalRuntimeBuilder allowedOrigins(Collection<String> origins) {
    requireNonNull(origins, "origins");
    this.allowedOrigins = OriginPolicy.of(List.copyOf(origins));
    return this;
  }

  /**
   * Serves the websockets over TLS ({@code wss}) with this certificate chain and private key, both
   * PEM files (the key unencrypted PKCS#8, {@code BEGIN PRIVATE KEY}); SocketDetails then answers
   * {@code wss://}. The gRPC port stays plaintext. Default: no TLS.
   */
  public LocalRuntimeBuilder tls(Path certificateChain, Path privateKey) {
    this.tlsCertificate = readable(certificateChain, "TLS certificate");
    this.tlsPrivateKey = readable(privateKey, "TLS private key");
    return this;
  }

  /** An HTML page served at {@code GET /} of every websocket port (copied); null = none. */
  public LocalRuntimeBuilder staticPage(byte[] html) {
    this.staticPage = html == null ? null : html.clone();
    return this;
  }

  /** Serves a classpath resource (e.g. {@code "chat/index.html"}) at {@code GET /}. */
  public LocalRuntimeBuilder staticPageResource(String resourceName) {
    requireNonNull(resourceName, "resourceName");
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = LocalRuntime.class.getClassLoader();
    }
    try (InputStream in = loader.getResourceAsStream(resourceName)) {
      if (in == null) {
        throw new IllegalArgumentException("static page resource '" + resourceName + "' is not on the classpath");
      }
      this.staticPage = in.readAllBytes();
    } catch (IOException e) {
      throw new LocalRuntimeException("Unable to read static page resource '" + resourceName + "'", e);
    }
    return this;
  }

  /** A runtime with these settings, not started yet (loads the key-value files, if any). */
  public LocalRuntime build() {
    return new LocalRuntime(this);
  }

  /**
   * The gateway's part of these settings; reads the TLS files, if any. For the runtime itself,
   * and for an embedder that runs the websocket gateway alone with an event dispatcher of its own
   * ({@code new WebsocketGateway(builder.gatewaySettings(), dispatcher)}), with no gRPC and no
   * app: the fan-out benchmark's floor does.
   */
  public GatewaySettings gatewaySettings() {
    SslContext tls = tlsCertificate == null ? null : GatewaySettings.serverTls(tlsCertificate, tlsPrivateKey);
    return new GatewaySettings(bindHost, firstWebsocketPort, maxMessageSize, idleTimeout, pingInterval, staticPage,
        acceptWithoutHandler, requestTimeout, maxConnectionsPerAddress, maxConnections, maxMessagesPerSecond,
        writeBufferSize, slowClientTimeout, maxQueuedBytes, maxQueuedTotalBytes, allowedOrigins, tls);
  }

  // the checks of the settings; a duration's is PositiveDuration, shared with the parts the runtime wires

  private static int port(int port, String name) {
    check(port >= 0 && port <= 65535, name, "between 0 and 65535", port);
    return port;
  }

  private static String host(String host, String name) {
    return notBlank(requireNonNull(host, name), name);
  }

  private static String notBlank(String value, String name) {
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }

  private static Path readable(Path file, String what) {
    requireNonNull(file, what);
    if (!Files.isReadable(file) || Files.isDirectory(file)) {
      throw new IllegalArgumentException(what + " " + file + " is not a readable file");
    }
    return file;
  }

  private static int positive(int value, String name) {
    check(value > 0, name, "positive", value);
    return value;
  }

  private static long positive(long value, String name) {
    check(value > 0, name, "positive", value);
    return value;
  }

  /** {@code offMeaning}: what zero turns off, for the message. */
  private static int zeroOrPositive(int value, String name, String offMeaning) {
    check(value >= 0, name, "zero (" + offMeaning + ") or positive", value);
    return value;
  }

  private static Duration zeroOrPositive(Duration value, String name, String offMeaning) {
    check(!requireNonNull(value, name).isNegative(), name, "zero (" + offMeaning + ") or positive", value);
    return value;
  }

  private static void check(boolean valid, String name, String rule, Object value) {
    if (!valid) {
      throw new IllegalArgumentException(name + " must be " + rule + ", was " + value);
    }
  }
}
