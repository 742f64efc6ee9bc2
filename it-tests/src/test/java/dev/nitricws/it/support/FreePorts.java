package dev.nitricws.it.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback ports that are free right now, for servers that must come back on the same port. */
public final class FreePorts {

  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int LOWEST = 10_000;

  private FreePorts() {}

  /**
   * {@code n} different ports free on 127.0.0.1 at the moment of the call (released again). Where
   * the kernel names its ephemeral range (Linux), they are below it, so that no outgoing
   * connection (an app retrying against a stopped server, say) can be given one of them while the
   * server that owns it is down; elsewhere they are ephemeral ports.
   */
  public static int[] take(int n) {
    int below = ephemeralLow();
    if (below - LOWEST < 1_000) {
      return ephemeral(n);
    }
    List<Integer> ports = new ArrayList<>();
    for (int tries = 0; tries < 1_000 && ports.size() < n; tries++) {
      int candidate = ThreadLocalRandom.current().nextInt(LOWEST, below);
      if (!ports.contains(candidate) && bindable(candidate)) {
        ports.add(candidate);
      }
    }
    return ports.size() == n ? ports.stream().mapToInt(Integer::intValue).toArray() : ephemeral(n);
  }

  private static int ephemeralLow() {
    try {
      return Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int[] ephemeral(int n) {
    List<ServerSocket> held = new ArrayList<>();
    int[] ports = new int[n];
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(socket);
        ports[i] = socket.getLocalPort();
      }
    } catch (IOException e) {
      throw new IllegalStateException("no free port on loopback", e);
    } finally {
      for (ServerSocket socket : held) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // a listener opened a moment ago
        }
      }
    }
    return ports;
  }
}
