package dev.nitricws.it.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Prints the output of the processes a test started when the test fails (after its
 * {@code @AfterEach} methods stopped them), and only where the logs are when it passes.
 * Register it as a static field and hand it every process the test starts.
 */
public final class ProcessLogs implements TestWatcher {

  private final List<JavaProcess> processes = new ArrayList<>();

  /** Remembers {@code process} for the current test and returns it. */
  public synchronized JavaProcess track(JavaProcess process) {
    processes.add(process);
    return process;
  }

  @Override
  public synchronized void testFailed(ExtensionContext context, Throwable cause) {
    for (JavaProcess process : processes) {
      System.out.printf("%n----- output of %s -----%n%s%n----- end of %s -----%n", process.describe(),
          process.tail(), process.name());
    }
    processes.clear();
  }

  @Override
  public synchronized void testSuccessful(ExtensionContext context) {
    listAndForget(context);
  }

  @Override
  public synchronized void testAborted(ExtensionContext context, Throwable cause) {
    listAndForget(context);
  }

  @Override
  public synchronized void testDisabled(ExtensionContext context, Optional<String> reason) {
    processes.clear();
  }

  private void listAndForget(ExtensionContext context) {
    for (JavaProcess process : processes) {
      System.out.printf("[processes] %s: %s%n", context.getDisplayName(), process.describe());
    }
    processes.clear();
  }
}
