package dev.nitricws.adapters.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedisRegistryConfigTest {

  @Test
  void aPlainUriNamesOneHostOnTheDefaultPort() {
    RedisAddress a = RedisRegistryConfig.standalone("redis://localhost").address();
    assertThat(a.hosts()).containsExactly(new RedisAddress.HostPort("localhost", 6379));
    assertThat(a.tls()).isFalse();
    assertThat(a.password()).isNull();
    assertThat(a.database()).isZero();
  }

  @Test
  void passwordUserDatabaseAndTlsAreRead() {
    RedisAddress a = RedisRegistryConfig.standalone("rediss://app:s%40cr%3At@10.0.0.1:6380/3").address();
    assertThat(a.tls()).isTrue();
    assertThat(a.username()).isEqualTo("app");
    assertThat(a.password()).isEqualTo("s@cr:t");
    assertThat(a.hosts()).containsExactly(new RedisAddress.HostPort("10.0.0.1", 6380));
    assertThat(a.database()).isEqualTo(3);
  }

  @Test
  void aPasswordAloneIsWrittenWithALeadingColonOrBare() {
    assertThat(RedisRegistryConfig.standalone("redis://:pw@h:1").address().password()).isEqualTo("pw");
    assertThat(RedisRegistryConfig.standalone("redis://pw@h:1").address().password()).isEqualTo("pw");
    assertThat(RedisRegistryConfig.standalone("redis://:pw@h:1").address().username()).isNull();
  }

  @Test
  void aPasswordMayHoldAnAtSignAndSlashes() {
    RedisAddress a = RedisRegistryConfig.standalone("redis://:a@b/c@127.0.0.1:6379").address();
    assertThat(a.password()).isEqualTo("a@b/c");
    assertThat(a.hosts()).containsExactly(new RedisAddress.HostPort("127.0.0.1", 6379));
  }

  @Test
  void aClusterListsSeveralSeedNodes() {
    RedisAddress a = RedisRegistryConfig.cluster("redis://127.0.0.1:7000,127.0.0.1:7001,[::1]:7002").address();
    assertThat(a.hosts()).containsExactly(new RedisAddress.HostPort("127.0.0.1", 7000),
        new RedisAddress.HostPort("127.0.0.1", 7001), new RedisAddress.HostPort("::1", 7002));
  }

  @Test
  void thePasswordIsMaskedEverywhereItCouldShow() {
    RedisRegistryConfig config = RedisRegistryConfig.cluster("redis://app:hunter2@127.0.0.1:7000,127.0.0.1:7001");
    assertThat(config.maskedUri()).isEqualTo("redis://app:****@127.0.0.1:7000,127.0.0.1:7001");
    assertThat(config.toString()).doesNotContain("hunter2").contains("redis://app:****@127.0.0.1:7000");
    assertThat(config.address().toString()).doesNotContain("hunter2");
    assertThat(RedisRegistryConfig.standalone("redis://:hunter2@h:1/2").maskedUri()).isEqualTo("redis://:****@h:1/2");
  }

  @Test
  void badUrisAreRefusedNamingTheRuleWithoutThePassword() {
    for (String bad : List.of("http://:hunter2@h:1", "h:6379", "redis://:hunter2@", "redis://:hunter2@h:0",
        "redis://:hunter2@h:65536", "redis://:hunter2@h:x", "redis://:hunter2@h/a", "redis://:hunter2@h?timeout=1",
        "redis://:hunter2@h:1,h:2", "redis://:hunter2@h w", "redis://:hun%2ter2@h", "redis://user:@h")) {
      assertThatThrownBy(() -> RedisRegistryConfig.standalone(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Redis URI '")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("hun%2ter2"));
    }
    assertThatThrownBy(() -> RedisRegistryConfig.standalone("redis://h:1,h:2"))
        .hasMessageContaining("set cluster to true");
    assertThatThrownBy(() -> RedisRegistryConfig.cluster("redis://h:1/2"))
        .hasMessageContaining("database 0 only");
  }

  @Test
  void timeoutAndKeyPrefixAreChecked() {
    RedisRegistryConfig ok = RedisRegistryConfig.standalone("redis://h");
    assertThat(ok.commandTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(ok.keyPrefix()).isEqualTo("nws:");
    assertThat(ok.toBuilder().keyPrefix("").build().keyPrefix()).isEmpty();
    assertThat(ok.toBuilder().keyPrefix("app.v1:nws-").build().keyPrefix()).isEqualTo("app.v1:nws-");
    assertThatThrownBy(() -> ok.toBuilder().commandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commandTimeout").hasMessageContaining("PT0S");
    assertThatThrownBy(() -> ok.toBuilder().commandTimeout(Duration.ofHours(1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commandTimeout");
    assertThatThrownBy(() -> ok.toBuilder().keyPrefix("a{b}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'{'").hasMessageContaining("keyPrefix");
    assertThatThrownBy(() -> ok.toBuilder().keyPrefix("x".repeat(65)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyPrefix");
    assertThatThrownBy(() -> new RedisRegistryConfig(null, false, Duration.ofSeconds(1), ""))
        .isInstanceOf(NullPointerException.class).hasMessage("uri");
  }

  @Test
  void theRecordAndTheBuilderApplyTheSameRules() {
    assertThatThrownBy(() -> new RedisRegistryConfig("redis://h", false, Duration.ZERO, "nws:"))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("commandTimeout must be positive, got PT0S");
    assertThatThrownBy(() -> RedisRegistryConfig.builder().commandTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("commandTimeout must be positive, got PT0S");
    assertThatThrownBy(() -> RedisRegistryConfig.builder().build())
        .isInstanceOf(NullPointerException.class).hasMessage("uri");
    assertThatThrownBy(() -> RedisRegistryConfig.builder().uri("redis://h:1,h:2").build())
        .hasMessageContaining("set cluster to true");

    RedisRegistryConfig changed = RedisRegistryConfig.builder().uri("redis://h:1,h:2").cluster(true)
        .commandTimeout(Duration.ofSeconds(2)).keyPrefix("app:").build();
    assertThat(changed.toBuilder().build()).isEqualTo(changed);
    assertThat(changed).isEqualTo(new RedisRegistryConfig("redis://h:1,h:2", true, Duration.ofSeconds(2), "app:"));
  }

  @Test
  void durationsReadAsPeopleWriteThem() {
    assertThat(RedisLink.human(Duration.ofSeconds(5))).isEqualTo("5s");
    assertThat(RedisLink.human(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(RedisLink.human(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(RedisLink.human(Duration.ofMinutes(2))).isEqualTo("2m");
  }
}
