package dev.nitricws.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes in bytes on a command line: {@code 131072}, {@code 128k} (or {@code kb}, {@code kib}) or
 * {@code 4m} (or {@code mb}, {@code mib}), where k = 1024 and m = 1024 k, in any case. A size is
 * at least one byte and less than 2 GiB (it counts in an {@code int}).
 */
public final class Sizes {

  /** The forms a size takes, for help texts and messages. */
  public static final String FORMS = "131072 (bytes), 128k or 4m";

  static final Kind<Integer> KIND = new Kind<>("size", FORMS, Sizes::parse);

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(k|kb|kib|m|mb|mib)?");

  private Sizes() {}

  /**
   * Parses {@code text} given to {@code flag}.
   *
   * @throws IllegalArgumentException naming the flag, the forms a size takes and the text, e.g.
   *     {@code --max-queued takes a size such as 131072 (bytes), 128k or 4m; got '4g'}
   */
  public static int parse(String flag, String text) {
    return KIND.parse(flag, text);
  }

  /** What both {@link #parse(String, String)} and {@link SizeConverter} read; fails with {@link InvalidValue}. */
  static int parse(String text) {
    Matcher matcher = SIZE.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
    if (!matcher.matches()) {
      throw new InvalidValue(null);
    }
    long unit = matcher.group(2) == null ? 1 : matcher.group(2).startsWith("k") ? 1024 : 1024 * 1024;
    long bytes;
    try {
      bytes = Math.multiplyExact(Long.parseLong(matcher.group(1)), unit);
    } catch (NumberFormatException | ArithmeticException e) {
      bytes = Long.MAX_VALUE;
    }
    if (bytes <= 0 || bytes > Integer.MAX_VALUE) {
      throw new InvalidValue("it must be between 1 byte and 2 GiB");
    }
    return (int) bytes;
  }
}
