package dev.nitricws.domain;

/**
 * Text from clients, user code, the runtime or a store (ids, error messages, keys, settings) as it
 * may go into a log line or an exception message: control and line-separator characters escaped as
 * {@code \\uXXXX}, so it cannot start a line of its own, and cut to a readable length.
 */
public final class LogText {

  /** How much of a text a log line shows by default. */
  public static final int MAX = 300;

  private LogText() {}

  /** {@code text} cut to {@value #MAX} characters and escaped; {@code "null"} for null. */
  public static String escape(String text) {
    return escape(text, MAX);
  }

  /** An exception as {@code Class: message}, escaped. */
  public static String escape(Throwable error) {
    return escape(String.valueOf(error));
  }

  /**
   * {@code text} cut to {@code max} characters (never between the two halves of a surrogate pair),
   * with {@code ...} when cut, and escaped.
   */
  public static String escape(String text, int max) {
    if (text == null) {
      return "null";
    }
    String cut = text;
    if (text.length() > max) {
      int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
      cut = text.substring(0, end) + "...";
    }
    StringBuilder out = null;
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      boolean bad = Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
      if (bad && out == null) {
        out = new StringBuilder(cut.length() + 16).append(cut, 0, i);
      }
      if (out != null) {
        out.append(bad ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
    }
    return out == null ? cut : out.toString();
  }
}
