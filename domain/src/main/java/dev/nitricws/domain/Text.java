package dev.nitricws.domain;

/** Helpers that make validation messages readable without echoing huge or hostile input. */
final class Text {

  private static final int PREVIEW = 40;

  private Text() {}

  /** The value cut to a readable length, with control characters shown as escapes. */
  static String preview(String value) {
    return LogText.escape(value, PREVIEW);
  }

  /** Names for a log line or message: each cut and escaped as {@link #preview} does, e.g. {@code [token, tag]}. */
  static String names(java.util.Collection<String> names) {
    return names.stream().map(Text::preview).toList().toString();
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

  /**
   * Refuses what no store can keep: U+0000 (PostgreSQL text and jsonb cannot hold it) and an
   * unpaired surrogate (half of a UTF-16 pair, which UTF-8 cannot express).
   */
  static void requireStorable(String value, String what, Object owner) {
    String problem = unstorable(value);
    if (problem != null) {
      throw new IllegalArgumentException(what + " of connection " + owner + problem);
    }
  }

  /** As {@link #requireStorable(String, String, Object)}, for a value no connection owns; {@code what} names it. */
  static void requireStorable(String value, String what) {
    String problem = unstorable(value);
    if (problem != null) {
      throw new IllegalArgumentException(what + problem);
    }
  }

  /** Why {@code value} cannot be stored (" has ..."), or null when it can. */
  private static String unstorable(String value) {
    int at = value.indexOf('\u0000');
    if (at >= 0) {
      return " has U+0000 at index " + at + "; that character cannot be stored";
    }
    at = firstLoneSurrogate(value);
    if (at >= 0) {
      return " has an unpaired surrogate " + describe(value.charAt(at)) + " at index " + at
          + "; text must be valid Unicode";
    }
    return null;
  }

  /** Index of the first high surrogate not followed by a low one, or low one not preceded by a high one; or -1. */
  static int firstLoneSurrogate(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }
}
