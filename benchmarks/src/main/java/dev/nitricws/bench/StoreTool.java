package dev.nitricws.bench;

import dev.nitricws.adapters.redis.RedisConnectionRegistry;
import dev.nitricws.domain.SocketName;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The housekeeping {@code benchmarks/stores.sh} needs around the servers' own tools, with the
 * same code the JMH benchmarks use:
 *
 * <pre>
 * java -cp benchmarks.jar dev.nitricws.bench.StoreTool redis-commands FILE
 * java -cp benchmarks.jar dev.nitricws.bench.StoreTool fill STORE SOCKET FROM COUNT
 * java -cp benchmarks.jar dev.nitricws.bench.StoreTool count STORE SOCKET
 * java -cp benchmarks.jar dev.nitricws.bench.StoreTool drop STORE SOCKET...
 * java -cp benchmarks.jar dev.nitricws.bench.StoreTool report RESULTS_DIR
 * </pre>
 *
 * <p>{@code redis-commands} watches the server with MONITOR while the Redis registry does one
 * register, find, unregister and scan (of {@value #SCAN_SIZE} ids, pages of {@value #PAGE_SIZE}),
 * and writes every command it sent, one per line: the operation, a tab, the command's words quoted
 * for bash. The socket's name is written {@code @SOCKET@} and the id {@code __rand_int__}, ready
 * for {@code redis-benchmark -r}. So the tool runs what the registry sends, whatever the adapter's
 * scripts are today.
 */
public final class StoreTool {

  static final int SCAN_SIZE = 10_000;
  static final int PAGE_SIZE = 500;

  private StoreTool() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      throw new IllegalArgumentException("usage: StoreTool redis-commands|fill|count|drop|report ...");
    }
    switch (args[0]) {
      case "redis-commands" -> redisCommands(Path.of(args[1]));
      case "fill" -> {
        try (BenchStore store = BenchStore.open(args[1], 1)) {
          store.fill(SocketName.of(args[2]), Long.parseLong(args[3]), Long.parseLong(args[4]));
        }
      }
      case "count" -> {
        try (BenchStore store = BenchStore.open(args[1], 1)) {
          SocketName socket = SocketName.of(args[2]);
          System.out.println(store.registry(socket).count(socket).toCompletableFuture().join());
        }
      }
      case "drop" -> {
        try (BenchStore store = BenchStore.open(args[1], 1)) {
          for (int i = 2; i < args.length; i++) {
            store.drop(SocketName.of(args[i]));
          }
        }
      }
      case "report" -> StoresReport.write(Path.of(args[1]));
      default -> throw new IllegalArgumentException("unknown command " + args[0]);
    }
    System.exit(0); // the stores' client threads are not all daemons
  }

  // ----------------------------------------------------------------------- redis-commands

  private static void redisCommands(Path out) throws IOException {
    String url = Stores.redisUrl();
    SocketName one = Fixtures.freshSocket("capture");
    SocketName many = Fixtures.freshSocket("capture");
    Stores.Redis store = new Stores.Redis();
    try (Resp monitor = Resp.connect(url); Resp marker = Resp.connect(url)) {
      RedisConnectionRegistry registry = (RedisConnectionRegistry) store.registry(one);
      // once each first, so that every script is known to the server (EVALSHA, not EVAL) below
      registry.register(Fixtures.connection(one, Fixtures.id(1))).toCompletableFuture().join();
      registry.find(one, Fixtures.id(1)).toCompletableFuture().join();
      registry.unregister(one, Fixtures.id(1)).toCompletableFuture().join();
      store.fill(many, 0, SCAN_SIZE);
      scan(registry, many);

      monitor.call("MONITOR");
      String id = Fixtures.id(777).value();
      marker.call("ECHO", "nwsbench:register");
      registry.register(Fixtures.connection(one, Fixtures.id(777))).toCompletableFuture().join();
      marker.call("ECHO", "nwsbench:find");
      registry.find(one, Fixtures.id(777)).toCompletableFuture().join();
      marker.call("ECHO", "nwsbench:unregister");
      registry.unregister(one, Fixtures.id(777)).toCompletableFuture().join();
      marker.call("ECHO", "nwsbench:scan");
      scan(registry, many);
      marker.call("ECHO", "nwsbench:end");

      Map<String, List<List<String>>> sent = new LinkedHashMap<>();
      String phase = null;
      while (true) {
        Object line = monitor.read();
        List<String> words = monitorWords(String.valueOf(line));
        if (words == null) {
          continue; // a command a script ran, or not ours
        }
        if (words.size() == 2 && words.get(0).equalsIgnoreCase("ECHO") && words.get(1).startsWith("nwsbench:")) {
          phase = words.get(1).substring("nwsbench:".length());
          if (phase.equals("end")) {
            break;
          }
          continue;
        }
        if (phase == null || words.stream().noneMatch(w -> w.contains(one.value()) || w.contains(many.value()))) {
          continue;
        }
        List<String> command = new ArrayList<>();
        for (String w : words) {
          String s = w.replace(one.value(), "@SOCKET@").replace(many.value(), "@SOCKET@");
          command.add(!phase.equals("scan") && s.equals(id) ? "__rand_int__" : s);
        }
        sent.computeIfAbsent(phase, p -> new ArrayList<>()).add(command);
      }
      StringBuilder text = new StringBuilder();
      sent.forEach((op, commands) -> commands.forEach(c -> {
        text.append(op).append('\t');
        for (int i = 0; i < c.size(); i++) {
          text.append(i == 0 ? "" : " ").append(shellQuote(c.get(i)));
        }
        text.append('\n');
      }));
      Files.writeString(out, text.toString());
    } finally {
      store.drop(one);
      store.drop(many);
      store.close();
    }
  }

  private static void scan(RedisConnectionRegistry registry, SocketName socket) {
    long n = registry.scan(socket, PAGE_SIZE, page -> CompletableFuture.completedFuture(null)).toCompletableFuture().join();
    if (n != SCAN_SIZE) {
      throw new IllegalStateException("the scan delivered " + n + " ids, not " + SCAN_SIZE);
    }
  }

  /**
   * The words of a MONITOR line ({@code 1700000000.123456 [0 127.0.0.1:5000] "HGET" "k" "f"}),
   * unescaped; null for a command a Lua script ran ({@code [0 lua]}).
   */
  static List<String> monitorWords(String line) {
    int close = line.indexOf("] ");
    if (close < 0 || line.substring(0, close).endsWith(" lua")) {
      return null;
    }
    List<String> words = new ArrayList<>();
    int i = close + 2;
    while (i < line.length()) {
      if (line.charAt(i) != '"') {
        i++;
        continue;
      }
      ByteArrayOutputStream word = new ByteArrayOutputStream();
      i++;
      while (line.charAt(i) != '"') {
        char c = line.charAt(i);
        if (c == '\\') {
          char e = line.charAt(i + 1);
          switch (e) {
            case 'n' -> word.write('\n');
            case 'r' -> word.write('\r');
            case 't' -> word.write('\t');
            case 'a' -> word.write(7);
            case 'b' -> word.write('\b');
            case 'x' -> {
              word.write(Integer.parseInt(line.substring(i + 2, i + 4), 16));
              i += 2;
            }
            default -> word.write(e);
          }
          i += 2;
        } else {
          byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
          word.write(bytes, 0, bytes.length);
          i++;
        }
      }
      words.add(word.toString(StandardCharsets.UTF_8));
      i++;
    }
    return words;
  }

  static String shellQuote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
