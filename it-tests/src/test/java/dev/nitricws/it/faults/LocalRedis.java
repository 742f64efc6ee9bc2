package dev.nitricws.it.faults;

import static org.awaitility.Awaitility.await;

import dev.nitricws.it.support.FreePorts;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} process of the test's own on 127.0.0.1 and a free port, which the test
 * kills (SIGKILL) and starts again on the same port. Its data survives that, as a store that holds
 * a registry must: an append-only file synced before every reply ({@code appendfsync always}) in
 * a temporary folder. (A Redis that loses its data on a restart loses the entries of connections
 * that stay open; nothing in the system can rebuild them, see docs/reliability.md.)
 */
final class LocalRedis implements AutoCloseable {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Path program;
  private final int port;
  private final Path dir;
  private Process process;

  private LocalRedis(Path program, int port, Path dir) {
    this.program = program;
    this.port = port;
    this.dir = dir;
  }

  /** Starts a server; fails (CI) or skips when redis-server is not installed. */
  static LocalRedis start() {
    Path program = Needs.program("redis-server", "apt-get install redis-server");
    Path dir;
    try {
      dir = Files.createTempDirectory("nitricws-fault-redis-");
    } catch (IOException e) {
      throw new IllegalStateException("cannot make a folder for redis-server", e);
    }
    LocalRedis redis = new LocalRedis(program, FreePorts.take(1)[0], dir);
    redis.startAgain();
    return redis;
  }

  /** {@code redis://127.0.0.1:<port>}. */
  String url() {
    return "redis://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  /** Starts the server (again) on the same port and folder; returns once it answers PING. */
  synchronized void startAgain() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis-server on port " + port + " is already running");
    }
    List<String> command = List.of(program.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--dir", dir.toString());
    try {
      process = new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
          .start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start " + String.join(" ", command), e);
    }
    await("redis-server answers on port " + port).atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      if (!process.isAlive()) {
        throw new AssertionError("redis-server exited with " + process.exitValue() + ":\n" + log());
      }
      return answers();
    });
  }

  /** Kills the server (SIGKILL: no shutdown, clients see their connections reset). */
  synchronized void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server on port " + port + " still runs 30 s after SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing redis-server", e);
    }
    process = null;
    await("redis-server on port " + port + " no longer answers").atMost(WAIT).until(() -> !answers());
  }

  /** The server's own log. */
  String log() {
    try {
      return Files.readString(dir.resolve("redis.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public synchronized void close() {
    if (process != null) {
      process.destroy();
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e);
    }
  }

  private boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return in.read() == '+';
    } catch (IOException e) {
      return false;
    }
  }
}
