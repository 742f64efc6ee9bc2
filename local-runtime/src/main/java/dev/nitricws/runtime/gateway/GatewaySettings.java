package dev.nitricws.runtime.gateway;

import static java.util.Objects.requireNonNull;

import dev.nitricws.runtime.LocalRuntimeException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Settings of the websocket gateway, taken once from the runtime's validated settings.
 *
 * @param bindHost the address the websocket ports listen on
 * @param firstPort the port of the first declared socket (0 = an ephemeral port for every socket)
 * @param maxMessageSize the largest message (after aggregating continuation frames) in bytes
 * @param idleTimeout a connection with no data frame either way for this long is closed
 * @param pingInterval a ping is sent after this long without writes; zero disables pings
 * @param staticPage the HTML served at {@code GET /}, or null for none
 * @param acceptWithoutHandler accept a connection when no connect handler is registered (fail
 *     open) instead of answering HTTP 503
 * @param requestTimeout a new connection that has not sent its whole HTTP request by then is
 *     answered 408 and closed
 * @param maxConnectionsPerAddress connections one client address may hold (429 beyond)
 * @param maxConnections connections the gateway holds in all (503 beyond)
 * @param maxMessagesPerSecond messages a connection may send per second, bursts of as many; 0 = no limit
 * @param writeBufferSize bytes queued for a connection above which it is unwritable (its high
 *     water mark; the low one is half of it)
 * @param slowClientTimeout a connection unwritable for this long is closed
 * @param maxQueuedBytes bytes that may queue for a connection in all; one send more closes it
 * @param maxQueuedTotalBytes bytes that may queue for all connections; over it the furthest behind is closed
 * @param allowedOrigins the browser origins that may open a websocket
 * @param tls the server's TLS context ({@code wss}), or null for plain {@code ws}
 */
public record GatewaySettings(
    String bindHost,
    int firstPort,
    int maxMessageSize,
    Duration idleTimeout,
    Duration pingInterval,
    byte[] staticPage,
    boolean acceptWithoutHandler,
    Duration requestTimeout,
    int maxConnectionsPerAddress,
    int maxConnections,
    int maxMessagesPerSecond,
    int writeBufferSize,
    Duration slowClientTimeout,
    int maxQueuedBytes,
    long maxQueuedTotalBytes,
    OriginPolicy allowedOrigins,
    SslContext tls) {

  public GatewaySettings {
    requireNonNull(bindHost, "bindHost");
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(pingInterval, "pingInterval");
    requireNonNull(requestTimeout, "requestTimeout");
    requireNonNull(slowClientTimeout, "slowClientTimeout");
    requireNonNull(allowedOrigins, "allowedOrigins");
    if (maxQueuedBytes < writeBufferSize) {
      throw new IllegalArgumentException("maxQueuedBytes (" + maxQueuedBytes + ") must be at least the write buffer ("
          + writeBufferSize + ")");
    }
  }

  /**
   * The server TLS context for a certificate chain and its private key (PEM files; the key
   * unencrypted PKCS#8).
   *
   * @throws LocalRuntimeException naming both files when they cannot be used
   */
  public static SslContext serverTls(Path certificateChain, Path privateKey) {
    try {
      return SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile()).build();
    } catch (SSLException | RuntimeException e) {
      throw new LocalRuntimeException(String.format(
          "Unable to use the TLS certificate %s with the private key %s (PEM files; the key unencrypted PKCS#8)",
          certificateChain, privateKey), e);
    }
  }

  /** The URL scheme clients use: {@code wss} with TLS, else {@code ws}. */
  String scheme() {
    return tls == null ? "ws" : "wss";
  }

  /** The host clients are told to use: the bind host, or loopback when bound to every address. */
  String advertisedHost() {
    if (bindHost.equals("0.0.0.0") || bindHost.equals("::") || bindHost.isEmpty()) {
      return "127.0.0.1";
    }
    return bindHost.contains(":") ? "[" + bindHost + "]" : bindHost;
  }
}
