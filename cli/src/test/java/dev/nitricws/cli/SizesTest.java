package dev.nitricws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {

  @Test
  void bytesAndSuffixes() {
    assertThat(Sizes.parse("--s", "131072")).isEqualTo(131072);
    assertThat(Sizes.parse("--s", "128k")).isEqualTo(128 * 1024);
    assertThat(Sizes.parse("--s", "64KB")).isEqualTo(64 * 1024);
    assertThat(Sizes.parse("--s", "2kib")).isEqualTo(2048);
    assertThat(Sizes.parse("--s", "4m")).isEqualTo(4 << 20);
    assertThat(Sizes.parse("--s", "1 MiB")).isEqualTo(1 << 20);
    assertThat(Sizes.parse("--s", "2047m")).isEqualTo(2047 << 20);
  }

  @ParameterizedTest
  @ValueSource(strings = {"4g", "lots", "", "1.5m", "-1", "k", "12 bytes"})
  void otherFormsAreRefusedNamingTheFlagAndTheForms(String text) {
    assertThatThrownBy(() -> Sizes.parse("--max-queued", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--max-queued takes a size such as 131072 (bytes), 128k or 4m; got '" + text + "'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "0k", "2048m", "2147483648", "99999999999999999999", "9223372036854775807m"})
  void zeroAndOverflowAreRefused(String text) {
    assertThatThrownBy(() -> Sizes.parse("--write-buffer", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("got '" + text + "' (it must be between 1 byte and 2 GiB)");
  }
}
