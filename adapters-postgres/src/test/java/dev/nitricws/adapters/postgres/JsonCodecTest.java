package dev.nitricws.adapters.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.domain.QueryParameters;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

  private static final List<String> NASTY = List.of(
      "",
      "plain",
      "quote' double\" back\\slash /slash",
      "'; DROP TABLE connections; --",
      "{\"json\": [1, 2, {\"x\": null}], \"esc\": \"\\u0041\"}",
      "日本語 ключ émoji 🙂👍🏽 مرحبا",
      "tab\tnew\nline\rcarriage\bback\fform \u0001\u001f\u007f",
      "\u2028\u2029 line separators",
      "a".repeat(5_000));

  @Test
  void attributesRoundTripAnyText() {
    Map<String, String> attributes = new LinkedHashMap<>();
    for (int i = 0; i < NASTY.size(); i++) {
      attributes.put(NASTY.get(i).isEmpty() ? "empty" : NASTY.get(i), NASTY.get((i + 1) % NASTY.size()));
    }

    assertThat(JsonCodec.decodeAttributes(JsonCodec.encodeAttributes(attributes))).isEqualTo(attributes);
    assertThat(JsonCodec.decodeAttributes(JsonCodec.encodeAttributes(Map.of()))).isEmpty();
  }

  @Test
  void queryKeepsRepeatedKeysEmptyListsAndOrder() {
    Map<String, List<String>> values = new LinkedHashMap<>();
    values.put("tag", List.of("z", "a", "m", "a"));
    values.put("", List.of(""));
    values.put("none", List.of());
    for (String s : NASTY) {
      values.put("k" + s, List.of(s, s + "2"));
    }
    QueryParameters query = new QueryParameters(values);

    QueryParameters back = JsonCodec.decodeQuery(JsonCodec.encodeQuery(query));

    assertThat(back).isEqualTo(query);
    assertThat(back.values().keySet()).containsExactlyElementsOf(values.keySet());
    assertThat(JsonCodec.decodeQuery(JsonCodec.encodeQuery(QueryParameters.empty()))).isEqualTo(QueryParameters.empty());
  }

  @Test
  void randomTextsRoundTrip() {
    Random random = new Random(42);
    for (int round = 0; round < 500; round++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(40);
      while (text.length() < length) {
        int codePoint = switch (random.nextInt(4)) {
          case 0 -> random.nextInt(0x80);
          case 1 -> random.nextInt(0x800);
          case 2 -> random.nextInt(0xD800);
          default -> 0x10000 + random.nextInt(0x100000);
        };
        if (codePoint != 0) {
          text.appendCodePoint(codePoint);
        }
      }
      Map<String, String> attributes = Map.of("v", text.toString(), text + "k", "x");
      assertThat(JsonCodec.decodeAttributes(JsonCodec.encodeAttributes(attributes))).isEqualTo(attributes);
    }
  }

  @Test
  void readsPostgresJsonbOutput() {
    // what PostgreSQL prints for jsonb: spaces after separators, \\uXXXX for control characters
    String attributes = "{\"a\": \"x\\u0002y\", \"b\\\"q\": \"\\\\ \\/ \\n 🙂\", \"\\ud83d\\ude42\": \"\"}";
    String query = "[[\"tag\", [\"z\", \"a\"]], [\"none\", []]]";

    assertThat(JsonCodec.decodeAttributes(attributes))
        .isEqualTo(Map.of("a", "x\u0002y", "b\"q", "\\ / \n 🙂", "🙂", ""));
    assertThat(JsonCodec.decodeQuery(query).all("tag")).containsExactly("z", "a");
    assertThat(JsonCodec.decodeQuery(query).values()).containsKey("none");
  }

  @Test
  void controlCharactersAreEscaped() {
    String json = JsonCodec.encodeAttributes(Map.of("k", "a\u0002\n\"\\"));

    assertThat(json).isEqualTo("{\"k\":\"a\\u0002\\n\\\"\\\\\"}");
    assertThat(json.chars()).noneMatch(c -> c < 0x20);
  }

  @Test
  void malformedStoredTextIsReportedWithoutEchoingIt() {
    assertThatThrownBy(() -> JsonCodec.decodeAttributes("{\"a\": 1}"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("stored JSON of attributes is not in the expected shape: expected a string as the value of member 0, "
            + "found number");
    assertThatThrownBy(() -> JsonCodec.decodeAttributes("[\"a\"]"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("expected an object, found array of 1 elements");
    assertThatThrownBy(() -> JsonCodec.decodeQuery("[[\"a\"]]"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("expected [name, [values...]] at element 0, found array of 1 elements");
    assertThatThrownBy(() -> JsonCodec.decodeQuery("[[\"a\", [\"b\", null]]]"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("a string as value 1 of element 0, found null");
    assertThatThrownBy(() -> JsonCodec.decodeQuery("{}"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("expected an array, found object of 0 members");
  }

  @Test
  void textThatIsNotJsonIsReportedByPositionKeepingTheCauseAndQuotingNothing() {
    String secret = "s3cr3t-token-value";
    for (String json : List.of(
        "{\"a\": \"b\"} " + secret,
        "[[\"a\", [\"\\q" + secret + "\"]]]",
        "[[\"a\", [\"" + secret,
        "{\"a\": " + secret + "}")) {
      assertThatThrownBy(() -> {
        if (json.startsWith("{")) {
          JsonCodec.decodeAttributes(json);
        } else {
          JsonCodec.decodeQuery(json);
        }
      }).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is not JSON at offset")
          .hasCauseInstanceOf(com.fasterxml.jackson.core.JsonProcessingException.class)
          .satisfies(e -> {
            assertThat(e.getMessage()).doesNotContain("s3cr3t");
            assertThat(e.getCause().getMessage()).doesNotContain("s3cr3t");
          });
    }
  }
}
