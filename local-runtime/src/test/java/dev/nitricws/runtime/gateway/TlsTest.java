package dev.nitricws.runtime.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.nitricws.proto.websockets.v1.WebsocketDetailsRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketSendRequest;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.LocalRuntimeException;
import dev.nitricws.runtime.TestApp;
import dev.nitricws.runtime.WsClient;
import java.io.FileInputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** wss on the gateway, with a self-signed certificate made for the test by the JDK's keytool. */
class TlsTest {

  private static final char[] PASSWORD = "changeit".toCharArray();

  @TempDir
  static Path dir;
  private static Path certificate;
  private static Path privateKey;
  private static SSLContext trustingTheCertificate;

  @BeforeAll
  static void selfSignedCertificate() throws Exception {
    Path keyStore = dir.resolve("gateway.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "gateway",
        "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", "CN=127.0.0.1",
        "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-keystore", keyStore.toString(), "-storetype", "PKCS12",
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("keytool: %s", output).isZero();

    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(keyStore.toFile())) {
      store.load(in, PASSWORD);
    }
    Certificate cert = store.getCertificate("gateway");
    PrivateKey key = (PrivateKey) store.getKey("gateway", PASSWORD);
    certificate = dir.resolve("cert.pem");
    privateKey = dir.resolve("key.pem");
    Files.writeString(certificate, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(privateKey, pem("PRIVATE KEY", key.getEncoded()));

    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("gateway", cert);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    trustingTheCertificate = SSLContext.getInstance("TLS");
    trustingTheCertificate.init(null, trust.getTrustManagers(), null);
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  @Test
  void clientsConnectWithWssAndSocketDetailsSaysSo() throws Exception {
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0)
        .tls(certificate, privateKey).build().start();
        TestApp app = new TestApp(runtime.grpcPort())) {
      app.declareWebsocket("chat");
      TestApp.EventStream connects = app.register("chat", WebsocketEventType.Connect, TestApp.Mode.ACCEPT);
      int port = runtime.websocketPort("chat");

      String url = app.websocket().socketDetails(WebsocketDetailsRequest.newBuilder().setSocketName("chat").build())
          .getUrl();
      assertThat(url).isEqualTo("wss://127.0.0.1:" + port).isEqualTo(runtime.websocketUrl("chat"));

      WsClient client = WsClient.connect(HttpClient.newBuilder().sslContext(trustingTheCertificate).build(),
          URI.create(url + "/?room=tls")).get(10, TimeUnit.SECONDS);
      String id = connects.next().request().getConnectionId();
      app.websocket().sendMessage(WebsocketSendRequest.newBuilder().setSocketName("chat").setConnectionId(id)
          .setData(ByteString.copyFromUtf8("over tls")).build());
      assertThat(client.next()).isEqualTo("over tls");
    }
  }

  @Test
  void aPlainWsClientIsNotUpgradedOnATlsPort() {
    try (LocalRuntime runtime = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0)
        .acceptWithoutHandler(true).tls(certificate, privateKey).build().start()) {
      int port = runtime.declareWebsocket("chat");

      assertThatThrownBy(() -> WsClient.connect(port, "/").orTimeout(10, TimeUnit.SECONDS).join())
          .isInstanceOf(CompletionException.class)
          .satisfies(e -> assertThat(e.getCause()).isNotInstanceOf(WebSocketHandshakeException.class));
      assertThat(runtime.connectionCount("chat")).isZero();
    }
  }

  @Test
  void missingOrUnreadableFilesAreRefusedNamingThem() {
    Path missing = dir.resolve("missing.pem");
    assertThatThrownBy(() -> LocalRuntime.builder().tls(missing, privateKey))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> LocalRuntime.builder().tls(privateKey, certificate).build())
        .isInstanceOf(LocalRuntimeException.class)
        .hasMessageContaining(privateKey.toString());
  }
}
