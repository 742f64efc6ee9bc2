package dev.nitricws.adapters.nitric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.adapters.nitric.NitricSettings.Environment;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NitricSettingsTest {

  @Test
  void unsetVariablesTakeTheDefaultsOfTheOfficialSdks() {
    NitricSettings settings = NitricSettings.from(Map.of());

    assertThat(settings.host()).isEqualTo("127.0.0.1");
    assertThat(settings.port()).isEqualTo(50051);
    assertThat(settings.environment()).isEqualTo(Environment.RUN);
    assertThat(settings.serviceAddress()).isEqualTo("127.0.0.1:50051");
  }

  @Test
  void variablesAreRead() {
    NitricSettings settings = NitricSettings.from(Map.of("SERVICE_ADDRESS", "nitric:7000", "NITRIC_ENVIRONMENT", "Build"));

    assertThat(settings).isEqualTo(new NitricSettings("nitric", 7000, Environment.BUILD));
    assertThat(NitricSettings.from(Map.of("SERVICE_ADDRESS", "[::1]:50051", "NITRIC_ENVIRONMENT", "cloud")))
        .satisfies(s -> {
          assertThat(s.host()).isEqualTo("::1");
          assertThat(s.serviceAddress()).isEqualTo("[::1]:50051");
          assertThat(s.environment()).isEqualTo(Environment.CLOUD);
        });
    assertThat(NitricSettings.from(Map.of("SERVICE_ADDRESS", " ", "NITRIC_ENVIRONMENT", "")).serviceAddress())
        .isEqualTo("127.0.0.1:50051");
  }

  @Test
  void badValuesAreRefusedNamingTheValueAndTheRule() {
    assertThatThrownBy(() -> NitricSettings.from(Map.of("NITRIC_ENVIRONMENT", "prod")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'prod'").hasMessageContaining("[run, build, cloud]");
    assertThatThrownBy(() -> NitricSettings.from(Map.of("SERVICE_ADDRESS", "localhost")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'localhost' is not host:port");
    assertThatThrownBy(() -> NitricSettings.from(Map.of("SERVICE_ADDRESS", "localhost:http")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no numeric port");
    assertThatThrownBy(() -> NitricSettings.from(Map.of("SERVICE_ADDRESS", "::1:50051")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("brackets");
    assertThatThrownBy(() -> NitricSettings.from(Map.of("SERVICE_ADDRESS", "localhost:70000")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port must be between 1 and 65535, got 70000");
  }
}
