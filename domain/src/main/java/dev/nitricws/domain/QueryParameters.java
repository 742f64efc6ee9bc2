package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The query parameters of a websocket upgrade request. A key may repeat, so each key maps to the
 * list of its values in the order they came. Immutable. {@link #toString()} names the parameters
 * and never shows a value: tokens travel in queries.
 */
public record QueryParameters(Map<String, List<String>> values) {

  private static final QueryParameters EMPTY = new QueryParameters(Map.of());

  public QueryParameters {
    requireNonNull(values, "values");
    Map<String, List<String>> copy = new LinkedHashMap<>();
    values.forEach((key, list) -> {
      requireNonNull(key, "query parameter name");
      requireNonNull(list, () -> "values of query parameter '" + key + "'");
      for (String v : list) {
        requireNonNull(v, () -> "a value of query parameter '" + key + "'");
      }
      copy.put(key, List.copyOf(list));
    });
    values = copy.isEmpty() ? Map.of() : Collections.unmodifiableMap(copy);
  }

  /** No parameters. */
  public static QueryParameters empty() {
    return EMPTY;
  }

  /** Parameters with a single value each. */
  public static QueryParameters ofSingle(Map<String, String> single) {
    requireNonNull(single, "single");
    Map<String, List<String>> m = new LinkedHashMap<>();
    single.forEach((k, v) -> m.put(k, List.of(requireNonNull(v, "value"))));
    return new QueryParameters(m);
  }

  /** The first value of {@code name}, if the parameter was given. */
  public Optional<String> first(String name) {
    List<String> list = values.get(name);
    return list == null || list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }

  /** Every value of {@code name} in order; empty when the parameter was not given. */
  public List<String> all(String name) {
    return values.getOrDefault(name, List.of());
  }

  /** Whether there are no parameters at all. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  /** The parameter names only, e.g. {@code QueryParameters[token, tag]}. */
  @Override
  public String toString() {
    return "QueryParameters" + Text.names(values.keySet());
  }
}
