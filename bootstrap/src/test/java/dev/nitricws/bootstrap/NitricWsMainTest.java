package dev.nitricws.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.inject.Guice;
import com.google.inject.Module;
import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.adapters.nitric.RuntimeCredentials;
import dev.nitricws.adapters.postgres.PostgresRegistryConfig;
import dev.nitricws.adapters.redis.RedisRegistryConfig;
import dev.nitricws.domain.ConnectionRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NitricWsMainTest {

  @Test
  void maxConnectionsReachesTheSettingsAndABadOneIsRefused() {
    assertThat(NitricWsMain.parse("--store=memory").localMaxConnections()).isEqualTo(16_000);
    assertThat(NitricWsMain.parse("--store=memory", "--max-connections=19500").localMaxConnections()).isEqualTo(19_500);
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--max-connections=0"))
        .hasMessageContaining("--max-connections must be at least 1, got 0");
  }

  @Test
  void flagsBecomeValidatedSettings() {
    AppSettings s = NitricWsMain.parse("--store=postgres", "--postgres-url=jdbc:postgresql://db/app",
        "--postgres-password=s3cret", "--socket=room-1", "--service-address=10.0.0.1:50051", "--max-connection-life=90m");

    assertThat(s.store()).isEqualTo(StoreKind.POSTGRES);
    assertThat(s.socket().value()).isEqualTo("room-1");
    assertThat(s.serviceAddress()).contains("10.0.0.1:50051");
    assertThat(s.embedded()).isFalse();
    assertThat(s.maxConnectionLife()).isEqualTo(Duration.ofMinutes(90));
    assertThat(s.postgres().orElseThrow().statementTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(s.postgres().orElseThrow().migrate()).isTrue();
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
    // the same parser as the local runtime's launcher: a bare number is refused, not taken as seconds
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--send-timeout=30"))
        .hasMessageContaining("--send-timeout takes a duration").hasMessageContaining("a number needs a unit");
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
        16_000, "connections", java.util.Optional.empty(), java.util.Optional.empty(),
        Duration.ofHours(2), Duration.ofSeconds(10), Duration.ofSeconds(10), java.util.Optional.empty(),
        dev.nitricws.adapters.nitric.RuntimeCredentials.none(), 0);
  }

  @Test
  void metricsAreServedOnlyWhenAPortIsGivenAndNotUnderTheCliCollection() {
    assertThat(NitricWsMain.parse("--store=memory").metricsServed()).isFalse();
    AppSettings served = NitricWsMain.parse("--store=memory", "--metrics-port=9090");
    assertThat(served.metricsServed()).isTrue();
    assertThat(served.metricsPort()).isEqualTo(9090);
    assertThat(served.toString()).contains("metricsPort=9090");
    assertThat(NitricWsMain.parse("--store=memory", "--metrics-port=0").metricsServed()).isFalse();
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--metrics-port=70000"))
        .hasMessage("--metrics-port must be between 0 and 65535, got 70000");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--metrics-port=prometheus"))
        .hasMessageContaining("--metrics-port").hasMessageContaining("prometheus");
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

    assertThat(s.postgres().orElseThrow().jdbcUrl()).isEqualTo(url);
    assertThat(s.postgres().orElseThrow().user()).isEqualTo("app");
  }

  @Test
  void theStoreFlagsBuildTheAdaptersOwnConfigs() {
    AppSettings redis = NitricWsMain.parse("--store=redis", "--redis-url=redis://:s3cret@127.0.0.1:6379",
        "--redis-cluster=false", "--redis-command-timeout=2s");
    assertThat(redis.redis()).contains(RedisRegistryConfig.builder().uri("redis://:s3cret@127.0.0.1:6379")
        .commandTimeout(Duration.ofSeconds(2)).build());
    assertThat(redis.postgres()).as("no config for a store not chosen, and no URL needed for it").isEmpty();
    assertThat(redis.toString()).doesNotContain("s3cret");

    AppSettings postgres = NitricWsMain.parse("--store=postgres", "--postgres-url=jdbc:postgresql://db/app",
        "--postgres-user= ", "--postgres-schema=chat_1", "--postgres-pool-size=4", "--postgres-connection-timeout=2s",
        "--postgres-statement-timeout=0s", "--postgres-migrate=false");
    assertThat(postgres.postgres()).contains(PostgresRegistryConfig.builder().jdbcUrl("jdbc:postgresql://db/app")
        .schema("chat_1").poolSize(4).connectionTimeout(Duration.ofSeconds(2)).statementTimeout(Duration.ZERO)
        .migrate(false).build());
    assertThat(postgres.redis()).isEmpty();
  }

  @Test
  void aStoreFlagTheAdapterRefusesIsNamedWhateverTheStore() {
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--postgres-pool-size=0"))
        .hasMessage("--postgres-pool-size must be between 1 and 200, got 0");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--postgres-statement-timeout=2h"))
        .hasMessageStartingWith("--postgres-statement-timeout must be zero (none) or between 0.001s and 1h, got PT2H");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=memory", "--postgres-connection-timeout=soon"))
        .hasMessageContaining("--postgres-connection-timeout takes a duration");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=postgres", "--postgres-url=jdbc:mysql://db/app"))
        .hasMessageStartingWith("--postgres-url 'jdbc:mysql://db/app' must start with 'jdbc:postgresql:'");
    assertThatThrownBy(() -> NitricWsMain.parse("--store=redis", "--redis-url=redis://h:1,h:2"))
        .hasMessageStartingWith("--redis-url: Redis URI").hasMessageContaining("set cluster to true");
  }

  @Test
  void durationsTakeShortAndIsoForms() {
    assertThat(NitricWsMain.duration("x", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(NitricWsMain.duration("x", "2h")).isEqualTo(Duration.ofHours(2));
    assertThat(NitricWsMain.duration("x", "1d")).isEqualTo(Duration.ofDays(1));
    assertThat(NitricWsMain.duration("x", "PT2H")).isEqualTo(Duration.ofHours(2));
  }

  @Test
  void eachStoreFlagInstallsItsOwnModuleAndCollectionConnectsToNoServer() {
    Map<String, Class<? extends Module>> modules = Map.of(
        "nitric", StoreModules.NitricStoreModule.class,
        "redis", StoreModules.RedisStoreModule.class,
        "postgres", StoreModules.PostgresStoreModule.class,
        "memory", StoreModules.MemoryStoreModule.class);
    assertThat(modules.keySet()).containsExactlyInAnyOrderElementsOf(
        Arrays.stream(StoreKind.values()).map(StoreKind::flag).toList());
    modules.forEach((flag, module) -> {
      StoreKind kind = StoreKind.parse(flag.toUpperCase(Locale.ROOT));
      assertThat(StoreModules.forKind(kind)).as("--store=" + flag).isInstanceOf(module);
      // under the CLI's build-time collection only the Nitric KV store (declared, never called) stays
      assertThat(StoreModules.forCollection(kind)).as("collecting with --store=" + flag)
          .isInstanceOf(kind == StoreKind.NITRIC ? StoreModules.NitricStoreModule.class : StoreModules.MemoryStoreModule.class);
    });
    ConnectionRegistry memory = Guice.createInjector(StoreModules.forKind(StoreKind.MEMORY),
        binder -> binder.bind(Clock.class).toInstance(Clock.systemUTC())).getInstance(ConnectionRegistry.class);
    assertThat(memory).isInstanceOf(InMemoryConnectionRegistry.class);
  }
}
