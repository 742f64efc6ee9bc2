package dev.nitricws.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The converters in a real picocli command: values, and the usage error a refused value gives. */
class ConvertersTest {

  @Command(name = "test")
  static final class Options {
    @Option(names = "--idle-timeout", defaultValue = "10m", converter = DurationConverter.class)
    Duration idleTimeout;

    @Option(names = "--max-queued", defaultValue = "4m", converter = SizeConverter.class)
    int maxQueued;
  }

  @Test
  void defaultsAndValuesConvert() {
    Options defaults = new Options();
    new CommandLine(defaults).parseArgs();
    assertThat(defaults.idleTimeout).isEqualTo(Duration.ofMinutes(10));
    assertThat(defaults.maxQueued).isEqualTo(4 << 20);

    Options given = new Options();
    new CommandLine(given).parseArgs("--idle-timeout", "PT90S", "--max-queued", "128k");
    assertThat(given.idleTimeout).isEqualTo(Duration.ofSeconds(90));
    assertThat(given.maxQueued).isEqualTo(128 * 1024);
  }

  @Test
  void aBareNumberIsAUsageErrorNamingTheOptionAndTheForms() {
    assertThat(usageError("--idle-timeout", "30")).contains(
        "Invalid value for option '--idle-timeout': '30' is not a duration (a number needs a unit, e.g. 30s or 30ms):"
            + " use 500ms, 10s, 90m, 2h, 1d or ISO-8601 (PT2H)");
  }

  @Test
  void badValuesAreUsageErrorsNamingTheOption() {
    assertThat(usageError("--idle-timeout", "soon"))
        .contains("Invalid value for option '--idle-timeout': 'soon' is not a duration: use 500ms, 10s");
    assertThat(usageError("--idle-timeout=-PT1S"))
        .contains("'-PT1S' is not a duration (a duration cannot be negative)");
    assertThat(usageError("--max-queued", "4g"))
        .contains("Invalid value for option '--max-queued': '4g' is not a size: use 131072 (bytes), 128k or 4m");
    assertThat(usageError("--max-queued", "0"))
        .contains("'0' is not a size (it must be between 1 byte and 2 GiB)");
  }

  private static String usageError(String... args) {
    StringWriter err = new StringWriter();
    int exitCode = new CommandLine(new Options()).setErr(new PrintWriter(err)).execute(args);
    assertThat(exitCode).as("usage error").isEqualTo(2);
    return err.toString();
  }
}
