package dev.nitricws.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;

/**
 * The picocli converter for {@link Durations}: {@code converter = DurationConverter.class}. A
 * refused value reads, with the option picocli puts in front: {@code Invalid value for option
 * '--idle-timeout': '30' is not a duration (a number needs a unit, e.g. 30s or 30ms): use 500ms,
 * 10s, 90m, 2h, 1d or ISO-8601 (PT2H)}.
 */
public final class DurationConverter implements ITypeConverter<Duration> {

  @Override
  public Duration convert(String value) {
    return Durations.KIND.convert(value);
  }
}
