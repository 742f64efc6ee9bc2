package dev.nitricws.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks that a README shows, verbatim, the example a test compiles and runs. */
public final class ReadmeExamples {

  private ReadmeExamples() {}

  /**
   * Asserts that {@code readme} contains the lines of {@code source} between {@code // example:start}
   * and {@code // example:end} (indented by four spaces there), without that indent.
   */
  public static void assertShown(Path source, Path readme) throws IOException {
    List<String> lines = Files.readAllLines(source, StandardCharsets.UTF_8);
    int start = lines.indexOf("    // example:start");
    int end = lines.indexOf("    // example:end");
    assertThat(start).as("%s marks its example with // example:start", source).isPositive();
    assertThat(end).as("%s marks its example's end with // example:end", source).isGreaterThan(start);
    String example = String.join("\n", lines.subList(start + 1, end).stream()
        .map(line -> line.length() >= 4 ? line.substring(4) : line).toList());

    assertThat(Files.readString(readme, StandardCharsets.UTF_8))
        .as("%s must show the example of %s verbatim", readme, source)
        .contains(example);
  }
}
