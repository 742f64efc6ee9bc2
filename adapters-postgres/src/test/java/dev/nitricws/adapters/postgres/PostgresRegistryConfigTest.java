package dev.nitricws.adapters.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresRegistryConfigTest {

  private static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";

  @Test
  void defaults() {
    PostgresRegistryConfig config = PostgresRegistryConfig.forUrl(URL);

    assertThat(config.schema()).isEqualTo("nitricws");
    assertThat(config.poolSize()).isEqualTo(10);
    assertThat(config.migrate()).isTrue();
    assertThat(config.user()).isNull();
    assertThat(config.password()).isNull();
    assertThat(config.connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.statementTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.purgeInterval()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void serverSettingsBuildAUrlWithoutThePassword() {
    PostgresRegistryConfig config = PostgresRegistryConfig.forServer("127.0.0.1", 5433, "my db", "app", "s3cret");

    assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5433/my%20db");
    assertThat(config.user()).isEqualTo("app");
    assertThat(config.password()).isEqualTo("s3cret");
    assertThat(PostgresRegistryConfig.forServer("[::1]", 5432, "test", null, null).jdbcUrl())
        .isEqualTo("jdbc:postgresql://[::1]:5432/test");
  }

  @Test
  void toStringMasksThePassword() {
    PostgresRegistryConfig config = PostgresRegistryConfig.builder().jdbcUrl(URL).user("app").password("s3cret-pw").build();

    assertThat(config.toString()).doesNotContain("s3cret-pw").contains("password=****").contains(URL);
    assertThat(PostgresRegistryConfig.forUrl(URL).toString()).contains("password=(none)");
  }

  @Test
  void aPasswordInTheUrlIsRefusedWithoutBeingEchoed() {
    for (String url : List.of(URL + "?user=app&password=s3cret-pw", URL + "?password=s3cret-pw&user=app",
        URL + "?sslpassword=s3cret-pw", URL + "?PASSWORD=s3cret-pw")) {
      assertThatThrownBy(() -> PostgresRegistryConfig.forUrl(url))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("password setting")
          .hasMessageNotContaining("s3cret-pw");
    }
    assertThat(PostgresRegistryConfig.redact(URL + "?user=a&password=x&ssl=true"))
        .isEqualTo(URL + "?user=a&password=****&ssl=true");
  }

  @Test
  void schemaNamesAreCheckedStrictly() {
    for (String ok : List.of("nitricws", "_x", "nws_it_0a1b", "a".repeat(63))) {
      assertThat(PostgresRegistryConfig.builder().jdbcUrl(URL).schema(ok).build().schema()).isEqualTo(ok);
    }
    for (String bad : List.of("", "x\"; drop table y; --", "Upper", "1abc", "a-b", "a b", "pg_catalog",
        "a".repeat(64), "sch\u00e9ma", "a.b")) {
      assertThatThrownBy(() -> PostgresRegistryConfig.builder().jdbcUrl(URL).schema(bad))
          .as("schema %s", bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("lowercase letters a-z, digits and '_'");
    }
  }

  @Test
  void badValuesNameTheValueAndTheRule() {
    PostgresRegistryConfig.Builder config = PostgresRegistryConfig.forUrl(URL).toBuilder();

    assertThatThrownBy(() -> PostgresRegistryConfig.forUrl("jdbc:mysql://h/db"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jdbc:mysql://h/db")
        .hasMessageContaining("must start with 'jdbc:postgresql:'");
    assertThatThrownBy(() -> config.poolSize(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("poolSize must be between 1 and 200, got 0");
    assertThatThrownBy(() -> config.connectionTimeout(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectionTimeout must be between");
    assertThatThrownBy(() -> config.statementTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("statementTimeout must be zero (none) or");
    assertThatThrownBy(() -> config.purgeInterval(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("purgeInterval");
    assertThatThrownBy(() -> config.maxQueued(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxQueued");
    assertThatThrownBy(() -> config.user(" "))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("user");
    assertThatThrownBy(() -> PostgresRegistryConfig.forServer("evil/host?x=", 5432, "db", null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host");
    assertThatThrownBy(() -> PostgresRegistryConfig.forServer("localhost", 0, "db", null, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port must be between 1 and 65535");
    assertThatThrownBy(() -> config.schema(null)).isInstanceOf(NullPointerException.class).hasMessage("schema");
    assertThat(config.statementTimeout(Duration.ZERO).build().statementTimeout()).isZero();
    assertThat(config.purgeInterval(Duration.ZERO).build().purgeInterval()).isZero();
  }

  @Test
  void theRecordAndTheBuilderApplyTheSameRules() {
    assertThatThrownBy(() -> new PostgresRegistryConfig(URL, null, null, "nitricws", 0,
        Duration.ofSeconds(1), Duration.ZERO, Duration.ZERO, 10, true))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("poolSize must be between 1 and 200, got 0");
    assertThatThrownBy(() -> PostgresRegistryConfig.builder().build())
        .isInstanceOf(NullPointerException.class).hasMessage("jdbcUrl");

    PostgresRegistryConfig changed = PostgresRegistryConfig.builder().jdbcUrl(URL).user("app").password("pw")
        .schema("other").poolSize(3).connectionTimeout(Duration.ofSeconds(2)).statementTimeout(Duration.ZERO)
        .purgeInterval(Duration.ofSeconds(30)).maxQueued(5).migrate(false).build();
    assertThat(changed.toBuilder().build()).isEqualTo(changed);
    assertThat(changed.toBuilder().poolSize(4).build())
        .isEqualTo(new PostgresRegistryConfig(URL, "app", "pw", "other", 4, Duration.ofSeconds(2), Duration.ZERO,
            Duration.ofSeconds(30), 5, false));
  }

  @Test
  void tlsParametersOfTheUrlReachTheDriverUnchanged() throws Exception {
    String url = URL + "?sslmode=verify-full&sslrootcert=/etc/nitricws/root.crt"
        + "&sslcert=/etc/nitricws/client.crt&sslkey=/etc/nitricws/client.pk8&connectTimeout=2";
    PostgresRegistryConfig config = PostgresRegistryConfig.builder().jdbcUrl(url).user("app").password("s3cret").build();

    com.zaxxer.hikari.HikariConfig pool = PostgresPool.settings(config);
    java.util.Properties driver = org.postgresql.Driver.parseURL(pool.getJdbcUrl(), pool.getDataSourceProperties());

    assertThat(config.jdbcUrl()).isEqualTo(url);
    assertThat(config.describe()).startsWith(url);
    assertThat(pool.getJdbcUrl()).isEqualTo(url);
    assertThat(driver).containsEntry("sslmode", "verify-full")
        .containsEntry("sslrootcert", "/etc/nitricws/root.crt")
        .containsEntry("sslcert", "/etc/nitricws/client.crt")
        .containsEntry("sslkey", "/etc/nitricws/client.pk8")
        .containsEntry("connectTimeout", "2")
        .containsEntry("ApplicationName", "nitric-ws");
  }
}
