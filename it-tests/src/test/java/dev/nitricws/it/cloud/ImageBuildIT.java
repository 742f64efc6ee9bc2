package dev.nitricws.it.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.nitricws.it.cloud.NitricCollector.Refusal;
import dev.nitricws.it.support.ServerSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The repository's Dockerfile builds an image whose container, run as the Nitric CLI runs it to
 * collect a deployment (host network, NITRIC_ENVIRONMENT=build, SERVICE_ADDRESS of the collector
 * stand-in), declares what the jar declares and exits 0.
 *
 * <p>The engine is podman as {@code .ci/container-engine.sh} configures it (CONTAINERS_CONF set,
 * so that podman keeps its state in the script's folder), else a Docker engine that answers. With
 * podman the build stage gets the machine's Maven repository read-only and no network
 * ({@code --offline}), and the base images named by NITRICWS_BUILD_IMAGE / NITRICWS_RUN_IMAGE (the
 * script's local Debian images) when set. With no engine the test fails when CI=true and is skipped
 * otherwise. Prints the build and run times.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class ImageBuildIT {

  private static final String IMAGE = "localhost/nitric-ws:it";
  private static final Duration BUILD_WITHIN = Duration.ofMinutes(10);
  /** The jar's 15 s, plus the container's start. */
  private static final Duration EXIT_WITHIN = BuildCollectionIT.EXIT_WITHIN.plusSeconds(15);
  private static final Path LOG_DIR = Path.of("target", "image-build").toAbsolutePath();

  /** A container engine's command line. */
  private record Engine(String command, boolean podman) {}

  private NitricCollector collector;
  private String container;
  private Engine engine;
  private boolean buildAttempted;

  @AfterEach
  void cleanUp() throws Exception {
    if (container != null) {
      run(List.of(engine.command(), "rm", "-f", container), LOG_DIR.resolve("rm.log"), Duration.ofSeconds(60));
    }
    if (buildAttempted) {
      run(List.of(engine.command(), "rmi", "-f", IMAGE), LOG_DIR.resolve("rmi.log"), Duration.ofSeconds(60));
    }
    if (collector != null) {
      collector.close();
    }
  }

  @Test
  void theImageDeclaresWhatTheJarDeclaresAndExits() throws Exception {
    engine = engine().orElseGet(() -> {
      String missing = "no container engine to build the image with: CONTAINERS_CONF is not set for podman (run"
          + " `.ci/container-engine.sh images` and eval its output) and `docker info` finds no Docker engine";
      if (ServerSource.isCi()) {
        fail(missing + ". CI=true: the test fails rather than skip.");
      }
      Assumptions.abort(missing);
      return null;
    });
    Path root = Path.of(System.getProperty("nitricws.project.root", "..")).toAbsolutePath().normalize();
    Optional<String> buildImage = env("NITRICWS_BUILD_IMAGE");
    Optional<String> runImage = env("NITRICWS_RUN_IMAGE");

    List<String> build = new ArrayList<>(List.of(engine.command(), "build", "-f", root.resolve("Dockerfile").toString(),
        "-t", IMAGE));
    buildImage.ifPresent(image -> build.addAll(List.of("--build-arg", "BUILD_IMAGE=" + image)));
    runImage.ifPresent(image -> build.addAll(List.of("--build-arg", "RUN_IMAGE=" + image)));
    if (engine.podman()) {
      Path m2 = Path.of(System.getProperty("nitricws.m2.repository", System.getProperty("user.home") + "/.m2/repository"));
      // no network and no layer cache left behind: each run builds afresh and leaves only its image,
      // which cleanUp removes
      build.addAll(List.of("--network=none", "--layers=false", "-v", m2 + ":/root/.m2/repository:ro",
          "--build-arg", "MAVEN_FLAGS=--offline"));
      if (buildImage.isPresent() || runImage.isPresent()) {
        build.add("--pull=never");
      }
    }
    build.add(root.toString());
    long buildStarted = System.nanoTime();
    Result result = run(build, LOG_DIR.resolve("build.log"), BUILD_WITHIN);
    buildAttempted = true;
    long buildMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - buildStarted);
    System.out.printf("[image-build] %s built %s in %d ms (base images %s / %s)%n", engine.command(), IMAGE, buildMillis,
        buildImage.orElse("the Dockerfile's"), runImage.orElse("the Dockerfile's"));
    assertThat(result.exitCode()).as("`%s` exits 0 within %s; its output:%n%s", String.join(" ", build), BUILD_WITHIN,
        result.tail()).isZero();

    collector = NitricCollector.start(BuildCollectionIT.SERVICE, Refusal.NOTHING);
    container = "nitricws-it-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> start = List.of(engine.command(), "run", "--name", container, "--network=host",
        "-e", "NITRIC_ENVIRONMENT=build", "-e", "SERVICE_ADDRESS=" + collector.address(), IMAGE);
    long runStarted = System.nanoTime();
    Result ran = run(start, LOG_DIR.resolve("run.log"), EXIT_WITHIN);
    long runMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - runStarted);
    System.out.printf("[image-build] container %s: %s; %s%n", container,
        ran.exited() ? "exit " + ran.exitCode() + " after " + runMillis + " ms" : "no exit within " + runMillis + " ms",
        collector.summary());
    if (!ran.exited()) {
      System.out.printf("----- output of container %s -----%n%s%n", container, ran.tail());
    }

    BuildCollectionIT.assertCollected(collector, ran.exited(), ran.exitCode(), "chat", true);
  }

  /** The engine to use, if any answers. */
  private static Optional<Engine> engine() throws Exception {
    if (env("CONTAINERS_CONF").isPresent() && answers("podman", "--version")) {
      return Optional.of(new Engine("podman", true));
    }
    if (answers("docker", "info")) {
      return Optional.of(new Engine("docker", false));
    }
    return Optional.empty();
  }

  private static boolean answers(String... command) throws InterruptedException {
    try {
      return run(List.of(command), LOG_DIR.resolve(command[0] + "-probe.log"), Duration.ofSeconds(20)).exitCode() == 0;
    } catch (IOException e) {
      return false; // not installed
    }
  }

  private static Optional<String> env(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(s -> !s.isBlank());
  }

  /** Runs {@code command}, output to {@code log}; kills it when it has not ended within {@code within}. */
  private static Result run(List<String> command, Path log, Duration within) throws IOException, InterruptedException {
    Files.createDirectories(log.getParent());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    if (!exited) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    return new Result(exited, exited ? process.exitValue() : -1, log);
  }

  /** How a command ended, and where its output is. */
  private record Result(boolean exited, int exitCode, Path log) {

    String tail() {
      try {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
      } catch (IOException e) {
        return "(no output: " + e + ")";
      }
    }
  }
}
