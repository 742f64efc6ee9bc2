package dev.nitricws.bootstrap;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Which gateway this process's connections belong to, so that gateways sharing one Redis or
 * PostgreSQL keep their connections apart. A gateway is named by the URL its clients connect to,
 * as the runtime reports it (SocketDetails): every app instance of one gateway (embedded, or
 * joined with --service-address, or deployed behind one API) reads the same URL, and two gateways
 * differ. A URL on a loopback host is the same text on every machine, so it is qualified by this
 * machine's name. Known once the socket is declared; {@link #stage()} completes then.
 */
public final class GatewayScope {

  private final CompletableFuture<String> scope = new CompletableFuture<>();

  /** The scope of the gateway whose clients connect to {@code url}. */
  public static String of(String url) {
    String host;
    try {
      host = URI.create(url.strip()).getHost();
    } catch (IllegalArgumentException e) {
      host = null;
    }
    return host != null && isLoopback(host) ? url.strip() + " on " + machineName() : url.strip();
  }

  /** Completes with the scope once {@link #resolve} has been told the gateway's URL. */
  CompletionStage<String> stage() {
    return scope;
  }

  /** The gateway's URL is known: calls waiting on the scope go on. */
  String resolve(String url) {
    String s = of(url);
    scope.complete(s);
    return s;
  }

  /** The URL cannot be had: calls waiting on the scope fail. */
  void fail(Throwable error) {
    scope.completeExceptionally(error);
  }

  private static boolean isLoopback(String host) {
    String h = host.toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
  }

  private static String machineName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      String fromEnvironment = System.getenv("HOSTNAME");
      return fromEnvironment == null || fromEnvironment.isBlank() ? "localhost" : fromEnvironment;
    }
  }
}
