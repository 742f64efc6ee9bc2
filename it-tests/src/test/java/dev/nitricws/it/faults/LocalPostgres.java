package dev.nitricws.it.faults;

import dev.nitricws.it.support.FreePorts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own: a cluster made by {@code initdb} in a temporary folder and
 * run by {@code pg_ctl} on 127.0.0.1 and a free port (user {@code postgres}, trust authentication,
 * database {@code postgres}). The test crashes it ({@code pg_ctl stop -m immediate}: every server
 * process quits at once, clients see their connections cut, the next start recovers from the WAL)
 * and starts it again on the same port. PostgreSQL refuses to run as root, so when the tests run as
 * root the server's commands run as the {@code postgres} user ({@code setpriv}), which then owns the
 * folder.
 */
final class LocalPostgres implements AutoCloseable {

  private static final String OS_USER = "postgres";

  private final Path bin;
  private final Path base;
  private final int port;
  private final List<String> asUser;

  private LocalPostgres(Path bin, Path base, int port, List<String> asUser) {
    this.bin = bin;
    this.base = base;
    this.port = port;
    this.asUser = asUser;
  }

  /** Makes and starts a cluster; fails (CI) or skips when PostgreSQL's programs are missing. */
  static LocalPostgres start() {
    Path bin = binaries();
    List<String> asUser = List.of();
    Path base;
    try {
      base = Files.createTempDirectory("nitricws-fault-pg-");
      if (isRoot()) {
        Path setpriv = Needs.program("setpriv", "util-linux; PostgreSQL must run as a user other than root");
        asUser = List.of(setpriv.toString(), "--reuid=" + OS_USER, "--regid=" + OS_USER, "--init-groups");
        giveTo(base, OS_USER);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot make a folder for a PostgreSQL cluster", e);
    }
    LocalPostgres postgres = new LocalPostgres(bin, base, FreePorts.take(1)[0], asUser);
    try {
      postgres.run("initdb", List.of("-D", postgres.data().toString(), "-U", "postgres", "-A", "trust", "-E", "UTF8",
          "--locale=C", "--no-sync"));
      postgres.startAgain();
    } catch (RuntimeException e) {
      postgres.close();
      throw e;
    }
    return postgres;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}. */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** The database user (no password: trust authentication on loopback). */
  String user() {
    return "postgres";
  }

  int port() {
    return port;
  }

  /** Starts the server (again) on the same port; returns once it accepts connections. */
  void startAgain() {
    String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + base
        // commits still reach the operating system before they are acknowledged, so a crash of the
        // server (not of the machine) loses nothing; only the disk flushes are skipped
        + " -c fsync=off -c max_connections=60";
    run("pg_ctl", List.of("-D", data().toString(), "-l", base.resolve("postgres.log").toString(), "-w", "-t", "60",
        "-o", options, "start"));
  }

  /** Crashes the server: {@code pg_ctl stop -m immediate}. */
  void crash() {
    run("pg_ctl", List.of("-D", data().toString(), "-m", "immediate", "-w", "-t", "30", "stop"));
  }

  /** The server's log. */
  String log() {
    try {
      return Files.readString(base.resolve("postgres.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (Files.exists(data().resolve("postmaster.pid"))) {
      try {
        run("pg_ctl", List.of("-D", data().toString(), "-m", "immediate", "-w", "-t", "30", "stop"));
      } catch (RuntimeException e) {
        System.err.println("could not stop the PostgreSQL cluster in " + base + ": " + e.getMessage());
      }
    }
    try (Stream<Path> files = Files.walk(base)) {
      files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + base + ": " + e);
    }
  }

  private Path data() {
    return base.resolve("data");
  }

  /** Runs one of PostgreSQL's programs (as the postgres user when we are root); fails with its output. */
  private void run(String program, List<String> args) {
    List<String> command = new ArrayList<>(asUser);
    command.add(bin.resolve(program).toString());
    command.addAll(args);
    Path output = base.resolve(program + ".out");
    try {
      Process process = new ProcessBuilder(command)
          .directory(base.toFile())
          .redirectErrorStream(true)
          .redirectOutput(output.toFile())
          .start();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish within 90 s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited with " + process.exitValue() + ":\n"
            + Files.readString(output, StandardCharsets.UTF_8) + "\n--- server log ---\n" + log());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + program, e);
    }
  }

  /**
   * The folder of initdb and pg_ctl: where {@code initdb} on the PATH really lives, else the newest
   * {@code /usr/lib/postgresql/<version>/bin} (Debian keeps them off the PATH).
   */
  private static Path binaries() {
    try {
      var onPath = Needs.onPath("initdb");
      if (onPath.isPresent()) {
        return onPath.get().toRealPath().getParent();
      }
      Path debian = Path.of("/usr/lib/postgresql");
      if (Files.isDirectory(debian)) {
        try (Stream<Path> versions = Files.list(debian)) {
          var newest = versions.map(v -> v.resolve("bin"))
              .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
              .max(Comparator.comparingInt(b -> version(b.getParent().getFileName().toString())));
          if (newest.isPresent()) {
            return newest.get();
          }
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot look for PostgreSQL's programs", e);
    }
    Needs.missing("PostgreSQL's initdb and pg_ctl are neither on the PATH nor under /usr/lib/postgresql/<version>/bin"
        + " (apt-get install postgresql)");
    throw new AssertionError("unreachable");
  }

  private static int version(String name) {
    try {
      return Integer.parseInt(name);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean isRoot() {
    try {
      // /proc/self links to the folder of this process, which belongs to the process's user
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static void giveTo(Path dir, String user) throws IOException {
    UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal owner;
    try {
      owner = users.lookupPrincipalByName(user);
    } catch (IOException e) {
      Needs.missing("the tests run as root and there is no '" + user + "' user to run PostgreSQL as");
      throw new AssertionError("unreachable");
    }
    PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
    view.setOwner(owner);
    try {
      GroupPrincipal group = users.lookupPrincipalByGroupName(user);
      view.setGroup(group);
    } catch (IOException e) {
      // the user's own group is not needed: the folder's owner is what PostgreSQL checks
    }
  }
}
