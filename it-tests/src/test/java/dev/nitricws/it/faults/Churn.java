package dev.nitricws.it.faults;

import static org.awaitility.Awaitility.await;

import dev.nitricws.runtime.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A small, bounded population of real websocket clients (the JDK's) that connect, chat and leave
 * for as long as the test runs: one thread per slot, each client connecting with a name of its
 * own ({@code ?name=c<slot>-<n>}, which the chat keeps as the connection's {@code name}
 * attribute). The first {@code stayers} slots keep their client open unless the server closes it;
 * the others leave after 1.5 to 5 s and join again under a new name. A connect the server refuses
 * is tried again after 250 ms under a new name; a client the server drops joins again.
 *
 * <p>{@link #freeze()} stops every change of membership (and the clients' own messages) so the test
 * can compare the store with {@link #live()}. Every loop ends with {@link #close()}.
 */
final class Churn implements AutoCloseable {

  /** One client held open, by the name it connected with. */
  record Member(String name, WsClient ws) {}

  private static final long PARK_MILLIS = 20;

  private final int port;
  private final int stayers;
  private final List<Thread> workers = new ArrayList<>();
  private final Map<String, Member> live = new ConcurrentHashMap<>();
  private final AtomicInteger parked = new AtomicInteger();
  private volatile boolean frozen;
  private volatile boolean stopped;

  private final AtomicLong joined = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong left = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong sendsFailed = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicInteger probes = new AtomicInteger();

  private Churn(int port, int stayers) {
    this.port = port;
    this.stayers = stayers;
  }

  /** Starts {@code clients} slots against {@code ws://127.0.0.1:<port>/}, the first {@code stayers} of them staying. */
  static Churn start(int port, int clients, int stayers) {
    Churn churn = new Churn(port, stayers);
    for (int slot = 0; slot < clients; slot++) {
      int s = slot;
      Thread worker = new Thread(() -> churn.run(s), "churn-" + slot);
      worker.setDaemon(true);
      churn.workers.add(worker);
    }
    churn.workers.forEach(Thread::start);
    return churn;
  }

  /** The clients open right now (the server has not closed them), by name. */
  Map<String, Member> live() {
    Map<String, Member> open = new TreeMap<>();
    live.forEach((name, member) -> {
      if (!member.ws().closed().isDone()) {
        open.put(name, member);
      }
    });
    return open;
  }

  /** Waits until every slot has had a client accepted and {@code messages} messages were received in all. */
  void awaitWarm(int messages, Duration within) {
    await("every one of the " + workers.size() + " churn slots has joined and " + messages
        + " messages were received").atMost(within).pollInterval(Duration.ofMillis(100))
        .until(() -> joined.get() >= workers.size() && received.get() >= messages);
  }

  /**
   * Stops all joining, leaving and sending, and returns once every slot is idle (a connect in
   * progress finishes first, so a client either is open or is not).
   */
  void freeze() {
    frozen = true;
    await("every churn slot is idle").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(PARK_MILLIS))
        .until(() -> parked.get() == workers.size());
  }

  /**
   * Opens a client of the test's own (named {@code probe<n>}) and sends until its own message comes
   * back, trying again with a new client when a connect is refused; the probe then stays open as a
   * member. Returns when its message came back, or fails after {@code within}.
   */
  void probe(Duration within, Supplier<String> diagnosis) {
    long deadline = System.nanoTime() + within.toNanos();
    List<String> tries = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      String name = "probe" + probes.incrementAndGet();
      WsClient ws;
      try {
        ws = WsClient.open(port, "/?name=" + name);
      } catch (RuntimeException e) {
        tries.add(name + ": connect refused (" + e.getMessage() + ")");
        sleep(250);
        continue;
      }
      live.put(name, new Member(name, ws));
      for (int attempt = 0; System.nanoTime() < deadline && !ws.closed().isDone(); attempt++) {
        String text = name + " asks " + attempt;
        try {
          ws.send(text);
        } catch (RuntimeException e) {
          tries.add(name + ": send failed (" + e.getMessage() + ")");
          break;
        }
        if (receives(ws, text, Duration.ofSeconds(2))) {
          return;
        }
        tries.add(name + ": message " + attempt + " did not come back within 2 s");
      }
      live.remove(name);
      ws.close();
    }
    List<String> last = tries.subList(Math.max(0, tries.size() - 10), tries.size());
    throw new AssertionError("no new client could connect and get its own message back within " + within
        + " (" + tries.size() + " tries; the last: " + last + "); now " + diagnosis.get());
  }

  /** The open member whose name sorts first: the one {@link #sendFromAny} sends from. */
  Member first() {
    return live().values().stream().min(Comparator.comparing(Member::name))
        .orElseThrow(() -> new AssertionError("no client is open"));
  }

  /** Sends {@code text} from {@link #first()} (only while frozen, so no slot sends on it meanwhile). */
  Member sendFromAny(String text) {
    if (!frozen) {
      throw new IllegalStateException("freeze the churn first");
    }
    Member from = first();
    from.ws().send(text);
    return from;
  }

  /** Whether {@code ws} receives {@code text} within {@code wait}, skipping other messages. */
  static boolean receives(WsClient ws, String text, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      Object message;
      try {
        message = ws.next(Duration.ofNanos(left));
      } catch (AssertionError none) {
        return false;
      }
      if (text.equals(message)) {
        return true;
      }
    }
  }

  /** Counts for the test's report line. */
  String counts() {
    return "churn: " + joined + " joined, " + refused + " refused, " + left + " left, " + dropped
        + " dropped by the server, " + sent + " messages sent (" + sendsFailed + " failed), " + received + " received";
  }

  long refused() {
    return refused.get();
  }

  long dropped() {
    return dropped.get();
  }

  /** Stops every slot and closes every client. */
  @Override
  public void close() {
    stopped = true;
    for (Thread worker : workers) {
      try {
        worker.join(TimeUnit.SECONDS.toMillis(20));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    live.values().parallelStream().forEach(member -> member.ws().close());
    live.clear();
  }

  // ------------------------------------------------------------------------------------ a slot

  private void run(int slot) {
    boolean stays = slot < stayers;
    Random random = new Random(31L * slot + 7);
    int generation = 0;
    while (!stopped) {
      if (frozen) {
        park();
        continue;
      }
      String name = "c" + slot + "-" + generation++;
      WsClient ws;
      try {
        ws = WsClient.open(port, "/?name=" + name);
      } catch (RuntimeException e) {
        refused.incrementAndGet();
        sleep(250);
        continue;
      }
      live.put(name, new Member(name, ws));
      joined.incrementAndGet();
      long now = System.nanoTime();
      long leaveAt = now + TimeUnit.MILLISECONDS.toNanos(1_500 + random.nextInt(3_500));
      long sendAt = now + TimeUnit.MILLISECONDS.toNanos(200 + random.nextInt(800));
      int n = 0;
      while (!stopped) {
        if (ws.closed().isDone()) {
          live.remove(name);
          dropped.incrementAndGet();
          break;
        }
        if (frozen) {
          park();
          continue;
        }
        while (ws.receivesWithin(Duration.ZERO)) {
          received.incrementAndGet();
        }
        now = System.nanoTime();
        if (now - sendAt >= 0) {
          try {
            ws.send(name + " says " + n++);
            sent.incrementAndGet();
          } catch (RuntimeException e) {
            sendsFailed.incrementAndGet();
          }
          sendAt = now + TimeUnit.MILLISECONDS.toNanos(1_000 + random.nextInt(1_000));
        }
        if (!stays && now - leaveAt >= 0) {
          live.remove(name);
          ws.close();
          left.incrementAndGet();
          break;
        }
        sleep(50);
      }
    }
  }

  /** Waits, counted as idle, while frozen (and not stopped). */
  private void park() {
    parked.incrementAndGet();
    try {
      while (frozen && !stopped) {
        sleep(PARK_MILLIS);
      }
    } finally {
      parked.decrementAndGet();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
