package dev.nitricws.it.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.SocketName;
import dev.nitricws.it.support.JavaProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Whether the store holds exactly the connections that are live, compared three ways once the
 * churn is frozen (no connect or leave in flight):
 *
 * <ol>
 *   <li><b>Names.</b> Every client connects with a name of its own, which the chat keeps as the
 *       connection's {@code name} attribute. The store's entries of the socket are read directly
 *       from the store (a registry of the test's own on the same server: scan, then find each
 *       id). <i>Missing</i>: a client the test holds open with no entry (it would miss every
 *       broadcast). <i>Extra</i>: an entry whose name no open client has, or a second entry for one
 *       name (a dead connection the store still holds).
 *   <li><b>The gateway's count</b>, where the runtime runs in the test's JVM: its open connections
 *       on the socket equal the clients the test holds open, so no connection is open that the test
 *       does not know of.
 *   <li><b>A broadcast.</b> One client sends a marker; every open client must receive it, and the
 *       app must report it {@code delivered=<live>, gone=0, failed=0}: the ids in the store are
 *       exactly the gateway's open connections, not just entries with the right names.
 * </ol>
 *
 * <p>While it waits for the store to settle it keeps one message going every half second: an
 * entry whose Disconnect was lost in the fault (the store could not be written, the instance that
 * got it died, the runtime vanished) is removed by a broadcast that finds its connection gone, as
 * in a chat that keeps talking, once the entry is past the connect grace (30 s after its connect,
 * see {@code ConnectionPruner}); without messages only its expiry (2 h) would remove it. So
 * settling takes up to about 30 s after the last entry was left behind, and the tests wait 60 s at
 * most.
 */
final class LiveSetCheck {

  private static final Path RESULTS = Path.of("target", "faults", "results.txt").toAbsolutePath();

  /** What was compared at one moment. */
  record Comparison(Set<String> live, Map<String, String> stored, Set<String> missing, List<String> extra,
      int gateway, String storeError) {

    boolean equal() {
      return storeError == null && missing.isEmpty() && extra.isEmpty() && (gateway < 0 || gateway == live.size());
    }

    /** The connection id the store holds for {@code name}. */
    String idOf(String name) {
      return stored.entrySet().stream().filter(e -> e.getValue().equals(name)).map(Map.Entry::getKey).findFirst()
          .orElseThrow(() -> new AssertionError("the store holds no connection named " + name));
    }

    String describe() {
      if (storeError != null) {
        return "the store could not be read: " + storeError;
      }
      return live.size() + " clients open, " + stored.size() + " store entries"
          + (gateway < 0 ? "" : ", " + gateway + " open at the gateway") + "; missing from the store " + missing
          + "; extra in the store " + extra;
    }
  }

  private final Churn churn;
  private final ConnectionRegistry registry;
  private final SocketName socket;
  private final IntSupplier gateway;
  private final List<JavaProcess> apps;
  private long settleMillis = -1;

  /**
   * @param gateway the runtime's open connections on the socket, or null where the runtime runs as
   *     a process of its own
   * @param apps the app processes whose logs report broadcasts (dead ones included: they are skipped)
   */
  LiveSetCheck(Churn churn, ConnectionRegistry registry, SocketName socket, IntSupplier gateway, List<JavaProcess> apps) {
    this.churn = churn;
    this.registry = registry;
    this.socket = socket;
    this.gateway = gateway;
    this.apps = apps;
  }

  /**
   * Freezes the churn and waits, up to {@code within}, until the store holds exactly the open
   * clients; fails with the last comparison when it does not.
   */
  Comparison settle(Duration within) {
    churn.freeze();
    long start = System.nanoTime();
    Comparison[] last = new Comparison[1];
    int[] ticks = new int[1];
    try {
      await("the store holds exactly the open clients").atMost(within).pollInterval(Duration.ofMillis(500))
          .until(() -> {
            try {
              churn.sendFromAny("tick " + ticks[0]++);
            } catch (RuntimeException | AssertionError e) {
              // the next comparison says what is wrong
            }
            last[0] = compare();
            return last[0].equal();
          });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("the store did not come to hold exactly the open clients within " + within
          + " of the churn stopping (one message every 0.5 s meanwhile): " + (last[0] == null ? "(never compared)"
          : last[0].describe()), e);
    }
    settleMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    return last[0];
  }

  /**
   * One client sends a marker: every open client receives it and an app reports it delivered to
   * all of them, none gone, none failed.
   */
  void aBroadcastReachesExactlyTheOpenClients(Comparison settled) {
    String marker = "marker " + UUID.randomUUID();
    Churn.Member sender = churn.first();
    String id = settled.idOf(sender.name());
    String full = "broadcast from " + id + ": BroadcastReport[delivered=" + settled.live().size() + ", gone=0, failed=0]";
    long before = reports(full);
    churn.sendFromAny(marker);
    List<String> without = new ArrayList<>();
    for (Churn.Member member : churn.live().values()) {
      if (!Churn.receives(member.ws(), marker, Duration.ofSeconds(10))) {
        without.add(member.name());
      }
    }
    assertThat(without).as("open clients that did not receive the broadcast of %s", sender.name()).isEmpty();
    await("an app reports the broadcast of " + sender.name() + " (" + id + ") as: " + full)
        .atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
        .until(() -> reports(full) > before);
  }

  private long reports(String line) {
    long n = 0;
    for (JavaProcess app : apps) {
      n += app.count(line);
    }
    return n;
  }

  /** The store's entries and the open clients now. */
  Comparison compare() {
    Set<String> live = new TreeSet<>(churn.live().keySet());
    int atGateway = gateway == null ? -1 : gateway.getAsInt();
    Map<String, String> stored;
    try {
      stored = read();
    } catch (RuntimeException e) {
      return new Comparison(live, Map.of(), Set.of(), List.of(), atGateway, e.toString());
    }
    Set<String> missing = new TreeSet<>(live);
    missing.removeAll(stored.values());
    List<String> extra = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    stored.forEach((id, name) -> {
      if (!live.contains(name) || seen.merge(name, 1, Integer::sum) > 1) {
        extra.add(id + " (" + name + ")");
      }
    });
    return new Comparison(live, stored, missing, extra, atGateway, null);
  }

  /** Connection id -> name attribute of every entry of the socket, read from the store. */
  private Map<String, String> read() {
    List<ConnectionId> ids = new ArrayList<>();
    registry.scan(socket, 200, page -> {
      ids.addAll(page);
      return CompletableFuture.completedFuture(null);
    }).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    Map<String, String> names = new TreeMap<>();
    for (ConnectionId id : ids) {
      registry.find(socket, id).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join()
          .ifPresent(c -> names.put(id.value(), c.attributes().getOrDefault("name", "(no name)")));
    }
    return names;
  }

  /**
   * Prints the test's one line (and appends it to {@code target/faults/results.txt}): what was
   * compared, the recovery and settling times, and what the churn went through.
   */
  void report(String test, Comparison settled, String fault, long recoveryMillis) {
    String line = String.format("[faults] %s: live clients %d, store entries %d, missing %d, extra %d%s;"
            + " recovery %d ms (%s); settled %d ms after the churn stopped; %s",
        test, settled.live().size(), settled.stored().size(), settled.missing().size(), settled.extra().size(),
        settled.gateway() < 0 ? "" : ", open at the gateway " + settled.gateway(), recoveryMillis, fault,
        settleMillis, churn.counts());
    System.out.println(line);
    try {
      Files.createDirectories(RESULTS.getParent());
      Files.writeString(RESULTS, Instant.now() + " " + line + System.lineSeparator(), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("could not append to " + RESULTS + ": " + e);
    }
  }
}
