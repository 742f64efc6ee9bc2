package dev.nitricws.adapters.nitric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.nitric.events.FakeEventRuntime;
import dev.nitricws.adapters.nitric.send.FakeWebsocketService;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.WebsocketApp;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The channel to a remote runtime: every call carries {@code authorization: Bearer <token>} when
 * a token is set, and speaks TLS when asked, trusting the given CA. A server interceptor records
 * what arrives.
 */
class RuntimeCredentialsTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final SocketName CHAT = SocketName.of("chat");

  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final ServerInterceptor recorder = new ServerInterceptor() {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      calls.add(call.getMethodDescriptor().getBareMethodName() + " " + headers.get(AUTHORIZATION));
      return next.startCall(call, headers);
    }
  };
  @TempDir
  Path dir;
  private Server server;

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyCallCarriesTheBearerToken() throws IOException {
    start(null);
    NitricRuntimeClient nitric = NitricRuntimeClient.builder(settings())
        .credentials(RuntimeCredentials.none().withToken("t0k3n-for-the-runtime"))
        .connect();
    WebsocketApp app = WebsocketApp.builder(nitric.kvRegistry("connections"), nitric.sender())
        .socket(CHAT, SocketHandler.builder().build()).build();
    try {
      assertThat(nitric.serve(app).toCompletableFuture()).succeedsWithin(WAIT);
      assertThat(nitric.sender().send(CHAT, ConnectionId.of("c1"), new byte[] {1}).toCompletableFuture())
          .succeedsWithin(WAIT).isEqualTo(SendOutcome.DELIVERED);
    } finally {
      nitric.close();
      app.close();
    }

    assertThat(calls).extracting(c -> c.substring(0, c.indexOf(' ')))
        .contains("Declare", "HandleEvents", "SendMessage");
    assertThat(calls).allMatch(c -> c.endsWith(" Bearer t0k3n-for-the-runtime"), "carries the token");
  }

  @Test
  void withoutATokenNoAuthorizationIsSent() throws IOException {
    start(null);
    NitricRuntimeClient nitric = NitricRuntimeClient.connect(settings());
    try {
      assertThat(nitric.sender().send(CHAT, ConnectionId.of("c1"), new byte[] {1}).toCompletableFuture())
          .succeedsWithin(WAIT).isEqualTo(SendOutcome.DELIVERED);
    } finally {
      nitric.close();
    }
    assertThat(calls).containsExactly("SendMessage null");
  }

  @Test
  void overTlsTheRuntimeIsTrustedThroughTheGivenCa() throws Exception {
    Path ca = certificate();
    start(serverCredentials());

    NitricRuntimeClient trusting = NitricRuntimeClient.builder(settings())
        .credentials(RuntimeCredentials.none().withTls(ca).withToken("over-tls")).connect();
    NitricRuntimeClient plaintext = NitricRuntimeClient.connect(settings());
    NitricRuntimeClient systemTrust = NitricRuntimeClient.builder(settings()).credentials(RuntimeCredentials.none().withTls(null)).connect();
    try {
      assertThat(trusting.sender().send(CHAT, ConnectionId.of("c1"), new byte[] {1}).toCompletableFuture())
          .succeedsWithin(WAIT).isEqualTo(SendOutcome.DELIVERED);
      assertFails(plaintext);
      assertFails(systemTrust);
    } finally {
      trusting.close();
      plaintext.close();
      systemTrust.close();
    }
    assertThat(calls).containsExactly("SendMessage Bearer over-tls");
  }

  @Test
  void theEnvironmentNamesTokenTlsAndCaAndTheTokenIsNeverShown() throws IOException {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "not checked here");
    RuntimeCredentials credentials = RuntimeCredentials.from(Map.of(
        "NITRICWS_RUNTIME_TOKEN", "s3cret-runtime-token", "NITRICWS_RUNTIME_TLS", "true", "NITRICWS_RUNTIME_CA", ca.toString()));

    assertThat(credentials.token()).contains("s3cret-runtime-token");
    assertThat(credentials.tls()).isTrue();
    assertThat(credentials.trustedCertificates()).contains(ca);
    assertThat(credentials.toString()).doesNotContain("s3cret").contains("token=set").contains("tls=on");
    assertThat(RuntimeCredentials.from(Map.of())).isEqualTo(RuntimeCredentials.none());
    assertThat(RuntimeCredentials.none().toString()).contains("token=none").contains("tls=off");
    assertThatThrownBy(() -> RuntimeCredentials.from(Map.of("NITRICWS_RUNTIME_TLS", "yes please")))
        .hasMessageContaining("NITRICWS_RUNTIME_TLS").hasMessageContaining("true or false");
    assertThatThrownBy(() -> RuntimeCredentials.from(Map.of("NITRICWS_RUNTIME_CA", ca.toString())))
        .hasMessageContaining("NITRICWS_RUNTIME_CA").hasMessageContaining("NITRICWS_RUNTIME_TLS=true");
    assertThatThrownBy(() -> RuntimeCredentials.none().withTls(dir.resolve("missing.pem")))
        .hasMessageContaining("missing.pem");
    assertThatThrownBy(() -> RuntimeCredentials.none().withToken("two\nlines"))
        .hasMessageContaining("printable ASCII").hasMessageNotContaining("two");
  }

  private void assertFails(NitricRuntimeClient nitric) {
    assertThat(nitric.sender().send(CHAT, ConnectionId.of("c1"), new byte[] {1}).toCompletableFuture())
        .succeedsWithin(WAIT).isInstanceOfSatisfying(SendOutcome.Failed.class, f ->
            assertThat(((NitricCallException) f.cause()).status().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
  }

  private void start(ServerCredentials credentials) throws IOException {
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", 0);
    NettyServerBuilder builder = credentials == null ? NettyServerBuilder.forAddress(address)
        : NettyServerBuilder.forAddress(address, credentials);
    server = builder
        .addService(ServerInterceptors.intercept(new FakeEventRuntime(), recorder))
        .addService(ServerInterceptors.intercept(new NitricResourcesTest.FakeResources(), recorder))
        .addService(ServerInterceptors.intercept(new FakeWebsocketService(), recorder))
        .build().start();
  }

  private NitricSettings settings() {
    return NitricSettings.address("127.0.0.1:" + server.getPort(), NitricSettings.Environment.RUN);
  }

  /** A self-signed certificate for 127.0.0.1 and localhost, made with the JDK's keytool. */
  private Path certificate() throws Exception {
    Path keystore = dir.resolve("runtime.p12");
    Path pem = dir.resolve("runtime-ca.pem");
    keytool("-genkeypair", "-alias", "runtime", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-keystore", keystore.toString(),
        "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
    keytool("-exportcert", "-rfc", "-alias", "runtime", "-keystore", keystore.toString(), "-storepass", "changeit",
        "-file", pem.toString());
    return pem;
  }

  private ServerCredentials serverCredentials() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("runtime.p12"))) {
      store.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, "changeit".toCharArray());
    return TlsServerCredentials.newBuilder().keyManager(keys.getKeyManagers()).build();
  }

  private static void keytool(String... args) throws Exception {
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor()).as("keytool: %s", output).isZero();
  }
}
