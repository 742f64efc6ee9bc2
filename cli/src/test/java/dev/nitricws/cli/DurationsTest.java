package dev.nitricws.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @Test
  void shortFormsAndIso() {
    assertThat(Durations.parse("--t", "500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("--t", "10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("--t", "90m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("--t", "2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("--t", "1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("--t", "PT2H")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("--t", "pt90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(Durations.parse("--t", " 30 S ")).as("case and spaces").isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("--t", "PT0.25S")).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void zeroNeedsNoUnit() {
    assertThat(Durations.parse("--ping-interval", "0")).isZero();
    assertThat(Durations.parse("--ping-interval", "0s")).isZero();
    assertThat(Durations.parse("--ping-interval", "PT0S")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"30", "1", "500"})
  void aBareNumberIsRefusedNamingTheFlagAndTheForms(String bare) {
    assertThatThrownBy(() -> Durations.parse("--handler-timeout", bare))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--handler-timeout takes a duration such as 500ms, 10s, 90m, 2h, 1d or ISO-8601 (PT2H); got '"
            + bare + "' (a number needs a unit, e.g. " + bare + "s or " + bare + "ms)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"soon", "", " ", "10 seconds", "1.5h", "10x", "PT", "h", "ms10"})
  void otherFormsAreRefused(String text) {
    assertThatThrownBy(() -> Durations.parse("--idle-timeout", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--idle-timeout takes a duration such as 500ms, 10s, 90m, 2h, 1d or ISO-8601 (PT2H); got '"
            + text + "'");
  }

  @Test
  void nullIsRefusedLikeAnyText() {
    assertThatThrownBy(() -> Durations.parse("--t", null)).hasMessageContaining("--t takes a duration");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-5s", "-5", "-PT5S", "PT-5S", "-1ms"})
  void negativesAreRefused(String text) {
    assertThatThrownBy(() -> Durations.parse("--t", text))
        .hasMessageStartingWith("--t takes a duration")
        .hasMessageEndingWith("'" + text + "' (a duration cannot be negative)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"99999999999999999999s", "9223372036854775807m", "106752d", "200000000h",
      "PT99999999999999999999S", "PT9223372036854775807H", "P999999999D"})
  void overflowIsRefused(String text) {
    assertThatThrownBy(() -> Durations.parse("--t", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("'" + text + "' (longer than 292 years)");
  }

  @Test
  void theLongestAcceptedIsWhatNanosecondsCount() {
    assertThat(Durations.parse("--t", "106751d")).isEqualTo(Duration.ofDays(106_751));
  }

  @Test
  void theFlagIsRequired() {
    assertThatThrownBy(() -> Durations.parse(null, "1s")).isInstanceOf(NullPointerException.class);
  }

  @Test
  void formatGivesTheShortFormThatParsesBack() {
    assertThat(Durations.format(Duration.ofSeconds(20))).isEqualTo("20s");
    assertThat(Durations.format(Duration.ofMinutes(10))).isEqualTo("600s");
    assertThat(Durations.format(Duration.ofMillis(500))).isEqualTo("500ms");
    assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
    assertThat(Durations.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(Durations.format(Duration.ofNanos(1500))).isEqualTo("PT0.0000015S");
    for (Duration d : new Duration[] {Duration.ofSeconds(20), Duration.ofMillis(1500), Duration.ofNanos(1500)}) {
      assertThat(Durations.parse("--t", Durations.format(d))).isEqualTo(d);
    }
  }
}
