package dev.nitricws.cli;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations on a command line: {@code 500ms}, {@code 10s}, {@code 90m}, {@code 2h}, {@code 1d}
 * (in any case, a space before the unit allowed) or ISO-8601 ({@code PT2H}, {@code pt90s}).
 *
 * <p>A number needs its unit: {@code 30} is refused (seconds? milliseconds?), except {@code 0},
 * which is zero in every unit. Negative durations, and durations too long to count in
 * nanoseconds (about 292 years), are refused too. Whether zero is allowed is the caller's rule.
 */
public final class Durations {

  /** The forms a duration takes, for help texts and messages. */
  public static final String FORMS = "500ms, 10s, 90m, 2h, 1d or ISO-8601 (PT2H)";

  static final Kind<Duration> KIND = new Kind<>("duration", FORMS, Durations::parse);

  private static final Pattern SHORT = Pattern.compile("(-?\\d+)\\s*(ms|s|m|h|d)");
  private static final Pattern BARE = Pattern.compile("-?\\d+");
  private static final String TOO_LONG = "longer than 292 years";

  private Durations() {}

  /**
   * Parses {@code text} given to {@code flag}.
   *
   * @throws IllegalArgumentException naming the flag, the forms a duration takes and the text,
   *     e.g. {@code --handler-timeout takes a duration such as 500ms, 10s, 90m, 2h, 1d or ISO-8601
   *     (PT2H); got '30' (a number needs a unit, e.g. 30s or 30ms)}
   */
  public static Duration parse(String flag, String text) {
    return KIND.parse(flag, text);
  }

  /**
   * {@code d} as a command line takes it: {@code 20s} when it is whole seconds, {@code 500ms}
   * when whole milliseconds, ISO-8601 otherwise. {@link #parse} reads a non-negative one back.
   */
  public static String format(Duration d) {
    requireNonNull(d, "d");
    if (d.getNano() == 0) {
      return d.getSeconds() + "s";
    }
    return d.getNano() % 1_000_000 == 0 ? d.toMillis() + "ms" : d.toString();
  }

  /** What both {@link #parse(String, String)} and {@link DurationConverter} read; fails with {@link InvalidValue}. */
  static Duration parse(String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    Duration d = BARE.matcher(t).matches() ? bare(t) : shortOrIso(t);
    if (d.isNegative()) {
      throw new InvalidValue("a duration cannot be negative");
    }
    try {
      d.toNanos();
    } catch (ArithmeticException e) {
      throw new InvalidValue(TOO_LONG);
    }
    return d;
  }

  /** A number without a unit: zero, which is zero in every unit, or refused. */
  private static Duration bare(String number) {
    if (number.chars().allMatch(c -> c == '0' || c == '-')) {
      return Duration.ZERO;
    }
    if (number.startsWith("-")) {
      throw new InvalidValue("a duration cannot be negative");
    }
    throw new InvalidValue("a number needs a unit, e.g. " + number + "s or " + number + "ms");
  }

  private static Duration shortOrIso(String t) {
    Matcher m = SHORT.matcher(t);
    try {
      if (!m.matches()) {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    } catch (NumberFormatException | ArithmeticException e) {
      throw new InvalidValue(TOO_LONG);
    } catch (DateTimeParseException e) {
      // the ISO form's numbers are digits, so a number that does not fit is the only other failure
      boolean tooLong = e.getCause() instanceof NumberFormatException || e.getCause() instanceof ArithmeticException;
      throw new InvalidValue(tooLong ? TOO_LONG : null);
    }
  }
}
