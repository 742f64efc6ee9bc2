package dev.nitricws.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.runtime.gateway.OriginPolicy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The standalone launcher's options. */
class LocalRuntimeMainTest {

  @Test
  void helpListsEveryOptionAndExitsZero() {
    StringWriter out = new StringWriter();
    CommandLine command = new CommandLine(new LocalRuntimeMain()).setOut(new PrintWriter(out));

    int exitCode = command.execute("--help");

    assertThat(exitCode).isZero();
    assertThat(out.toString()).contains("--grpc-port", "--ws-port", "--kv-dir", "--max-message-size",
        "--idle-timeout", "--handler-timeout", "--ping-interval", "--host", "--static-page", "--help",
        "--accept-without-handler", "--request-timeout", "--max-connections-per-address", "--max-connections",
        "--max-messages-per-second", "--write-buffer", "--slow-client-timeout",
        "--allowed-origins", "--grpc-host", "--grpc-token", "NITRICWS_RUNTIME_TOKEN",
        "--tls-cert", "--tls-key");
  }

  @Test
  void defaultsMatchTheDocumentedOnes() throws Exception {
    LocalRuntimeMain main = new LocalRuntimeMain();
    main.environment = Map.of();
    new CommandLine(main).parseArgs();
    LocalRuntimeBuilder settings = main.runtimeBuilder();

    assertThat(settings.grpcPort).isEqualTo(50051);
    assertThat(settings.firstWebsocketPort).isEqualTo(4000);
    assertThat(settings.bindHost).isEqualTo("127.0.0.1");
    assertThat(settings.kvDirectory).isNull();
    assertThat(settings.maxMessageSize).isEqualTo(128 * 1024);
    assertThat(settings.idleTimeout).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.handlerTimeout).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.pingInterval).isEqualTo(Duration.ofSeconds(30));
    assertThat(settings.acceptWithoutHandler).isFalse();
    assertThat(settings.requestTimeout).isEqualTo(LocalRuntime.DEFAULT_REQUEST_TIMEOUT);
    assertThat(settings.maxConnectionsPerAddress).isEqualTo(LocalRuntime.DEFAULT_MAX_CONNECTIONS_PER_ADDRESS);
    assertThat(settings.maxConnections).isEqualTo(LocalRuntime.DEFAULT_MAX_CONNECTIONS);
    assertThat(settings.maxMessagesPerSecond).isEqualTo(LocalRuntime.DEFAULT_MAX_MESSAGES_PER_SECOND);
    assertThat(settings.writeBufferSize).isEqualTo(LocalRuntime.DEFAULT_WRITE_BUFFER_SIZE);
    assertThat(settings.maxQueuedBytes).isEqualTo(LocalRuntime.DEFAULT_MAX_QUEUED_BYTES);
    assertThat(settings.maxQueuedTotalBytes).isEqualTo(LocalRuntime.DEFAULT_MAX_QUEUED_TOTAL_BYTES);
    assertThat(settings.slowClientTimeout).isEqualTo(LocalRuntime.DEFAULT_SLOW_CLIENT_TIMEOUT);
    assertThat(settings.allowedOrigins).as("any origin").isSameAs(OriginPolicy.ANY);
    assertThat(settings.grpcHost).isEqualTo("127.0.0.1");
    assertThat(settings.grpcToken).isNull();
    assertThat(settings.tlsCertificate).isNull();
    assertThat(settings.staticPage).isNull();
  }

  @Test
  void optionsAreParsed() throws Exception {
    LocalRuntimeMain main = new LocalRuntimeMain();
    new CommandLine(main).parseArgs("--grpc-port", "0", "--ws-port", "0", "--kv-dir", "/tmp/kv",
        "--max-message-size", "1m", "--idle-timeout", "PT90S", "--handler-timeout", "500ms",
        "--accept-without-handler", "--request-timeout", "2s", "--max-connections-per-address", "8",
        "--max-connections", "100", "--max-messages-per-second", "0", "--write-buffer", "1m",
        "--slow-client-timeout", "3s", "--allowed-origins", "https://chat.example,http://localhost:3000");
    LocalRuntimeBuilder settings = main.runtimeBuilder();

    assertThat(settings.grpcPort).isZero();
    assertThat(settings.firstWebsocketPort).isZero();
    assertThat(settings.kvDirectory).isEqualTo(Path.of("/tmp/kv"));
    assertThat(settings.maxMessageSize).isEqualTo(1024 * 1024);
    assertThat(settings.idleTimeout).isEqualTo(Duration.ofSeconds(90));
    assertThat(settings.handlerTimeout).isEqualTo(Duration.ofMillis(500));
    assertThat(settings.acceptWithoutHandler).isTrue();
    assertThat(settings.requestTimeout).isEqualTo(Duration.ofSeconds(2));
    assertThat(settings.maxConnectionsPerAddress).isEqualTo(8);
    assertThat(settings.maxConnections).isEqualTo(100);
    assertThat(settings.maxMessagesPerSecond).isZero();
    assertThat(settings.writeBufferSize).isEqualTo(1024 * 1024);
    assertThat(settings.slowClientTimeout).isEqualTo(Duration.ofSeconds(3));
    assertThat(settings.allowedOrigins).hasToString("http://localhost:3000,https://chat.example");
  }

  @Test
  void hostOpensOnlyTheWebsocketPortsAndTheGrpcPortHasItsOwn() throws Exception {
    LocalRuntimeMain main = new LocalRuntimeMain();
    new CommandLine(main).parseArgs("--host", "0.0.0.0");

    assertThat(main.runtimeBuilder().bindHost).isEqualTo("0.0.0.0");
    assertThat(main.runtimeBuilder().grpcHost).isEqualTo("127.0.0.1");

    LocalRuntimeMain both = new LocalRuntimeMain();
    new CommandLine(both).parseArgs("--host", "0.0.0.0", "--grpc-host", "10.0.0.5");
    assertThat(both.runtimeBuilder().grpcHost).isEqualTo("10.0.0.5");
  }

  @Test
  void theTokenComesFromTheFlagOrElseTheEnvironment() throws Exception {
    LocalRuntimeMain main = new LocalRuntimeMain();
    main.environment = Map.of(LocalRuntimeMain.TOKEN_VARIABLE, "from-env");
    new CommandLine(main).parseArgs();
    assertThat(main.runtimeBuilder().grpcToken).isEqualTo("from-env");

    LocalRuntimeMain flagged = new LocalRuntimeMain();
    flagged.environment = Map.of(LocalRuntimeMain.TOKEN_VARIABLE, "from-env");
    new CommandLine(flagged).parseArgs("--grpc-token", "from-flag");
    assertThat(flagged.runtimeBuilder().grpcToken).isEqualTo("from-flag");

    LocalRuntimeMain none = new LocalRuntimeMain();
    none.environment = Map.of();
    new CommandLine(none).parseArgs();
    assertThat(none.runtimeBuilder().grpcToken).isNull();
  }

  @Test
  void tlsTakesBothFilesOrNeither(@TempDir Path dir) throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "x");
    Path key = Files.writeString(dir.resolve("key.pem"), "x");
    LocalRuntimeMain main = new LocalRuntimeMain();
    new CommandLine(main).parseArgs("--tls-cert", cert.toString(), "--tls-key", key.toString());

    assertThat(main.runtimeBuilder().tlsCertificate).isEqualTo(cert);
    assertThat(main.runtimeBuilder().tlsPrivateKey).isEqualTo(key);

    StringWriter err = new StringWriter();
    int exitCode = new CommandLine(new LocalRuntimeMain()).setErr(new PrintWriter(err))
        .execute("--tls-cert", cert.toString());
    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).contains("--tls-key");
  }

  @Test
  void theStaticPageIsReadFromItsFile(@TempDir Path dir) throws Exception {
    Path page = Files.writeString(dir.resolve("index.html"), "<p>hi</p>");
    LocalRuntimeMain main = new LocalRuntimeMain();
    new CommandLine(main).parseArgs("--static-page", page.toString());

    assertThat(main.runtimeBuilder().staticPage).asString().isEqualTo("<p>hi</p>");
  }

  @Test
  void versionExitsZero() {
    StringWriter out = new StringWriter();
    int exitCode = new CommandLine(new LocalRuntimeMain()).setOut(new PrintWriter(out)).execute("--version");

    assertThat(exitCode).isZero();
    assertThat(out.toString()).contains("nitric-ws local runtime");
  }

  @Test
  void badValuesExitWithUsageErrorNamingTheRule() {
    StringWriter err = new StringWriter();
    CommandLine command = new CommandLine(new LocalRuntimeMain()).setErr(new PrintWriter(err));

    int exitCode = command.execute("--idle-timeout", "soon");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).contains("'soon' is not a duration");
  }

  @Test
  void durationsAndSizesTakeTheProjectsShortForms() throws Exception {
    LocalRuntimeMain main = new LocalRuntimeMain();
    new CommandLine(main).parseArgs("--handler-timeout", "250ms", "--idle-timeout", "2h", "--request-timeout",
        "pt10m", "--ping-interval", "0", "--max-message-size", "131072", "--write-buffer", "64KB",
        "--max-queued-total", "128m");
    LocalRuntimeBuilder settings = main.runtimeBuilder();

    assertThat(settings.handlerTimeout).isEqualTo(Duration.ofMillis(250));
    assertThat(settings.idleTimeout).isEqualTo(Duration.ofHours(2));
    assertThat(settings.requestTimeout).isEqualTo(Duration.ofMinutes(10));
    assertThat(settings.pingInterval).as("0 needs no unit: pings off").isZero();
    assertThat(settings.maxMessageSize).isEqualTo(131072);
    assertThat(settings.writeBufferSize).isEqualTo(65536);
    assertThat(settings.maxQueuedTotalBytes).isEqualTo(128L << 20);
  }

  @Test
  void aDurationWithoutAUnitIsAUsageErrorNamingTheFlag() {
    StringWriter err = new StringWriter();
    int exitCode = new CommandLine(new LocalRuntimeMain()).setErr(new PrintWriter(err))
        .execute("--handler-timeout", "45");

    assertThat(exitCode).isEqualTo(2);
    assertThat(err.toString()).contains("--handler-timeout", "'45' is not a duration (a number needs a unit");
  }

  @Test
  void sizesOutOfRangeAreUsageErrors() {
    for (String size : new String[] {"0", "4g"}) {
      StringWriter err = new StringWriter();
      int exitCode = new CommandLine(new LocalRuntimeMain()).setErr(new PrintWriter(err))
          .execute("--max-queued", size);
      assertThat(exitCode).isEqualTo(2);
      assertThat(err.toString()).contains("--max-queued", "'" + size + "' is not a size");
    }
  }
}
