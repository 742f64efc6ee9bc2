package dev.nitricws.domain;

/** Helpers that make validation messages readable without echoing huge or hostile input. */
final class Text {

  private static final int PREVIEW = 40;

  private Text() {}

  /** The value cut to a readable length, with control characters shown as escapes. */
  static String preview(String value) {
    String cut = value.length() > PREVIEW ? value.substring(0, PREVIEW) + "..." : value;
    StringBuilder out = new StringBuilder(cut.length());
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** A character named for an error message, e.g. {@code "'/' (U+002F)"}. */
  static String describe(char c) {
    String shown = Character.isISOControl(c) || Character.isWhitespace(c) ? "" : "'" + c + "' ";
    return shown + String.format("(U+%04X)", (int) c);
  }

  /** Index of the first ISO control character, or -1. */
  static int firstControl(String value) {
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Refuses U+0000, which PostgreSQL text and jsonb cannot hold. */
  static void requireNoNul(String value, String what, Object owner) {
    int at = value.indexOf('\u0000');
    if (at >= 0) {
      throw new IllegalArgumentException(what + " of connection " + owner
          + " has U+0000 at index " + at + "; that character cannot be stored");
    }
  }
}
