package dev.nitricws.it.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A runnable jar started as an OS process of its own ({@code java -jar}), its standard output and
 * error going to a log file the test reads (or to two, when the test reads standard error apart). The child gets this JVM's environment less every
 * {@code NITRICWS_*}, {@code NITRIC_*} and {@code SERVICE_ADDRESS} variable, plus what the test
 * names, so nothing but its flags configures it. Small-footprint JVM options keep several of them
 * affordable on a 2-core machine.
 */
public final class JavaProcess implements AutoCloseable {

  private static final List<String> JVM_OPTIONS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Xss512k");
  private static final int TAIL_LINES = 400;

  private final String name;
  private final Path log;
  private final Path errorLog;
  private final Process process;
  private final List<String> command;

  private JavaProcess(String name, Path log, Path errorLog, Process process, List<String> command) {
    this.name = name;
    this.log = log;
    this.errorLog = errorLog;
    this.process = process;
    this.command = command;
  }

  /**
   * Starts {@code java -jar jar args} with {@code environment} added, output to {@code log}
   * (replaced if it exists).
   */
  public static JavaProcess start(String name, Path jar, List<String> args, Map<String, String> environment, Path log) {
    return start(name, jar, args, environment, log, null);
  }

  /**
   * As {@link #start(String, Path, List, Map, Path)}, with standard error going to {@code errorLog}
   * on its own ({@link #errors()}), for tests that check what a process writes there.
   */
  public static JavaProcess start(String name, Path jar, List<String> args, Map<String, String> environment, Path log,
      Path errorLog) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_OPTIONS);
    command.add("-jar");
    command.add(jar.toString());
    command.addAll(args);
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      Files.deleteIfExists(log);
      ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(log.toFile());
      if (errorLog == null) {
        builder.redirectErrorStream(true);
      } else {
        Files.deleteIfExists(errorLog);
        builder.redirectError(errorLog.toFile());
      }
      builder.environment().keySet().removeIf(
          key -> key.startsWith("NITRICWS_") || key.startsWith("NITRIC_") || key.equals("SERVICE_ADDRESS"));
      builder.environment().putAll(environment);
      return new JavaProcess(name, log, errorLog, builder.start(), List.copyOf(command));
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + name + ": " + String.join(" ", command), e);
    }
  }

  public String name() {
    return name;
  }

  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Everything the process has written so far (standard output only, when errors go apart). */
  public String output() {
    return read(log);
  }

  /** What the process has written to standard error, when it goes to a log of its own; else "". */
  public String errors() {
    return errorLog == null ? "" : read(errorLog);
  }

  /** The last lines of the output (and of standard error, when apart), for failure messages. */
  public String tail() {
    List<String> lines = output().lines().toList();
    int from = Math.max(0, lines.size() - TAIL_LINES);
    return (from > 0 ? "(" + from + " earlier lines in " + log + ")\n" : "")
        + String.join("\n", lines.subList(from, lines.size()))
        + (errorLog == null ? "" : "\n----- standard error (" + errorLog + ") -----\n" + errors());
  }

  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no output: " + e + ")";
    }
  }

  /** How many lines of the output contain {@code text}. */
  public long count(String text) {
    return output().lines().filter(line -> line.contains(text)).count();
  }

  /** The first group of every match of {@code pattern} in the output, in order. */
  public List<String> matches(Pattern pattern) {
    List<String> found = new ArrayList<>();
    Matcher m = pattern.matcher(output());
    while (m.find()) {
      found.add(m.group(1));
    }
    return found;
  }

  /** Fails, with the exit code and the output, when the process has ended. */
  public void requireAlive() {
    if (!process.isAlive()) {
      throw new AssertionError(describe() + " exited with " + process.exitValue() + ":\n" + tail());
    }
  }

  /**
   * Waits until the output satisfies {@code condition}; fails early, with the output, when the
   * process ends first (unless the condition already holds).
   */
  public void awaitOutput(String what, Duration within, Predicate<String> condition) {
    await(name + ": " + what).atMost(within).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (condition.test(output())) {
        return true;
      }
      requireAlive();
      return false;
    });
  }

  /** Waits until a line of the output contains {@code text}. */
  public void awaitOutput(String text, Duration within) {
    awaitOutput("logs '" + text + "'", within, output -> output.contains(text));
  }

  /**
   * Asks the process to stop (SIGTERM: its shutdown hooks run) and waits up to {@code grace};
   * kills it if it is still running then.
   *
   * @return whether it stopped by itself within {@code grace}
   */
  public boolean stop(Duration grace) {
    if (!process.isAlive()) {
      return true;
    }
    process.destroy();
    try {
      if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        return true;
      }
      System.out.printf("[processes] %s did not stop within %s of SIGTERM; killing it%n", describe(), grace);
      kill();
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while stopping " + describe(), e);
    }
  }

  /** Kills the process (SIGKILL: no shutdown hook runs) and waits until it is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(describe() + " is still running 30 s after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing " + describe(), e);
    }
  }

  /** Waits up to {@code within} for the process to end; whether it did. */
  public boolean waitFor(Duration within) {
    try {
      return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + describe(), e);
    }
  }

  /** The exit code; the process must have ended. */
  public int exitValue() {
    return process.exitValue();
  }

  /** Name, pid and log file. */
  public String describe() {
    return name + " (pid " + process.pid() + ", log " + log + ")";
  }

  /** The command line it was started with. */
  public List<String> command() {
    return command;
  }

  /** Stops it (SIGTERM, then SIGKILL after 10 s) if it still runs. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }
}
