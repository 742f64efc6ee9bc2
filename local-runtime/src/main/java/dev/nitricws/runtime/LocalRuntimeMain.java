package dev.nitricws.runtime;

import dev.nitricws.cli.DurationConverter;
import dev.nitricws.cli.SizeConverter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the local Nitric runtime on its own until the process is stopped (Ctrl-C / SIGTERM). */
@Command(
    name = "nitric-ws-local-runtime",
    mixinStandardHelpOptions = true,
    versionProvider = LocalRuntimeMain.Version.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
        "A Nitric-compatible runtime for one machine: the gRPC services a Nitric v1 app needs "
            + "(Resources, Websocket, WebsocketHandler, KvStore) and a websocket gateway.",
        "Start it, then run any Nitric app with SERVICE_ADDRESS=127.0.0.1:<grpc-port>.",
        ""})
public final class LocalRuntimeMain implements Callable<Integer> {

  /** The environment variable with the gRPC token, read by the app's side too. */
  static final String TOKEN_VARIABLE = "NITRICWS_RUNTIME_TOKEN";

  /** Where the token is looked up when --grpc-token is not given. */
  Map<String, String> environment = System.getenv();

  static {
    // the launcher's own logging configuration, unless the user gives one
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "local-runtime-logback.xml");
    }
  }

  @Option(names = "--grpc-port", defaultValue = "50051", paramLabel = "PORT",
      description = "gRPC port the app connects to (SERVICE_ADDRESS); 0 = any free port. Default: ${DEFAULT-VALUE}.")
  int grpcPort;

  @Option(names = "--ws-port", defaultValue = "4000", paramLabel = "PORT",
      description = "Port of the first declared websocket; later sockets take the next free ports. Default: ${DEFAULT-VALUE}.")
  int wsPort;

  @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "Address the websocket ports listen on (0.0.0.0 for every interface); the gRPC port has "
          + "--grpc-host. Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--grpc-host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
      description = "Address the gRPC port (the app's SERVICE_ADDRESS) listens on. Default: ${DEFAULT-VALUE}.")
  String grpcHost;

  @Option(names = "--grpc-token", paramLabel = "TOKEN",
      description = "Every gRPC call must carry metadata 'authorization: Bearer TOKEN'. Prefer the environment "
          + "variable " + TOKEN_VARIABLE + " (a command line is visible to other users). Default: none.")
  String grpcToken;

  @Option(names = "--kv-dir", paramLabel = "DIR",
      description = "Keep key-value stores in this directory (one file per store) so they survive a restart. "
          + "Default: in memory only.")
  Path kvDir;

  @Option(names = "--max-message-size", defaultValue = "128k", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "Largest websocket message (bytes, or with k/m suffix); bigger ones close the client with 1009. "
          + "Default: ${DEFAULT-VALUE}.")
  int maxMessageSize;

  @Option(names = "--idle-timeout", defaultValue = "10m", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Close a connection with no message for this long (e.g. 90s, 10m, 1h, PT10M). Default: ${DEFAULT-VALUE}.")
  Duration idleTimeout;

  @Option(names = "--ping-interval", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Send a keep-alive ping after this long without writes; 0 = never. Default: ${DEFAULT-VALUE}.")
  Duration pingInterval;

  @Option(names = "--handler-timeout", defaultValue = "30s", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Time the app has to answer an event; an unanswered connect is refused. Default: ${DEFAULT-VALUE}.")
  Duration handlerTimeout;

  @Option(names = "--request-timeout", defaultValue = "10s", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Time a new connection has to send its whole HTTP request; then it is answered 408 and closed. "
          + "Default: ${DEFAULT-VALUE}.")
  Duration requestTimeout;

  @Option(names = "--max-connections-per-address", defaultValue = "256", paramLabel = "N",
      description = "Connections one client address may hold; more are answered 429. Default: ${DEFAULT-VALUE}.")
  int maxConnectionsPerAddress;

  @Option(names = "--max-connections", defaultValue = "16000", paramLabel = "N",
      description = "Connections the gateway holds in all; more are answered 503. Keep it below the process's "
          + "open-file limit (ulimit -n). Default: ${DEFAULT-VALUE}.")
  int maxConnections;

  @Option(names = "--max-messages-per-second", defaultValue = "100", paramLabel = "N",
      description = "Messages one connection may send per second, in bursts of as many; a client over it is closed "
          + "with 1008 \"rate limit\". 0 = no limit. Default: ${DEFAULT-VALUE}.")
  int maxMessagesPerSecond;

  @Option(names = "--write-buffer", defaultValue = "256k", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "Bytes that may wait to be written to one connection before it counts as not reading. "
          + "Default: ${DEFAULT-VALUE}.")
  int writeBuffer;

  @Option(names = "--max-queued", defaultValue = "4m", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "Bytes that may queue for one connection in all; a send that would queue more closes it (1008, "
          + "client not reading): every client gets every message in order or is disconnected. Default: ${DEFAULT-VALUE}.")
  int maxQueued;

  @Option(names = "--max-queued-total", defaultValue = "64m", paramLabel = "SIZE", converter = SizeConverter.class,
      description = "Bytes that may queue for all connections together; over it the connection furthest behind is "
          + "closed (1008), one at a time. Default: ${DEFAULT-VALUE}.")
  int maxQueuedTotal;

  @Option(names = "--slow-client-timeout", defaultValue = "10s", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Close a connection (1008) that stays over its write buffer, not reading, this long. "
          + "Default: ${DEFAULT-VALUE}.")
  Duration slowClientTimeout;

  @Option(names = "--allowed-origins", split = ",", paramLabel = "ORIGIN",
      description = "Browser origins that may open a websocket, comma-separated scheme://host[:port] (as browsers "
          + "send them) or *; any other Origin is answered 403. Default: any origin.")
  List<String> allowedOrigins;

  @ArgGroup(exclusive = false)
  Tls tls;

  /** The TLS files, given both or neither. */
  static final class Tls {
    @Option(names = "--tls-cert", required = true, paramLabel = "FILE",
        description = "Serve the websockets as wss with this PEM certificate chain (with --tls-key).")
    Path certificate;

    @Option(names = "--tls-key", required = true, paramLabel = "FILE",
        description = "The PEM private key (unencrypted PKCS#8) of --tls-cert.")
    Path privateKey;
  }

  @Option(names = "--accept-without-handler",
      description = "Accept websocket clients without asking the app while it has no connect handler registered "
          + "(fail open). Default: answer HTTP 503 \"no handler\".")
  boolean acceptWithoutHandler;

  @Option(names = "--static-page", paramLabel = "FILE",
      description = "An HTML file served at GET / of every websocket port.")
  Path staticPage;

  public static void main(String[] args) {
    int exitCode = new CommandLine(new LocalRuntimeMain()).execute(args);
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  /** The runtime these options describe. */
  LocalRuntimeBuilder runtimeBuilder() throws IOException {
    LocalRuntimeBuilder builder = LocalRuntime.builder()
        .grpcPort(grpcPort)
        .firstWebsocketPort(wsPort)
        .bindHost(host)
        .grpcHost(grpcHost)
        .grpcToken(token())
        .kvDirectory(kvDir)
        .maxMessageSize(maxMessageSize)
        .idleTimeout(idleTimeout)
        .pingInterval(pingInterval)
        .handlerTimeout(handlerTimeout)
        .acceptWithoutHandler(acceptWithoutHandler)
        .requestTimeout(requestTimeout)
        .maxConnectionsPerAddress(maxConnectionsPerAddress)
        .maxConnections(maxConnections)
        .maxMessagesPerSecond(maxMessagesPerSecond)
        .writeBufferSize(writeBuffer)
        .maxQueuedBytes(maxQueued)
        .maxQueuedTotalBytes(maxQueuedTotal)
        .slowClientTimeout(slowClientTimeout);
    if (allowedOrigins != null) {
      builder.allowedOrigins(allowedOrigins);
    }
    if (tls != null) {
      builder.tls(tls.certificate, tls.privateKey);
    }
    if (staticPage != null) {
      builder.staticPage(Files.readAllBytes(staticPage));
    }
    return builder;
  }

  /** The token from --grpc-token, else from the environment; null when neither sets one. */
  String token() {
    if (grpcToken != null) {
      return grpcToken;
    }
    String fromEnvironment = environment.get(TOKEN_VARIABLE);
    return fromEnvironment == null || fromEnvironment.isEmpty() ? null : fromEnvironment;
  }

  @Override
  public Integer call() throws Exception {
    LocalRuntime runtime = runtimeBuilder().build().start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      runtime.close();
      stopped.countDown();
    }, "nitric-runtime-shutdown"));
    System.out.printf("Nitric local runtime ready: SERVICE_ADDRESS=%s (Ctrl-C to stop)%n", runtime.serviceAddress());
    stopped.await();
    return 0;
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = LocalRuntimeMain.class.getPackage().getImplementationVersion();
      return new String[] {"nitric-ws local runtime " + (version == null ? "(development build)" : version)};
    }
  }
}
