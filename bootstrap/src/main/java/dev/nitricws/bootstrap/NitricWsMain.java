package dev.nitricws.bootstrap;

import dev.nitricws.adapters.nitric.RuntimeCredentials;
import dev.nitricws.adapters.postgres.PostgresRegistryConfig;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.cli.Durations;
import dev.nitricws.domain.PositiveDuration;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.HmacTokens;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/**
 * The command line: reads flags and environment variables into {@link AppSettings}, starts the
 * chat, and runs until stopped (Ctrl-C or SIGTERM, which shut down in order).
 */
@Command(
    name = "nitric-ws",
    mixinStandardHelpOptions = true,
    version = "nitric-ws 0.1.0",
    sortOptions = false,
    description = {
      "Runs the broadcast chat: every message a client sends is sent to every connected client.",
      "With no SERVICE_ADDRESS it starts a local Nitric runtime in-process and serves the chat at",
      "http://127.0.0.1:<ws-port>/ (a page and a websocket). With SERVICE_ADDRESS it is a plain",
      "Nitric app for `nitric start` or a cloud deployment.",
      ""
    },
    footer = {"", "Every flag can also be given by the environment variable in brackets."})
public final class NitricWsMain implements Callable<Integer> {

  @Option(names = "--store", defaultValue = "${env:NITRICWS_STORE:-nitric}",
      description = "Where connections are kept: nitric, redis, postgres or memory (NITRICWS_STORE). Default: ${DEFAULT-VALUE}.")
  String store;

  @Option(names = "--socket", defaultValue = "${env:NITRICWS_SOCKET:-chat}",
      description = "The websocket's name (NITRICWS_SOCKET). Default: ${DEFAULT-VALUE}.")
  String socket;

  @Option(names = "--service-address", defaultValue = "${env:SERVICE_ADDRESS}",
      description = "host:port of the Nitric runtime (SERVICE_ADDRESS). Unset: start the local runtime in-process.")
  String serviceAddress;

  @Option(names = "--ws-port", defaultValue = "${env:NITRICWS_WS_PORT:-4000}",
      description = "Websocket and page port of the in-process runtime (NITRICWS_WS_PORT). Default: ${DEFAULT-VALUE}.")
  int wsPort;

  @Option(names = "--max-connections", defaultValue = "${env:NITRICWS_MAX_CONNECTIONS:-16000}",
      description = "Most connections the in-process runtime's gateway holds at once; more are refused with 503 "
          + "(NITRICWS_MAX_CONNECTIONS). Keep it below the open-file limit. Default: ${DEFAULT-VALUE}.")
  int maxConnections;

  @Option(names = "--grpc-port", defaultValue = "${env:NITRICWS_GRPC_PORT:-0}",
      description = "gRPC port of the in-process runtime, 0 for any free port (NITRICWS_GRPC_PORT). Default: ${DEFAULT-VALUE}.")
  int grpcPort;

  @Option(names = "--kv-store", defaultValue = "${env:NITRICWS_KV_STORE:-connections}",
      description = "Nitric key-value store for --store=nitric (NITRICWS_KV_STORE). Default: ${DEFAULT-VALUE}.")
  String kvStore;

  @Option(names = "--redis-url", defaultValue = "${env:NITRICWS_REDIS_URL}",
      description = "Redis URL for --store=redis: redis://[:password@]host:port[/db], rediss:// for TLS; "
          + "for a cluster, host:port pairs separated by commas (NITRICWS_REDIS_URL).")
  String redisUrl;

  @Option(names = "--redis-cluster", defaultValue = "${env:NITRICWS_REDIS_CLUSTER:-false}",
      description = "The Redis URL names a Redis Cluster (NITRICWS_REDIS_CLUSTER). Default: ${DEFAULT-VALUE}.")
  boolean redisCluster;

  @Option(names = "--redis-command-timeout", defaultValue = "${env:NITRICWS_REDIS_COMMAND_TIMEOUT:-5s}",
      description = "How long one Redis command may take (NITRICWS_REDIS_COMMAND_TIMEOUT). Default: ${DEFAULT-VALUE}.")
  String redisCommandTimeout;

  @Option(names = "--postgres-url", defaultValue = "${env:NITRICWS_POSTGRES_URL}",
      description = "JDBC URL for --store=postgres, e.g. jdbc:postgresql://127.0.0.1:5432/app (NITRICWS_POSTGRES_URL).")
  String postgresUrl;

  @Option(names = "--postgres-user", defaultValue = "${env:NITRICWS_POSTGRES_USER}",
      description = "Database user, if not in the URL (NITRICWS_POSTGRES_USER).")
  String postgresUser;

  @Option(names = "--postgres-password", defaultValue = "${env:NITRICWS_POSTGRES_PASSWORD}",
      description = "Database password; prefer the variable (NITRICWS_POSTGRES_PASSWORD). Never logged.")
  String postgresPassword;

  @Option(names = "--postgres-schema", defaultValue = "${env:NITRICWS_POSTGRES_SCHEMA:-nitricws}",
      description = "Schema of the connections table, created by the migrations (NITRICWS_POSTGRES_SCHEMA). Default: ${DEFAULT-VALUE}.")
  String postgresSchema;

  @Option(names = "--postgres-pool-size", defaultValue = "${env:NITRICWS_POSTGRES_POOL_SIZE:-10}",
      description = "Database connection pool size (NITRICWS_POSTGRES_POOL_SIZE). Default: ${DEFAULT-VALUE}.")
  int postgresPoolSize;

  @Option(names = "--postgres-connection-timeout", defaultValue = "${env:NITRICWS_POSTGRES_CONNECTION_TIMEOUT:-5s}",
      description = "How long to wait for a pooled database connection (NITRICWS_POSTGRES_CONNECTION_TIMEOUT). Default: ${DEFAULT-VALUE}.")
  String postgresConnectionTimeout;

  @Option(names = "--postgres-statement-timeout", defaultValue = "${env:NITRICWS_POSTGRES_STATEMENT_TIMEOUT:-10s}",
      description = "How long one statement may run; 0s sets no limit, leaving the server's statement_timeout "
          + "(NITRICWS_POSTGRES_STATEMENT_TIMEOUT). Default: ${DEFAULT-VALUE}.")
  String postgresStatementTimeout;

  @Option(names = "--postgres-migrate", defaultValue = "${env:NITRICWS_POSTGRES_MIGRATE:-true}", arity = "1",
      description = "Run the schema migrations at start-up (NITRICWS_POSTGRES_MIGRATE). Default: ${DEFAULT-VALUE}.")
  boolean postgresMigrate;

  @Option(names = "--max-connection-life", defaultValue = "${env:NITRICWS_MAX_CONNECTION_LIFE:-2h}",
      description = "How long a stored connection lives after connect, e.g. 2h, 90m (NITRICWS_MAX_CONNECTION_LIFE). Default: ${DEFAULT-VALUE}.")
  String maxConnectionLife;

  @Option(names = "--handler-timeout", defaultValue = "${env:NITRICWS_HANDLER_TIMEOUT:-10s}",
      description = "How long a handler may run before its event is answered without it (NITRICWS_HANDLER_TIMEOUT). Default: ${DEFAULT-VALUE}.")
  String handlerTimeout;

  @Option(names = "--send-timeout", defaultValue = "${env:NITRICWS_SEND_TIMEOUT:-10s}",
      description = "How long one send to a client may take before it counts as failed; a broadcast never waits "
          + "longer on one slow client (NITRICWS_SEND_TIMEOUT). Default: ${DEFAULT-VALUE}.")
  String sendTimeout;

  @Option(names = "--auth-secret", defaultValue = "${env:NITRICWS_AUTH_SECRET}",
      description = "Switches connect-time authentication on: clients connect with ?token=<token signed with this "
          + "secret> (HMAC-SHA256, at least 32 bytes); prefer the variable (NITRICWS_AUTH_SECRET). Never logged.")
  String authSecret;

  @Option(names = "--mint-token", paramLabel = "SUBJECT",
      description = "Prints a token for SUBJECT signed with the auth secret, for trying authentication out, and exits.")
  String mintToken;

  @Option(names = "--token-life", defaultValue = "${env:NITRICWS_TOKEN_LIFE:-1h}",
      description = "How long a token from --mint-token is valid (NITRICWS_TOKEN_LIFE). Default: ${DEFAULT-VALUE}.")
  String tokenLife;

  @Option(names = "--runtime-tls", defaultValue = "${env:NITRICWS_RUNTIME_TLS:-false}",
      description = "Speak TLS to the runtime at --service-address (NITRICWS_RUNTIME_TLS). The shared runtime token "
          + "comes from NITRICWS_RUNTIME_TOKEN only, never a flag, and is sent as authorization: Bearer on every call. "
          + "Default: ${DEFAULT-VALUE}.")
  boolean runtimeTls;

  @Option(names = "--runtime-ca", defaultValue = "${env:NITRICWS_RUNTIME_CA}",
      description = "PEM file of the certificates to trust for --runtime-tls instead of the system's (NITRICWS_RUNTIME_CA).")
  String runtimeCa;

  @Option(names = "--metrics-port", defaultValue = "${env:NITRICWS_METRICS_PORT:-0}",
      description = "Serve the metrics for Prometheus at http://<host>:<port>/metrics and a health check at /health "
          + "on this port, on every interface; 0 serves none (NITRICWS_METRICS_PORT). Default: ${DEFAULT-VALUE}.")
  int metricsPort;

  @Spec
  CommandSpec spec;

  /**
   * The settings that {@code args} (and the environment) give, as the command line reads them;
   * for embedding and tests. Throws IllegalArgumentException naming a bad value.
   */
  public static AppSettings parse(String... args) {
    NitricWsMain main = new NitricWsMain();
    try {
      new CommandLine(main).parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    return main.settings();
  }

  /** Reads the settings; throws IllegalArgumentException naming a bad value. */
  AppSettings settings() {
    String environment = Optional.ofNullable(System.getenv("NITRIC_ENVIRONMENT")).filter(s -> !s.isBlank()).orElse("run")
        .trim().toLowerCase(Locale.ROOT);
    StoreKind kind = StoreKind.parse(store);
    // every store flag is checked, whichever store is chosen; the chosen store's config is built
    // once its URL is given, except under the Nitric CLI's collection, where no store is reached
    RedisRegistryConfig.Builder redisFlags = redisFlags();
    PostgresRegistryConfig.Builder postgresFlags = postgresFlags();
    boolean reached = !AppSettings.collecting(environment);
    Optional<RedisRegistryConfig> redis = kind == StoreKind.REDIS && reached && given(redisUrl)
        ? Optional.of(flag("--redis-url", "uri", () -> redisFlags.uri(redisUrl).build())) : Optional.empty();
    Optional<PostgresRegistryConfig> postgres = kind == StoreKind.POSTGRES && reached && given(postgresUrl)
        ? Optional.of(flag("--postgres-url", "jdbcUrl", () -> postgresFlags.jdbcUrl(postgresUrl).build())) : Optional.empty();
    return new AppSettings(
        kind,
        SocketName.of(socket),
        Optional.ofNullable(serviceAddress).filter(s -> !s.isBlank()),
        environment,
        grpcPort,
        wsPort,
        maxConnections,
        kvStore,
        redis,
        postgres,
        duration("--max-connection-life", maxConnectionLife),
        duration("--handler-timeout", handlerTimeout),
        duration("--send-timeout", sendTimeout),
        tokens(),
        runtimeCredentials(),
        metricsPort);
  }

  /** The Redis flags on the adapter's config builder, each value checked by the adapter's rule. */
  private RedisRegistryConfig.Builder redisFlags() {
    RedisRegistryConfig.Builder redis = RedisRegistryConfig.builder().cluster(redisCluster);
    durationFlag("--redis-command-timeout", "commandTimeout", redisCommandTimeout, redis::commandTimeout);
    return redis;
  }

  /**
   * The PostgreSQL flags on the adapter's config builder, each value checked by the adapter's
   * rule; a blank user or an empty password counts as not given.
   */
  private PostgresRegistryConfig.Builder postgresFlags() {
    PostgresRegistryConfig.Builder postgres = PostgresRegistryConfig.builder().migrate(postgresMigrate);
    flag("--postgres-user", "user", () -> postgres.user(given(postgresUser) ? postgresUser : null));
    flag("--postgres-password", "password",
        () -> postgres.password(postgresPassword == null || postgresPassword.isEmpty() ? null : postgresPassword));
    flag("--postgres-schema", "schema", () -> postgres.schema(postgresSchema));
    flag("--postgres-pool-size", "poolSize", () -> postgres.poolSize(postgresPoolSize));
    durationFlag("--postgres-connection-timeout", "connectionTimeout", postgresConnectionTimeout,
        postgres::connectionTimeout);
    durationFlag("--postgres-statement-timeout", "statementTimeout", postgresStatementTimeout,
        postgres::statementTimeout);
    return postgres;
  }

  /**
   * Hands a flag's value to a store config ({@code set}). The config's refusal starts with its own
   * name for the setting; it is given again with the flag's name in its place.
   */
  private static <T> T flag(String flag, String setting, Supplier<T> set) {
    try {
      return set.get();
    } catch (IllegalArgumentException e) {
      String message = e.getMessage();
      throw new IllegalArgumentException(message.startsWith(setting + " ")
          ? flag + message.substring(setting.length()) : flag + ": " + message, e);
    }
  }

  /** {@link #flag} for a duration flag, once its text is parsed. */
  private static void durationFlag(String flag, String setting, String text, Function<Duration, ?> set) {
    Duration value = duration(flag, text);
    flag(flag, setting, () -> set.apply(value));
  }

  private static boolean given(String value) {
    return value != null && !value.isBlank();
  }

  /** The runtime token (from the environment only: a flag would show in the process list), TLS and CA. */
  private RuntimeCredentials runtimeCredentials() {
    Map<String, String> env = new HashMap<>();
    Optional.ofNullable(System.getenv(RuntimeCredentials.TOKEN)).ifPresent(t -> env.put(RuntimeCredentials.TOKEN, t));
    env.put(RuntimeCredentials.TLS, Boolean.toString(runtimeTls));
    Optional.ofNullable(runtimeCa).ifPresent(ca -> env.put(RuntimeCredentials.CA, ca));
    try {
      return RuntimeCredentials.from(env);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().replace(RuntimeCredentials.CA, "--runtime-ca (" + RuntimeCredentials.CA + ")")
          .replace(RuntimeCredentials.TLS + "=true", "--runtime-tls"), e);
    }
  }

  /** The signed tokens of --auth-secret, if given; the message of a bad secret never shows it. */
  private Optional<HmacTokens> tokens() {
    if (authSecret == null || authSecret.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(HmacTokens.withSecret(authSecret));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--auth-secret (NITRICWS_AUTH_SECRET): " + e.getMessage(), e);
    }
  }

  /** --mint-token: the token for the subject, or an exit code after saying what is wrong. */
  private int mint(PrintWriter out, PrintWriter err) {
    try {
      HmacTokens tokens = tokens().orElseThrow(() -> new IllegalArgumentException(
          "--mint-token needs --auth-secret (or NITRICWS_AUTH_SECRET), the secret the server checks tokens with"));
      Duration life = duration("--token-life", tokenLife);
      PositiveDuration.require("--token-life", life);
      out.println(tokens.mint(mintToken, life));
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("nitric-ws: " + e.getMessage());
      return 2;
    }
  }

  @Override
  public Integer call() throws Exception {
    if (mintToken != null) {
      return mint(spec.commandLine().getOut(), spec.commandLine().getErr());
    }
    AppSettings settings;
    try {
      settings = settings();
    } catch (IllegalArgumentException e) {
      System.err.println("nitric-ws: " + e.getMessage());
      return 2;
    }
    NitricWsServer server;
    try {
      server = NitricWsServer.start(settings);
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(NitricWsMain.class).debug("start-up failed", e);
      System.err.println("nitric-ws: " + (settings.collecting() ? "the Nitric CLI's collection failed: " : "could not start: ")
          + e.getMessage() + " (NITRICWS_LOG_LEVEL=DEBUG shows the stack trace)");
      return 1;
    }
    if (settings.collecting()) {
      // the Nitric CLI waits for the app to exit once it has collected the declarations
      server.close();
      System.out.println(server.banner());
      return 0;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "nitric-ws-shutdown"));
    System.out.println(server.banner());
    stopped.await();
    return 0;
  }

  /** Parses 500ms, 10s, 90m, 2h, 1d or ISO-8601 (PT2H). */
  static Duration duration(String flag, String text) {
    return Durations.parse(flag, text);
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new NitricWsMain()).execute(args));
  }
}
