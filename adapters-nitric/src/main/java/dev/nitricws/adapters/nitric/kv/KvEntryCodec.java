package dev.nitricws.adapters.nitric.kv;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SocketName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A connection as the JSON object (protobuf {@link Struct}) its entry key holds in the key-value
 * store (see {@link ConnectionKeys}; a member, group member or groups flag key holds only {@code
 * expiresAt}, a joined key also the group):
 *
 * <pre>{@code
 * {"id": "<connection id>", "socket": "<socket>",
 *  "attributes": {"name": "value", ...},
 *  "query": {"name": ["value", ...], ...},
 *  "connectedAt": <epoch millis>, "expiresAt": <epoch millis>}
 * }</pre>
 *
 * <p>Struct numbers are doubles, exact for integers up to 2^53 (the year 287,396); times beyond
 * that are written as decimal strings, and both forms are read. Texts are stored as they are:
 * the domain refuses what UTF-8 cannot carry (unpaired surrogates).
 */
final class KvEntryCodec {

  static final String ID = "id";
  static final String SOCKET = "socket";
  static final String ATTRIBUTES = "attributes";
  static final String QUERY = "query";
  static final String CONNECTED_AT = "connectedAt";
  static final String EXPIRES_AT = "expiresAt";
  static final String GROUP = "group";

  private static final long EXACT = 1L << 53;

  private KvEntryCodec() {}

  /**
   * The value to store for {@code c}.
   *
   * @throws IllegalArgumentException when a time is outside what epoch millis can hold
   */
  static Struct encode(Connection c) {
    Struct.Builder attributes = Struct.newBuilder();
    c.attributes().forEach((name, value) -> attributes.putFields(name, text(value)));
    Struct.Builder query = Struct.newBuilder();
    c.query().values().forEach((name, values) -> {
      ListValue.Builder list = ListValue.newBuilder();
      values.forEach(v -> list.addValues(text(v)));
      query.putFields(name, Value.newBuilder().setListValue(list).build());
    });
    return Struct.newBuilder()
        .putFields(ID, text(c.id().value()))
        .putFields(SOCKET, text(c.socket().value()))
        .putFields(ATTRIBUTES, Value.newBuilder().setStructValue(attributes).build())
        .putFields(QUERY, Value.newBuilder().setStructValue(query).build())
        .putFields(CONNECTED_AT, millis(c.connectedAt(), "connectedAt"))
        .putFields(EXPIRES_AT, millis(c.expiresAt(), "expiresAt"))
        .build();
  }

  /**
   * The connection stored as {@code content} under the key of {@code socket} and {@code id}.
   *
   * @throws IllegalArgumentException when the value is not a connection
   */
  static Connection decode(SocketName socket, ConnectionId id, Struct content) {
    Map<String, String> attributes = new LinkedHashMap<>();
    struct(content, ATTRIBUTES).getFieldsMap().forEach((name, value) -> attributes.put(name, string(value, name)));
    Map<String, List<String>> query = new LinkedHashMap<>();
    struct(content, QUERY).getFieldsMap().forEach((name, value) -> {
      if (value.getKindCase() != Value.KindCase.LIST_VALUE) {
        throw new IllegalArgumentException("query parameter '" + name + "' is not a list but " + value.getKindCase());
      }
      List<String> values = new ArrayList<>(value.getListValue().getValuesCount());
      value.getListValue().getValuesList().forEach(v -> values.add(string(v, name)));
      query.put(name, values);
    });
    return new Connection(socket, id, attributes, new QueryParameters(query),
        instant(content, CONNECTED_AT), instant(content, EXPIRES_AT));
  }

  /**
   * The value of a member key: {@code {"expiresAt": <epoch millis>}}. Scans read the key only; the
   * value is there because every provider needs one.
   */
  static Struct member(Instant expiresAt) {
    return Struct.newBuilder().putFields(EXPIRES_AT, millis(expiresAt, "expiresAt")).build();
  }

  /**
   * The value of a joined key: {@code {"group": "<GroupName key>", "expiresAt": <epoch millis>}}.
   * A joined key of a short group name is read by its key alone; a hashed one needs the value.
   */
  static Struct joined(GroupName group, Instant expiresAt) {
    return Struct.newBuilder()
        .putFields(GROUP, text(group.key()))
        .putFields(EXPIRES_AT, millis(expiresAt, "expiresAt"))
        .build();
  }

  /**
   * The group a joined key's value names.
   *
   * @throws IllegalArgumentException when the value names no group
   */
  static GroupName group(Struct content) {
    return new GroupName(string(content.getFieldsOrDefault(GROUP, Value.getDefaultInstance()), GROUP));
  }

  /** When the entry stored as {@code content} expires. */
  static Instant expiresAt(Struct content) {
    return instant(content, EXPIRES_AT);
  }

  private static Value text(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static Value millis(Instant t, String what) {
    long millis;
    try {
      millis = t.toEpochMilli();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException(what + " " + t + " is outside the range of epoch milliseconds", e);
    }
    return Math.abs(millis) <= EXACT ? Value.newBuilder().setNumberValue(millis).build() : text(Long.toString(millis));
  }

  private static Instant instant(Struct content, String field) {
    Value v = content.getFieldsOrDefault(field, Value.getDefaultInstance());
    long millis;
    switch (v.getKindCase()) {
      case NUMBER_VALUE -> {
        double d = v.getNumberValue();
        if (d != Math.rint(d) || Math.abs(d) > EXACT) {
          throw new IllegalArgumentException(field + " " + d + " is not a whole number of milliseconds");
        }
        millis = (long) d;
      }
      case STRING_VALUE -> {
        try {
          millis = Long.parseLong(v.getStringValue());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(field + " '" + v.getStringValue() + "' is not a number of milliseconds", e);
        }
      }
      default -> throw new IllegalArgumentException(field + " is missing or not a number (" + v.getKindCase() + ")");
    }
    return Instant.ofEpochMilli(millis);
  }

  private static Struct struct(Struct content, String field) {
    Value v = content.getFieldsOrDefault(field, Value.getDefaultInstance());
    return switch (v.getKindCase()) {
      case STRUCT_VALUE -> v.getStructValue();
      case KIND_NOT_SET, NULL_VALUE -> Struct.getDefaultInstance();
      default -> throw new IllegalArgumentException(field + " is not an object but " + v.getKindCase());
    };
  }

  private static String string(Value v, String name) {
    if (v.getKindCase() != Value.KindCase.STRING_VALUE) {
      throw new IllegalArgumentException("'" + name + "' holds " + v.getKindCase() + ", not a string");
    }
    return v.getStringValue();
  }
}
