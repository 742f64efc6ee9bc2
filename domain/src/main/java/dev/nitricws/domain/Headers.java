package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Request headers of a websocket upgrade that the gateway passes on (the local runtime passes
 * {@code origin}; Nitric's own runtimes pass none). Names are lower case, so lookups ignore case;
 * a header may repeat, values keep their order. Immutable. {@link #toString()} shows the names
 * only: header values may hold credentials and never belong in a log line.
 */
public final class Headers {

  private static final Headers EMPTY = new Headers(Map.of());

  private final Map<String, List<String>> values;

  private Headers(Map<String, List<String>> values) {
    this.values = values;
  }

  /** Headers from {@code values}; names that differ only in case are merged, in order. */
  public static Headers of(Map<String, List<String>> values) {
    requireNonNull(values, "values");
    if (values.isEmpty()) {
      return EMPTY;
    }
    Map<String, List<String>> merged = new LinkedHashMap<>();
    values.forEach((name, list) -> {
      requireNonNull(name, "header name");
      requireNonNull(list, () -> "values of header '" + name + "'");
      List<String> into = merged.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>());
      for (String v : list) {
        into.add(requireNonNull(v, () -> "a value of header '" + name + "'"));
      }
    });
    Map<String, List<String>> frozen = new LinkedHashMap<>();
    merged.forEach((name, list) -> frozen.put(name, List.copyOf(list)));
    return new Headers(Collections.unmodifiableMap(frozen));
  }

  /** No headers. */
  public static Headers empty() {
    return EMPTY;
  }

  /** The first value of header {@code name} (any case), if it was given. */
  public Optional<String> first(String name) {
    List<String> list = values.get(requireNonNull(name, "name").toLowerCase(Locale.ROOT));
    return list == null || list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
  }

  /** Every value of header {@code name} (any case) in order; empty when it was not given. */
  public List<String> all(String name) {
    return values.getOrDefault(requireNonNull(name, "name").toLowerCase(Locale.ROOT), List.of());
  }

  /** The header names, lower case, in the order they came. */
  public Set<String> names() {
    return values.keySet();
  }

  /** Every header, names lower case. */
  public Map<String, List<String>> values() {
    return values;
  }

  /** Whether there are no headers at all. */
  public boolean isEmpty() {
    return values.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Headers h && values.equals(h.values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** The names only, e.g. {@code Headers[origin, user-agent]}: never a value. */
  @Override
  public String toString() {
    return "Headers" + Text.names(values.keySet());
  }
}
