package dev.nitricws.adapters.nitric;

/**
 * Text from the runtime or the store (request ids, status descriptions, keys, error messages)
 * as it may go into a log line or an exception message: line breaks and other control characters
 * escaped, so it cannot start a line of its own, and cut to a readable length.
 */
final class LogText {

  private static final int MAX = 300;

  private LogText() {}

  /** {@code text} cut to 300 characters, with control and line-separator characters as {@code \\uXXXX}. */
  static String escape(String text) {
    if (text == null) {
      return "null";
    }
    String cut = text.length() > MAX ? text.substring(0, MAX) + "..." : text;
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

  /** An exception as {@code Class: message}, escaped. */
  static String escape(Throwable error) {
    return escape(String.valueOf(error));
  }
}
