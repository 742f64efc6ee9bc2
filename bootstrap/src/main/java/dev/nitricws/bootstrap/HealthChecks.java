package dev.nitricws.bootstrap;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.LogText;
import dev.nitricws.domain.PositiveDuration;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code /health} checks: {@code runtime}, every handler stream registered with the Nitric
 * runtime right now; {@code store}, the store answered a count of an empty probe socket within
 * {@link #STORE_TIMEOUT}. A check that goes down is logged once at WARN with its reason, and once
 * at INFO when it is up again.
 */
final class HealthChecks {

  private static final Logger LOG = LoggerFactory.getLogger(HealthChecks.class);

  /** How long the store may take to answer the probe before it counts as down. */
  static final Duration STORE_TIMEOUT = Duration.ofSeconds(2);
  /** The socket the store probe counts: nobody connects to it, so the count is cheap everywhere. */
  static final SocketName PROBE = SocketName.of("nitricws-health-probe");

  private final BooleanSupplier runtime;
  private final ConnectionRegistry store;
  private final Duration storeTimeout;
  private final Map<String, Boolean> last = new ConcurrentHashMap<>();

  /**
   * Checks {@code runtime} (whether the handler streams are registered) and {@code store} (a count
   * within {@code storeTimeout}).
   */
  HealthChecks(BooleanSupplier runtime, ConnectionRegistry store, Duration storeTimeout) {
    this.runtime = requireNonNull(runtime, "runtime");
    this.store = requireNonNull(store, "store");
    this.storeTimeout = PositiveDuration.require("storeTimeout", storeTimeout);
  }

  /** Runs every check; blocks the calling thread (the endpoint's own) for at most the store timeout. */
  Health check() {
    Map<String, Boolean> checks = new LinkedHashMap<>();
    checks.put("runtime", noted("runtime", runtime.getAsBoolean(), "not every handler stream is registered"));
    checks.put("store", storeAnswers());
    return new Health(checks);
  }

  private boolean storeAnswers() {
    try {
      store.count(PROBE).toCompletableFuture().get(storeTimeout.toNanos(), TimeUnit.NANOSECONDS);
      return noted("store", true, null);
    } catch (TimeoutException e) {
      return noted("store", false, "no answer within " + storeTimeout);
    } catch (ExecutionException e) {
      return noted("store", false, LogText.escape(e.getCause()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return noted("store", false, "interrupted");
    } catch (RuntimeException e) {
      return noted("store", false, LogText.escape(e));
    }
  }

  /** Logs a change of {@code check}'s state; returns {@code up}. */
  private boolean noted(String check, boolean up, String reason) {
    Boolean before = last.put(check, up);
    if (!up && !Boolean.FALSE.equals(before)) {
      LOG.warn("health check '{}' is down: {}", check, reason);
    } else if (up && Boolean.FALSE.equals(before)) {
      LOG.info("health check '{}' is up again", check);
    }
    return up;
  }

  /** The result of every check, by name, in a fixed order. */
  record Health(Map<String, Boolean> checks) {

    Health {
      checks = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(checks, "checks")));
    }

    /** Whether every check is up. */
    boolean up() {
      return checks.values().stream().allMatch(Boolean::booleanValue);
    }

    /**
     * {@code {"status":"up","checks":{"runtime":"up","store":"down"}}}: check names are this
     * class's own constants, so nothing needs escaping.
     */
    String json() {
      return "{\"status\":\"" + state(up()) + "\",\"checks\":{" + checks.entrySet().stream()
          .map(e -> "\"" + e.getKey() + "\":\"" + state(e.getValue()) + "\"")
          .collect(Collectors.joining(",")) + "}}";
    }

    private static String state(boolean up) {
      return up ? "up" : "down";
    }
  }
}
