package dev.nitricws.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JacksonJsonMapperTest {

  private final JacksonJsonMapper mapper = new JacksonJsonMapper();

  record Point(int x, int y) {}

  record Event(String name, Instant at, Optional<String> note, List<Point> path, Map<String, Integer> counts) {}

  record Say(String text) {
    Say {
      if (text == null || text.isBlank()) {
        throw new IllegalArgumentException("text must not be blank");
      }
    }
  }

  /** Nothing Jackson can write. */
  static final class Opaque {}

  @Test
  void recordsRoundTripWithOptionalsTimesListsAndMaps() {
    Event event = new Event("moved", Instant.parse("2024-05-01T10:15:30.123Z"), Optional.of("fast"),
        List.of(new Point(1, 2), new Point(3, 4)), Map.of("steps", 2));

    byte[] json = mapper.toJson(event);

    assertThat(new String(json, StandardCharsets.UTF_8))
        .contains("\"name\":\"moved\"", "\"at\":\"2024-05-01T10:15:30.123Z\"", "\"note\":\"fast\"",
            "\"path\":[{\"x\":1,\"y\":2},{\"x\":3,\"y\":4}]");
    assertThat(mapper.fromJson(json, Event.class)).isEqualTo(event);
    assertThat(mapper.fromJson(mapper.toJson(new Event("empty", null, Optional.empty(), List.of(), Map.of())), Event.class))
        .isEqualTo(new Event("empty", null, Optional.empty(), List.of(), Map.of()));
  }

  @Test
  void everyWriteGivesANewArray() {
    Point p = new Point(1, 1);
    assertThat(mapper.toJson(p)).isNotSameAs(mapper.toJson(p)).isEqualTo(mapper.toJson(p));
  }

  @Test
  void unknownPropertiesAreIgnoredAndTrailingTextRefused() {
    assertThat(mapper.fromJson(utf8("{\"x\":1,\"y\":2,\"z\":3}"), Point.class)).isEqualTo(new Point(1, 2));
    assertThatThrownBy(() -> mapper.fromJson(utf8("{\"x\":1,\"y\":2} {}"), Point.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Point");
  }

  @Test
  void badJsonFailsNamingTheTypeAndTheProblemKeepingTheCause() {
    assertThatThrownBy(() -> mapper.fromJson(utf8("{\"x\": nope}"), Point.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot read JSON as " + Point.class.getName() + ": ")
        .hasMessageContaining("nope")
        .hasCauseInstanceOf(JsonProcessingException.class);
    assertThatThrownBy(() -> mapper.fromJson(utf8("{\"text\":\" \"}"), Say.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Say.class.getName()).hasMessageContaining("text must not be blank")
        .hasCauseInstanceOf(JsonProcessingException.class);
  }

  @Test
  void aValueJacksonCannotWriteFailsNamingItsType() {
    assertThatThrownBy(() -> mapper.toJson(new Opaque()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot write " + Opaque.class.getName() + " as JSON: ")
        .hasCauseInstanceOf(JsonProcessingException.class);
  }

  @Test
  void aFailureQuotesABoundedPartOfTheInput() {
    String huge = "a".repeat(10_000);

    assertThatThrownBy(() -> mapper.fromJson(utf8("{\"x\": " + huge + "}"), Point.class))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> {
          assertThat(e.getMessage()).hasSizeLessThan(500).doesNotContain("a".repeat(JacksonJsonMapper.QUOTED_INPUT + 1));
          assertThat(e.getCause().getMessage()).doesNotContain("a".repeat(JacksonJsonMapper.QUOTED_INPUT + 1));
        });
  }

  @Test
  void theCallersObjectMapperIsUsedAsItIs() {
    ObjectMapper strict = JacksonJsonMapper.defaultObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    JacksonJsonMapper custom = new JacksonJsonMapper(strict);

    assertThat(custom.objectMapper()).isSameAs(strict);
    assertThatThrownBy(() -> custom.fromJson(utf8("{\"x\":1,\"y\":2,\"z\":3}"), Point.class))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"z\"");
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
