package dev.nitricws.it.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.it.support.FreePorts;
import dev.nitricws.it.support.JavaProcess;
import dev.nitricws.it.support.Jars;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The scenario against the chat as {@code bin/chat --store=memory} runs it (the app jar,
 * embedded runtime, a 256 MB heap): 60 clients upgrade, each sends ten 100 KB messages, and never
 * read again. Two well-behaved clients keep chatting meanwhile: every one of their messages must
 * reach the other within 2 s, and the server's heap after a full GC must stay small while the 60
 * are connected (each holds at most its write buffer). Prints what it measured.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SlowClientsIT {

  private static final Path LOGS = Path.of("target", "hostile");
  private static final int STALLED = 60;
  private static final int MESSAGE = 100 * 1024;
  private static final Duration LIMIT = Duration.ofSeconds(2);

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  @Test
  void twoClientsKeepChattingWhileSixtyRefuseToRead() throws Exception {
    int wsPort = FreePorts.take(1)[0];
    JavaProcess chat = JavaProcess.start("chat", Jars.app(),
        List.of("--store=memory", "--ws-port=" + wsPort, "--grpc-port=0"), Map.of(), LOGS.resolve("chat.log"));
    open.add(chat);
    chat.awaitOutput("nitric-ws chat is running", Duration.ofSeconds(60));
    long heapBefore = heapAfterGc(chat);

    Listener a = new Listener();
    Listener b = new Listener();
    WebSocket wa = connect(wsPort, a);
    WebSocket wb = connect(wsPort, b);
    List<StalledClient> stalled = new ArrayList<>();
    for (int i = 0; i < STALLED; i++) {
      StalledClient client = StalledClient.open(wsPort);
      stalled.add(client);
      open.add(client);
    }
    ExecutorService senders = Executors.newFixedThreadPool(8);
    List<Future<?>> floods = new ArrayList<>();
    for (StalledClient client : stalled) {
      floods.add(senders.submit(() -> {
        for (int m = 0; m < 10; m++) {
          client.sendText(MESSAGE);
        }
        return null;
      }));
    }

    List<Long> latencies = new ArrayList<>();
    int late = 0;
    long heapDuring = 0;
    for (int round = 0; round < 15; round++) {
      String text = "ping-" + round;
      long sent = System.nanoTime();
      (round % 2 == 0 ? wa : wb).sendText(text, true).get(5, TimeUnit.SECONDS);
      Listener receiver = round % 2 == 0 ? b : a;
      Long arrived = receiver.awaitMarker(text, Duration.ofSeconds(15));
      long millis = arrived == null ? -1 : TimeUnit.NANOSECONDS.toMillis(arrived - sent);
      latencies.add(millis);
      if (millis < 0 || millis > LIMIT.toMillis()) {
        late++;
      }
      if (round == 4) {
        heapDuring = heapAfterGc(chat); // the 60 are connected and flooding by now
      }
      Thread.sleep(1_000);
    }
    senders.shutdownNow();
    System.out.printf("[slow-clients] %d stalled clients x 10 x %d KB; chat latencies ms %s; late (> %d ms) %d of 15; "
            + "heap after GC before %d MB, with the stalled clients %d MB; floods finished %d of %d; chat alive %s%n",
        STALLED, MESSAGE / 1024, latencies, LIMIT.toMillis(), late, heapBefore >> 20, heapDuring >> 20,
        floods.stream().filter(Future::isDone).count(), STALLED, chat.isAlive());

    chat.requireAlive();
    assertThat(late).as("chat messages that took longer than %s (latencies %s)", LIMIT, latencies).isZero();
    assertThat(heapDuring - heapBefore).as("heap growth with %d clients that do not read", STALLED)
        .isLessThan(96L << 20);
  }

  private WebSocket connect(int port, Listener listener) {
    WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + "/"), listener).orTimeout(15, TimeUnit.SECONDS).join();
    open.add(() -> ws.abort());
    return ws;
  }

  /** Used heap after a full GC of {@code process}, from {@code jcmd} and {@code jstat}. */
  private static long heapAfterGc(JavaProcess process) throws IOException, InterruptedException {
    run(tool("jcmd"), Long.toString(process.pid()), "GC.run");
    String jstat = run(tool("jstat"), "-gc", Long.toString(process.pid()));
    List<String> lines = jstat.lines().filter(l -> !l.isBlank()).toList();
    String[] names = lines.get(0).trim().split("\\s+");
    String[] values = lines.get(1).trim().split("\\s+");
    double usedKb = 0;
    for (int i = 0; i < names.length; i++) {
      if (List.of("S0U", "S1U", "EU", "OU").contains(names[i])) {
        usedKb += Double.parseDouble(values[i]);
      }
    }
    return (long) (usedKb * 1024);
  }

  private static String tool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  /** Reads everything, keeps only when each "ping-" marker arrived. */
  private static final class Listener implements WebSocket.Listener {
    private static final Pattern MARKER = Pattern.compile("ping-[0-9]+");
    private final Map<String, CompletableFuture<Long>> arrivals = new ConcurrentHashMap<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      if (partial.length() < 32) {
        partial.append(data, 0, Math.min(data.length(), 32));
      }
      if (last) {
        Matcher m = MARKER.matcher(partial);
        if (m.matches()) {
          arrival(partial.toString()).complete(System.nanoTime());
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    private CompletableFuture<Long> arrival(String marker) {
      return arrivals.computeIfAbsent(marker, m -> new CompletableFuture<>());
    }

    /** When {@code marker} arrived, or null if it did not within {@code within}. */
    Long awaitMarker(String marker, Duration within) throws Exception {
      try {
        return arrival(marker).get(within.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        return null;
      }
    }
  }
}
