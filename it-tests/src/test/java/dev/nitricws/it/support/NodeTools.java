package dev.nitricws.it.support;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What the tests that run Node programs share: checking that a tool is there (a missing one
 * fails the test naming it, like a missing server: never a skip), and installing a program's
 * locked dependencies.
 */
public final class NodeTools {

  private NodeTools() {}

  /** Fails, naming {@code test} and what it needs, unless {@code tool --version} runs. */
  public static void requireTool(String tool, String test, String needs) throws InterruptedException {
    String problem;
    try {
      Process version = new ProcessBuilder(tool, "--version").redirectErrorStream(true).start();
      version.getInputStream().readAllBytes();
      problem = version.waitFor(30, TimeUnit.SECONDS) && version.exitValue() == 0
          ? null
          : "'" + tool + " --version' failed";
    } catch (IOException e) {
      problem = "'" + tool + "' is not on the PATH (" + e.getMessage() + ")";
    }
    if (problem != null) {
      fail(test + " needs " + needs + " (.ci/run installs them): " + problem);
    }
  }

  /** Runs {@code npm ci} in {@code dir} unless {@code marker} (inside node_modules) exists; output goes to {@code log}. */
  public static void npmCi(Path dir, String marker, Path log) throws IOException, InterruptedException {
    if (Files.isDirectory(dir.resolve("node_modules").resolve(marker))) {
      return;
    }
    Files.createDirectories(log.getParent());
    Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    if (!npm.waitFor(5, TimeUnit.MINUTES)) {
      npm.destroyForcibly();
      fail("npm ci in %s did not finish within 5 minutes", dir);
    }
    if (npm.exitValue() != 0) {
      fail("npm ci in %s failed with %d:%n%s", dir, npm.exitValue(), Files.readString(log));
    }
  }
}
