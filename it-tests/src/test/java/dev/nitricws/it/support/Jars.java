package dev.nitricws.it.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The runnable jars the process-level tests start, named by system properties that failsafe sets
 * (it-tests/pom.xml). A test fails, saying how to build the jar, when one is missing.
 *
 * <p>Processes run from a copy taken once per test JVM, not from {@code target/} itself: a build
 * that rewrites the jar while a process runs from it (another terminal, an IDE) would otherwise
 * make that process fail with NoClassDefFoundError half-way through a test.
 */
public final class Jars {

  /** The application's shaded jar ({@code bootstrap/target/nitric-ws.jar}). */
  public static final String APP_PROPERTY = "nitricws.app.jar";
  /** The standalone local runtime ({@code local-runtime/target/nitric-ws-local-runtime-<version>-all.jar}). */
  public static final String RUNTIME_PROPERTY = "nitricws.runtime.jar";

  private static final Map<String, Path> COPIES = new ConcurrentHashMap<>();
  private static Path copies;

  private Jars() {}

  /** The application's jar; fails with how to build it when it is missing. */
  public static Path app() {
    return COPIES.computeIfAbsent(APP_PROPERTY, p -> copy(p, "the application's shaded jar", "bootstrap"));
  }

  /** The standalone runtime's jar; fails with how to build it when it is missing. */
  public static Path runtime() {
    return COPIES.computeIfAbsent(RUNTIME_PROPERTY, p -> copy(p, "the standalone local runtime jar", "local-runtime"));
  }

  private static Path copy(String property, String what, String module) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("system property " + property + " (the path of " + what + ") is not set:"
          + " run the integration tests through failsafe (it-tests/pom.xml sets it) or pass -D" + property + "=<jar>");
    }
    Path jar = Path.of(value).toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(what + " is missing: " + jar + " does not exist. Build it first, e.g."
          + " `mvn -DskipTests install` at the root, or `mvn -DskipTests package -pl " + module + " -am`");
    }
    Path copy = directory().resolve(jar.getFileName());
    // a build may be writing the jar right now: wait for a copy that is a whole runnable jar
    await(what + " " + jar + " can be copied whole").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions().until(() -> {
          Files.copy(jar, copy, StandardCopyOption.REPLACE_EXISTING);
          try (JarFile file = new JarFile(copy.toFile())) {
            return file.getManifest() != null && file.getManifest().getMainAttributes().getValue("Main-Class") != null;
          }
        });
    return copy;
  }

  private static synchronized Path directory() {
    if (copies == null) {
      try {
        copies = Files.createTempDirectory("nitricws-it-jars-");
      } catch (IOException e) {
        throw new IllegalStateException("cannot make a folder for the jars under test", e);
      }
      Path folder = copies;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(folder), "delete-it-jars"));
    }
    return copies;
  }

  private static void delete(Path folder) {
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + folder + ": " + e);
    }
  }
}
