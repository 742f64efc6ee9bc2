package dev.nitricws.adapters.nitric.events;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected values are what Node's decodeURIComponent (the official SDK's decoding) gives. */
class UriComponentTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "Jürgen | Jürgen",                 // already decoded by the runtime (local gateways)
      "a b | a b",
      "J%C3%BCrgen | Jürgen",            // passed raw by a runtime
      "100%2541 | 100%41",               // one decoding, not two
      "a+b | a+b",                       // '+' is not a space here
      "%E2%82%AC%20x | € x",
      "%F0%9F%99%82! | 🙂!",
      "plain | plain"})
  void decodesAsTheNodeSdkDoes(String value, String expected) {
    assertThat(UriComponent.decode(value)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} kept")
  @CsvSource(delimiter = '|', value = {"%ZZ", "100%", "50%2", "%C3%28", "%FF%FE", "a%"})
  void keepsWhatDecodeUriComponentWouldRefuse(String value) {
    assertThat(UriComponent.decode(value)).isEqualTo(value);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {"%41%ZZ | A%ZZ", "%C3%BC%FF | %C3%BC%FF", "x%20y%FF | x y%FF"})
  void decodesTheValidRunsAroundAnInvalidOne(String value, String expected) {
    assertThat(UriComponent.decode(value)).isEqualTo(expected);
  }
}
