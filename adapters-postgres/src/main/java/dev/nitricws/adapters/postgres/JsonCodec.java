package dev.nitricws.adapters.postgres;

import dev.nitricws.domain.QueryParameters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON text of the two jsonb columns, written and read without a JSON library: attributes
 * are an object of strings ({@code {"name": "value"}}), query parameters an array of
 * {@code [name, [values...]]} pairs, which keeps repeated keys and the order of values.
 *
 * <p>Writing escapes what JSON requires ({@code "}, {@code \}, control characters) and passes
 * every other character through. Reading accepts any JSON text of that
 * shape, including PostgreSQL's jsonb output (spaces after separators, backslash-u escapes).
 */
final class JsonCodec {

  private JsonCodec() {}

  // ------------------------------------------------------------------------------------ writing

  /** {@code {"name":"value",...}}. */
  static String encodeAttributes(Map<String, String> attributes) {
    StringBuilder out = new StringBuilder(16 + 32 * attributes.size());
    out.append('{');
    boolean first = true;
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      string(e.getKey(), out);
      out.append(':');
      string(e.getValue(), out);
    }
    return out.append('}').toString();
  }

  /** {@code [["name",["v1","v2"]],...]}. */
  static String encodeQuery(QueryParameters query) {
    StringBuilder out = new StringBuilder(16 + 32 * query.values().size());
    out.append('[');
    boolean first = true;
    for (Map.Entry<String, List<String>> e : query.values().entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      out.append('[');
      string(e.getKey(), out);
      out.append(",[");
      List<String> values = e.getValue();
      for (int i = 0; i < values.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        string(values.get(i), out);
      }
      out.append("]]");
    }
    return out.append(']').toString();
  }

  private static void string(String text, StringBuilder out) {
    String s = text;
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  // ------------------------------------------------------------------------------------ reading

  /** The attributes written by {@link #encodeAttributes}. */
  static Map<String, String> decodeAttributes(String json) {
    Reader in = new Reader(json);
    Map<String, String> attributes = new LinkedHashMap<>();
    in.expect('{');
    if (!in.consumeIf('}')) {
      do {
        String name = in.string();
        in.expect(':');
        attributes.put(name, in.string());
      } while (in.consumeIf(','));
      in.expect('}');
    }
    in.end();
    return attributes;
  }

  /** The query parameters written by {@link #encodeQuery}. */
  static QueryParameters decodeQuery(String json) {
    Reader in = new Reader(json);
    Map<String, List<String>> values = new LinkedHashMap<>();
    in.expect('[');
    if (!in.consumeIf(']')) {
      do {
        in.expect('[');
        String name = in.string();
        in.expect(',');
        in.expect('[');
        List<String> list = new ArrayList<>();
        if (!in.consumeIf(']')) {
          do {
            list.add(in.string());
          } while (in.consumeIf(','));
          in.expect(']');
        }
        in.expect(']');
        values.put(name, list);
      } while (in.consumeIf(','));
      in.expect(']');
    }
    in.end();
    return new QueryParameters(values);
  }

  /** A cursor over JSON text that reads only what the two shapes above need. */
  private static final class Reader {
    private final String text;
    private int at;

    Reader(String text) {
      this.text = text;
    }

    void expect(char c) {
      skipSpace();
      if (at >= text.length() || text.charAt(at) != c) {
        throw error("expected '" + c + "'");
      }
      at++;
    }

    boolean consumeIf(char c) {
      skipSpace();
      if (at < text.length() && text.charAt(at) == c) {
        at++;
        return true;
      }
      return false;
    }

    void end() {
      skipSpace();
      if (at != text.length()) {
        throw error("expected the end of the text");
      }
    }

    String string() {
      expect('"');
      StringBuilder out = null;
      int from = at;
      while (true) {
        if (at >= text.length()) {
          throw error("unterminated string");
        }
        char c = text.charAt(at);
        if (c == '"') {
          String s = out == null ? text.substring(from, at) : out.append(text, from, at).toString();
          at++;
          return s;
        }
        if (c < 0x20) {
          throw error("raw control character in a string");
        }
        if (c != '\\') {
          at++;
          continue;
        }
        if (out == null) {
          out = new StringBuilder();
        }
        out.append(text, from, at);
        if (at + 1 >= text.length()) {
          throw error("unterminated escape");
        }
        char e = text.charAt(at + 1);
        at += 2;
        switch (e) {
          case '"' -> out.append('"');
          case '\\' -> out.append('\\');
          case '/' -> out.append('/');
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'u' -> {
            if (at + 4 > text.length()) {
              throw error("short \\u escape");
            }
            int code = 0;
            for (int k = 0; k < 4; k++) {
              int digit = Character.digit(text.charAt(at + k), 16);
              if (digit < 0) {
                throw error("bad hex digit in \\u escape");
              }
              code = code * 16 + digit;
            }
            at += 4;
            // surrogate pairs arrive as two escapes; appending both code units joins them
            out.append((char) code);
          }
          default -> throw error("unknown escape \\" + e);
        }
        from = at;
      }
    }

    private void skipSpace() {
      while (at < text.length()) {
        char c = text.charAt(at);
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
          return;
        }
        at++;
      }
    }

    private IllegalStateException error(String what) {
      return new IllegalStateException("stored JSON is not in the expected shape: " + what + " at offset " + at
          + " of " + text.length());
    }
  }
}
