package dev.nitricws.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.nitric.RuntimeCredentials;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NitricWsMainTest {

  @Test
  void flagsBecomeValidatedSettings() {
    AppSettings s = NitricWsMain.parse("--store=postgres", "--postgres-url=jdbc:postgresql://db/app",
        "--postgres-password=s3cret", "--socket=room-1", "--service-address=10.0.0.1:50051", "--max-connection-life=90m");

    assertThat(s.store()).isEqualTo(StoreKind.POSTGRES);
    assertThat(s.socket().value()).isEqualTo("room-1");
    assertThat(s.serviceAddress()).contains("10.0.0.1:50051");
    assertThat(s.embedded()).isFalse();
    assertThat(s.maxConnectionLife()).isEqualTo(Duration.ofMinutes(90));
    assertThat(s.postgres().statementTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.postgres().migrate()).isTrue();
    assertThat(s.toString()).doesNotContain("s3cret").contains("schema=nitricws");
  }

  @Test
  void badValuesAreNamedWithWhatIsAllowed() {
    assertThatThrownBy(() -> NitricWsMain.parse("--store=mongo"))
        .hasMessage("unknown store 'mongo'; allowed: nitric, redis, postgres, memory");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=redis", "--redis-url="))
        .hasMessageContaining("--store=redis needs --redis-url");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--handler-timeout=soon"))
        .hasMessageContaining("--handler-timeout takes a duration").hasMessageContaining("'soon'");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--socket=chat/room"))
        .hasMessageContaining("socket name 'chat/room'");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--redis-command-timeout=0s"))
        .hasMessageContaining("--redis-command-timeout must be positive");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--ws-port=70000"))
        .hasMessageContaining("between 0 and 65535");
  }

  @Test
  void underTheCliCollectionNoStoreSettingIsNeededButARuntimeAddressIs() {
    AppSettings collecting = settings(StoreKind.REDIS, "build", java.util.Optional.of("127.0.0.1:50051"));
    assertThat(collecting.collecting()).isTrue();
    assertThat(settings(StoreKind.POSTGRES, "build", java.util.Optional.of("127.0.0.1:50051")).collecting()).isTrue();

    assertThatThrownBy(() -> settings(StoreKind.REDIS, "run", java.util.Optional.of("127.0.0.1:50051")))
        .hasMessageContaining("--store=redis needs --redis-url");
    assertThatThrownBy(() -> settings(StoreKind.MEMORY, "build", java.util.Optional.empty()))
        .hasMessageContaining("NITRIC_ENVIRONMENT=build needs SERVICE_ADDRESS");
  }

  private static AppSettings settings(StoreKind store, String environment, java.util.Optional<String> address) {
    return new AppSettings(store, dev.nitricws.domain.SocketName.of("chat"), address, environment, 0, 4000,
        "connections", new RedisSettings(null, false, Duration.ofSeconds(5)),
        new PostgresSettings(null, null, null, "nitricws", 10, Duration.ofSeconds(5), Duration.ofSeconds(10), true),
        Duration.ofHours(2), Duration.ofSeconds(10), Duration.ofSeconds(10), java.util.Optional.empty(),
        dev.nitricws.adapters.nitric.RuntimeCredentials.none());
  }

  @Test
  void sendsAreBoundedByDefaultAndTheBoundIsAFlag() {
    assertThat(NitricWsMain.parse("--store=memory").sendTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(NitricWsMain.parse("--store=memory", "--send-timeout=3s").sendTimeout()).isEqualTo(Duration.ofSeconds(3));
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--send-timeout=0s"))
        .hasMessageContaining("--send-timeout must be positive");
  }

  @Test
  void aRemoteRuntimeCanBeReachedOverTlsTrustingAGivenCa(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    java.nio.file.Path ca = java.nio.file.Files.writeString(dir.resolve("ca.pem"), "pem");
    AppSettings tls = NitricWsMain.parse("--store=memory", "--service-address=runtime.internal:50051", "--runtime-tls",
        "--runtime-ca=" + ca);

    assertThat(tls.runtimeCredentials().tls()).isTrue();
    assertThat(tls.runtimeCredentials().trustedCertificates()).contains(ca);
    assertThat(NitricWsMain.parse("--store=memory").runtimeCredentials().tls()).isFalse();
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--runtime-tls"))
        .hasMessageContaining("--runtime-tls").hasMessageContaining("--service-address");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--service-address=h:1", "--runtime-ca=" + ca))
        .hasMessageContaining("--runtime-ca").hasMessageContaining("--runtime-tls");
  }

  @Test
  void theTlsParametersOfThePostgresUrlReachTheRegistryUnchanged() {
    String url = "jdbc:postgresql://db.internal:5432/app?sslmode=verify-full&sslrootcert=/etc/nitricws/root.crt";
    AppSettings s = NitricWsMain.parse("--store=postgres", "--postgres-url=" + url, "--postgres-user=app",
        "--postgres-password=s3cret");

    assertThat(StoreModules.PostgresStoreModule.config(s.postgres()).jdbcUrl()).isEqualTo(url);
    assertThat(StoreModules.PostgresStoreModule.config(s.postgres()).user()).isEqualTo("app");
  }

  @Test
  void durationsTakeShortAndIsoForms() {
    assertThat(NitricWsMain.duration("x", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(NitricWsMain.duration("x", "2h")).isEqualTo(Duration.ofHours(2));
    assertThat(NitricWsMain.duration("x", "1d")).isEqualTo(Duration.ofDays(1));
    assertThat(NitricWsMain.duration("x", "PT2H")).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void everyStoreKindHasItsModule() {
    for (StoreKind kind : StoreKind.values()) {
      assertThat(StoreModules.forKind(kind)).as(kind.flag()).isNotNull();
      assertThat(StoreKind.parse(kind.flag().toUpperCase())).isEqualTo(kind);
    }
  }
}
