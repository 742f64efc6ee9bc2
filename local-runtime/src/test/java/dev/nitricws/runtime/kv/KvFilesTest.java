package dev.nitricws.runtime.kv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Store names become safe file names and back. */
class KvFilesTest {

  @ParameterizedTest
  @ValueSource(strings = {"connections", "a/b c", "..", "ünïcødé", "x%41", "with.dot", "UPPER-lower_1"})
  void encodedStoreNamesDecodeToTheSameName(String store) {
    String encoded = KvFiles.encode(store);

    assertThat(encoded).matches("[A-Za-z0-9_%-]+");
    assertThat(KvFiles.decode(encoded)).isEqualTo(store);
  }

  @Test
  void plainNamesStayReadable() {
    assertThat(KvFiles.encode("connections")).isEqualTo("connections");
  }
}
