package dev.nitricws.adapters.postgres;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.nitricws.domain.QueryParameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON text of the two jsonb columns, written and read with Jackson: attributes are an object
 * of strings ({@code {"name": "value"}}), query parameters an array of {@code [name, [values...]]}
 * pairs, which keeps repeated keys and the order of values.
 *
 * <p>Reading accepts any JSON text of that shape (PostgreSQL's jsonb output has spaces after
 * separators and backslash-u escapes) and nothing else: a value of another type is refused, not
 * converted. A refusal is an {@link IllegalStateException} that says where the shape broke by
 * position only: stored texts (query values may hold tokens) are never quoted, by this class or
 * by Jackson's exception it keeps as the cause.
 */
final class JsonCodec {

  /** Thread-safe once built; its errors quote none of the input. */
  private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
          .errorReportConfiguration(ErrorReportConfiguration.builder().maxErrorTokenLength(0).maxRawContentLength(0).build())
          .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private JsonCodec() {}

  // ------------------------------------------------------------------------------------ writing

  /** {@code {"name":"value",...}}. */
  static String encodeAttributes(Map<String, String> attributes) {
    return write(attributes);
  }

  /** {@code [["name",["v1","v2"]],...]}. */
  static String encodeQuery(QueryParameters query) {
    List<List<Object>> pairs = new ArrayList<>(query.values().size());
    query.values().forEach((name, values) -> pairs.add(List.of(name, values)));
    return write(pairs);
  }

  private static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) { // strings, lists and maps of them always write
      throw new IllegalStateException("could not write the JSON of a connection: " + e.getOriginalMessage(), e);
    }
  }

  // ------------------------------------------------------------------------------------ reading

  /** The attributes written by {@link #encodeAttributes}. */
  static Map<String, String> decodeAttributes(String json) {
    JsonNode root = read(json, "attributes");
    if (!root.isObject()) {
      throw shape("attributes", "an object", root);
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    int index = 0;
    for (Map.Entry<String, JsonNode> member : root.properties()) {
      attributes.put(member.getKey(), text(member.getValue(), "attributes", "the value of member " + index++));
    }
    return attributes;
  }

  /** The query parameters written by {@link #encodeQuery}. */
  static QueryParameters decodeQuery(String json) {
    JsonNode root = read(json, "query");
    if (!root.isArray()) {
      throw shape("query", "an array", root);
    }
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (int i = 0; i < root.size(); i++) {
      JsonNode pair = root.get(i);
      if (!pair.isArray() || pair.size() != 2) {
        throw shape("query", "[name, [values...]] at element " + i, pair);
      }
      String name = text(pair.get(0), "query", "the name at element " + i);
      JsonNode list = pair.get(1);
      if (!list.isArray()) {
        throw shape("query", "an array of values at element " + i, list);
      }
      List<String> texts = new ArrayList<>(list.size());
      for (int k = 0; k < list.size(); k++) {
        texts.add(text(list.get(k), "query", "value " + k + " of element " + i));
      }
      values.put(name, texts);
    }
    return new QueryParameters(values);
  }

  private static JsonNode read(String json, String column) {
    try {
      return MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      String at = e.getLocation() == null ? "" : " at offset " + e.getLocation().getCharOffset();
      throw new IllegalStateException("stored JSON of " + column + " is not JSON" + at + " of " + json.length()
          + " characters", e);
    }
  }

  private static String text(JsonNode node, String column, String what) {
    if (!node.isTextual()) {
      throw shape(column, "a string as " + what, node);
    }
    return node.textValue();
  }

  private static IllegalStateException shape(String column, String expected, JsonNode found) {
    return new IllegalStateException("stored JSON of " + column + " is not in the expected shape: expected "
        + expected + ", found " + kind(found));
  }

  /** What a node is, never what it holds: {@code string}, {@code array of 3 elements}, ... */
  private static String kind(JsonNode node) {
    String type = node.getNodeType().name().toLowerCase(Locale.ROOT);
    return node.isContainerNode() ? type + " of " + node.size() + (node.isArray() ? " elements" : " members") : type;
  }
}
