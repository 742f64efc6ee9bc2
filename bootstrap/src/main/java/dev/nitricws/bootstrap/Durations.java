package dev.nitricws.bootstrap;

import dev.nitricws.domain.PositiveDuration;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations on the command line: 500ms, 10s, 90m, 2h, 1d or ISO-8601 (PT2H). */
final class Durations {

  private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

  private Durations() {}

  /** Parses {@code text} given to {@code flag}; fails naming the flag and the forms it takes. */
  static Duration parse(String flag, String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(t.toUpperCase(Locale.ROOT));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(flag + " takes a duration such as 500ms, 10s, 90m, 2h or PT2H; got '" + text + "'");
    }
  }

  /** Fails unless {@code d} is positive. */
  static void requirePositive(String flag, Duration d) {
    PositiveDuration.require(flag, d);
  }

  /** {@code d} in the short form when it is whole seconds or milliseconds (20s, 500ms), ISO-8601 otherwise. */
  static String format(Duration d) {
    if (d.toMillis() % 1000 == 0 && d.toNanos() % 1_000_000 == 0) {
      return d.toSeconds() + "s";
    }
    return d.toNanos() % 1_000_000 == 0 ? d.toMillis() + "ms" : d.toString();
  }
}
