package dev.nitricws.it.support;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/**
 * Where the integration tests get their servers from: containers started by Testcontainers when
 * a container engine answers, otherwise the servers named by environment variables. When
 * neither is there the test fails and says what is missing; it never skips.
 */
public final class ServerSource {

  private static final Logger LOG = LoggerFactory.getLogger(ServerSource.class);

  /** Set to {@code given} to use the given servers even where a container engine answers. */
  public static final String MODE_VARIABLE = "NITRICWS_IT_SERVERS";

  private static volatile Boolean engine;

  private ServerSource() {}

  /** Whether containers are to be used: an engine answers and the given-servers mode is not forced. */
  public static boolean useContainers() {
    if ("given".equalsIgnoreCase(System.getenv(MODE_VARIABLE))) {
      return false;
    }
    if (engine == null) {
      boolean available;
      try {
        available = DockerClientFactory.instance().isDockerAvailable();
      } catch (RuntimeException | LinkageError e) {
        LOG.info("no container engine answers: {}", e.toString());
        available = false;
      }
      engine = available;
    }
    return engine;
  }

  /** The image to run, from {@code variable} or the default (an official image). */
  public static String image(String variable, String officialDefault) {
    return Optional.ofNullable(System.getenv(variable)).filter(s -> !s.isBlank()).orElse(officialDefault);
  }

  /** The value of a variable naming a given server; fails, saying what is missing, when unset. */
  public static String given(String variable, String store) {
    String value = System.getenv(variable);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("no " + store + " server for the integration tests: no container engine answers"
          + " (set DOCKER_HOST, or run .ci/container-engine.sh start) and " + variable + " is not set."
          + (isCi() ? " CI=true: the test fails rather than skip." : ""));
    }
    return value;
  }

  /** Logs which path a store's tests run on, once per store. */
  public static void announce(String store, String path) {
    LOG.info("{} tests run against {}", store, path);
    System.out.println("[it-servers] " + store + ": " + path);
  }

  /** Whether this is a CI run. */
  public static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }
}
