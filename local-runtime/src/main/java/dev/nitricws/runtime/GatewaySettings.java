package dev.nitricws.runtime;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Settings of the websocket gateway, validated once.
 *
 * @param bindHost the address the websocket ports listen on
 * @param firstPort the port of the first declared socket (0 = an ephemeral port for every socket)
 * @param maxMessageSize the largest message (after aggregating continuation frames) in bytes
 * @param idleTimeout a connection with no data frame either way for this long is closed
 * @param pingInterval a ping is sent after this long without writes; zero disables pings
 * @param staticPage the HTML served at {@code GET /}, or null for none
 * @param acceptWithoutHandler accept a connection when no connect handler is registered (the
 *     reference runtime's fail-open) instead of answering HTTP 503
 */
record GatewaySettings(
    String bindHost,
    int firstPort,
    int maxMessageSize,
    Duration idleTimeout,
    Duration pingInterval,
    byte[] staticPage,
    boolean acceptWithoutHandler) {

  GatewaySettings {
    requireNonNull(bindHost, "bindHost");
    requireNonNull(idleTimeout, "idleTimeout");
    requireNonNull(pingInterval, "pingInterval");
    if (firstPort < 0 || firstPort > 65535) {
      throw new IllegalArgumentException("firstPort must be between 0 and 65535, was " + firstPort);
    }
    if (maxMessageSize <= 0) {
      throw new IllegalArgumentException("maxMessageSize must be positive, was " + maxMessageSize);
    }
    if (idleTimeout.isNegative() || idleTimeout.isZero()) {
      throw new IllegalArgumentException("idleTimeout must be positive, was " + idleTimeout);
    }
    if (pingInterval.isNegative()) {
      throw new IllegalArgumentException("pingInterval must be zero (off) or positive, was " + pingInterval);
    }
  }

  /** The host clients are told to use: the bind host, or loopback when bound to every address. */
  String advertisedHost() {
    if (bindHost.equals("0.0.0.0") || bindHost.equals("::") || bindHost.isEmpty()) {
      return "127.0.0.1";
    }
    return bindHost.contains(":") ? "[" + bindHost + "]" : bindHost;
  }
}
