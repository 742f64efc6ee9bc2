package dev.nitricws.json;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.nitricws.domain.LogText;
import dev.nitricws.ports.JsonMapper;
import java.io.IOException;

/**
 * The app's {@link JsonMapper} on a Jackson {@link ObjectMapper}: give it to {@code
 * WebsocketApp.builder(...).jsonMapper(...)} and to {@link TypedMessages#builder}, so what comes in
 * and what goes out follow one mapper's settings. Thread-safe, as the ObjectMapper is once
 * configured.
 *
 * <p>The default ObjectMapper ({@link #defaultObjectMapper()}) reads and writes records (and
 * {@code Optional}, {@code java.time} values as ISO-8601 text), ignores properties a type does not
 * have (a client may send more than a record holds), refuses anything after the JSON value, and
 * quotes at most 64 characters of the input in its error messages.
 */
public final class JacksonJsonMapper implements JsonMapper {

  /** How much of a bad input Jackson's own messages quote, in the default mapper. */
  static final int QUOTED_INPUT = 64;
  /** How much of Jackson's message this mapper's IllegalArgumentException repeats. */
  private static final int MESSAGE_LENGTH = 300;

  private final ObjectMapper mapper;

  /** A mapper on {@link #defaultObjectMapper()}. */
  public JacksonJsonMapper() {
    this(defaultObjectMapper());
  }

  /** A mapper on the caller's {@code mapper}, used as it is configured; it must not be reconfigured afterwards. */
  public JacksonJsonMapper(ObjectMapper mapper) {
    this.mapper = requireNonNull(mapper, "mapper");
  }

  /**
   * A new ObjectMapper with this module's defaults (see the class comment), to adjust and hand to
   * {@link #JacksonJsonMapper(ObjectMapper)}.
   */
  public static ObjectMapper defaultObjectMapper() {
    JsonFactory factory = JsonFactory.builder()
        .errorReportConfiguration(ErrorReportConfiguration.builder()
            .maxErrorTokenLength(QUOTED_INPUT)
            .maxRawContentLength(QUOTED_INPUT)
            .build())
        .build();
    return com.fasterxml.jackson.databind.json.JsonMapper.builder(factory)
        .addModule(new Jdk8Module())
        .addModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
  }

  /** The ObjectMapper underneath. */
  public ObjectMapper objectMapper() {
    return mapper;
  }

  @Override
  public byte[] toJson(Object value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + (value == null ? "null" : value.getClass().getName())
          + " as JSON: " + problem(e), e);
    }
  }

  @Override
  public <T> T fromJson(byte[] json, Class<T> type) {
    requireNonNull(json, "json");
    requireNonNull(type, "type");
    try {
      return mapper.readValue(json, type);
    } catch (IOException | RuntimeException e) {
      // a RuntimeException: a constructor that refused the values, with exception wrapping switched off
      throw new IllegalArgumentException("cannot read JSON as " + type.getName() + ": " + problem(e), e);
    }
  }

  /** Jackson's own words (without the location it appends), cut and escaped. */
  static String problem(Throwable e) {
    String message = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    return LogText.escape(message == null ? e.getClass().getName() : message, MESSAGE_LENGTH);
  }

  @Override
  public String toString() {
    return "JacksonJsonMapper";
  }
}
