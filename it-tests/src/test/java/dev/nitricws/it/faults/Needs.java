package dev.nitricws.it.faults;

import dev.nitricws.it.support.ServerSource;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * What the fault tests need from the machine (server programs they start, stop and start again
 * themselves). When one is missing the test fails and names it on a CI run ({@code CI=true}, as
 * {@code .ci/run} sets), and is skipped, naming it, elsewhere.
 */
final class Needs {

  private Needs() {}

  /** The program {@code name} on the PATH; missing: fails or skips, saying how to install it. */
  static Path program(String name, String install) {
    return onPath(name).orElseGet(() -> {
      missing(name + " is not on the PATH (" + install + ")");
      throw new AssertionError("unreachable");
    });
  }

  /** The program {@code name} on the PATH, if any. */
  static Optional<Path> onPath(String name) {
    String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Fails (CI) or skips (elsewhere) the current test because {@code what} is missing. */
  static void missing(String what) {
    String message = "the fault test cannot run: " + what;
    if (ServerSource.isCi()) {
      throw new IllegalStateException(message + ". CI=true: the test fails rather than skip.");
    }
    Assumptions.abort(message + " (skipped; with CI=true it fails)");
  }
}
