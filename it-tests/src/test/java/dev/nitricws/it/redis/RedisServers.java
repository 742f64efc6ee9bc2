package dev.nitricws.it.redis;

import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import dev.nitricws.it.support.ServerSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.images.PullPolicy;
import org.testcontainers.utility.DockerImageName;

/**
 * The Redis servers of the integration tests. Where a container engine answers ({@link
 * ServerSource#useContainers()}): a standalone server in a container, and a three-master Redis
 * Cluster in one container (three {@code redis-server} processes on host-published ports equal to
 * their own, announcing 127.0.0.1, so clients on the host follow the cluster's redirects over
 * loopback). Otherwise the given servers: {@code NITRICWS_REDIS_URL} and {@code
 * NITRICWS_REDIS_CLUSTER_URL} (see {@code .ci/redis-cluster.sh}). Throwaway servers for fault tests
 * are containers or local {@code redis-server} processes, by the same rule. Containers are started
 * once per JVM and removed when it exits.
 */
public final class RedisServers {

  static final String IMAGE_VARIABLE = "NITRICWS_REDIS_IMAGE";
  static final String URL_VARIABLE = "NITRICWS_REDIS_URL";
  static final String CLUSTER_URL_VARIABLE = "NITRICWS_REDIS_CLUSTER_URL";

  private static final int REDIS_PORT = 6379;
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
  private static final List<GenericContainer<?>> STARTED = new ArrayList<>();

  private static String standaloneUrl;
  private static String clusterUrl;
  private static boolean throwawayAnnounced;

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(RedisServers::stopContainers, "redis-it-containers"));
  }

  private RedisServers() {}

  /** The standalone server's URL (no password), the same for the whole JVM. */
  public static synchronized String standaloneUrl() {
    if (standaloneUrl == null) {
      if (ServerSource.useContainers()) {
        String image = image();
        GenericContainer<?> redis = container(image)
            .withCommand("redis-server", "--bind", "0.0.0.0", "--protected-mode", "no", "--save", "", "--appendonly", "no")
            .withExposedPorts(REDIS_PORT)
            // published on loopback only
            .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(REDIS_PORT))))
            .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1));
        launch(redis);
        standaloneUrl = "redis://127.0.0.1:" + redis.getMappedPort(REDIS_PORT);
        ServerSource.announce("redis-standalone", "container " + image + " at " + standaloneUrl);
      } else {
        standaloneUrl = ServerSource.given(URL_VARIABLE, "Redis");
        ServerSource.announce("redis-standalone", "given server " + masked(standaloneUrl));
      }
    }
    return standaloneUrl;
  }

  /** The cluster's seed URL ({@code redis://host:port,host:port,...}), the same for the whole JVM. */
  public static synchronized String clusterUrl() {
    if (clusterUrl == null) {
      if (ServerSource.useContainers()) {
        String image = image();
        int[] ports = freePorts(3);
        StringBuilder script = new StringBuilder("set -e\n");
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < ports.length; i++) {
          int p = ports[i];
          // the bus port is only used inside the container: keep it clear of the published ports
          script.append("mkdir -p /tmp/rc/").append(p).append('\n')
              .append("redis-server --port ").append(p).append(" --cluster-port ").append(16001 + i)
              .append(" --bind 0.0.0.0 --protected-mode no --cluster-enabled yes")
              .append(" --cluster-config-file /tmp/rc/").append(p).append("/nodes.conf")
              .append(" --cluster-announce-ip 127.0.0.1 --cluster-node-timeout 5000")
              .append(" --dir /tmp/rc/").append(p).append(" --save '' --appendonly no")
              .append(" --daemonize yes --logfile /tmp/rc/").append(p).append("/redis.log\n");
          nodes.append(" 127.0.0.1:").append(p);
        }
        for (int p : ports) {
          script.append("until redis-cli -p ").append(p).append(" ping >/dev/null 2>&1; do sleep 0.1; done\n");
        }
        script.append("redis-cli --cluster create").append(nodes).append(" --cluster-replicas 0 --cluster-yes\n");
        for (int p : ports) {
          script.append("until redis-cli -p ").append(p)
              .append(" cluster info | grep -q cluster_state:ok; do sleep 0.1; done\n");
        }
        script.append("echo NITRICWS-CLUSTER-READY\nexec tail -f /dev/null\n");
        GenericContainer<?> cluster = container(image)
            .withCommand("sh", "-c", script.toString())
            .withCreateContainerCmdModifier(cmd -> {
              List<PortBinding> bindings = new ArrayList<>();
              List<ExposedPort> exposed = new ArrayList<>();
              for (int p : ports) {
                bindings.add(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", p), ExposedPort.tcp(p)));
                exposed.add(ExposedPort.tcp(p));
              }
              cmd.withExposedPorts(exposed);
              cmd.getHostConfig().withPortBindings(bindings);
            })
            .waitingFor(Wait.forLogMessage(".*NITRICWS-CLUSTER-READY.*\\n", 1));
        launch(cluster);
        StringBuilder url = new StringBuilder("redis://");
        for (int i = 0; i < ports.length; i++) {
          url.append(i == 0 ? "" : ",").append("127.0.0.1:").append(ports[i]);
        }
        clusterUrl = url.toString();
        ServerSource.announce("redis-cluster", "container " + image + " (3 masters) at " + clusterUrl);
      } else {
        clusterUrl = ServerSource.given(CLUSTER_URL_VARIABLE, "Redis Cluster");
        ServerSource.announce("redis-cluster", "given server " + masked(clusterUrl));
      }
    }
    return clusterUrl;
  }

  /**
   * A standalone server of the caller's own on a free loopback port, requiring {@code password}
   * when it is not null; it can be stopped and started again on the same port. Not started yet.
   */
  static synchronized Throwaway throwaway(String password) {
    boolean containers = ServerSource.useContainers();
    if (!throwawayAnnounced) {
      throwawayAnnounced = true;
      ServerSource.announce("redis-throwaway", containers ? "containers " + image() : "local redis-server processes");
    }
    int port = freePorts(1)[0];
    return containers ? new ContainerRedis(port, password) : new ProcessRedis(port, password);
  }

  /** A server a test starts, stops and starts again; always on 127.0.0.1 and the same port. */
  abstract static class Throwaway implements AutoCloseable {
    final int port;
    final String password;

    Throwaway(int port, String password) {
      this.port = port;
      this.password = password;
    }

    /** The URL with the password, if any. */
    String url() {
      return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port;
    }

    /** Starts (or starts again) and returns once it answers. */
    abstract void start();

    /** Stops; returns once it no longer answers. */
    abstract void stop();

    @Override
    public abstract void close();

    void awaitAnswering(boolean answering) {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
          .until(() -> answers(port) == answering);
    }
  }

  private static final class ProcessRedis extends Throwaway {
    private final Path dir;
    private Process process;

    ProcessRedis(int port, String password) {
      super(port, password);
      try {
        dir = Files.createTempDirectory("nitricws-redis-" + port + "-");
      } catch (IOException e) {
        throw new IllegalStateException("cannot make a folder for a throwaway redis-server", e);
      }
    }

    @Override
    synchronized void start() {
      List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
          "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()));
      if (password != null) {
        command.addAll(List.of("--requirepass", password));
      }
      try {
        process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile()))
            .start();
      } catch (IOException e) {
        throw new IllegalStateException("cannot start redis-server (is it installed?): " + e.getMessage(), e);
      }
      awaitAnswering(true);
    }

    @Override
    synchronized void stop() {
      if (process != null) {
        process.destroy();
        try {
          if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while stopping redis-server", e);
        }
        process = null;
      }
      awaitAnswering(false);
    }

    @Override
    public synchronized void close() {
      stop();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      } catch (IOException e) {
        System.err.println("could not delete " + dir + ": " + e);
      }
    }
  }

  private static final class ContainerRedis extends Throwaway {
    private GenericContainer<?> container;

    ContainerRedis(int port, String password) {
      super(port, password);
    }

    @Override
    synchronized void start() {
      if (container == null) {
        List<String> command = new ArrayList<>(List.of("redis-server", "--bind", "0.0.0.0", "--protected-mode", "no",
            "--save", "", "--appendonly", "no"));
        if (password != null) {
          command.addAll(List.of("--requirepass", password));
        }
        container = container(image())
            .withCommand(command.toArray(String[]::new))
            .withExposedPorts(REDIS_PORT)
            .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", port), ExposedPort.tcp(REDIS_PORT))))
            .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1));
        launch(container);
      } else {
        DockerClientFactory.instance().client().startContainerCmd(container.getContainerId()).exec();
      }
      awaitAnswering(true);
    }

    @Override
    synchronized void stop() {
      if (container != null) {
        DockerClientFactory.instance().client().stopContainerCmd(container.getContainerId()).withTimeout(5).exec();
      }
      awaitAnswering(false);
    }

    @Override
    public synchronized void close() {
      if (container != null) {
        container.stop();
        synchronized (RedisServers.class) {
          STARTED.remove(container);
        }
        container = null;
      }
    }
  }

  private static String image() {
    return ServerSource.image(IMAGE_VARIABLE, "redis:7");
  }

  private static GenericContainer<?> container(String image) {
    // a local image (built by .ci/container-engine.sh) is never pulled: no registry has it
    ImagePullPolicy pull = image.startsWith("localhost/") ? name -> false : PullPolicy.defaultPolicy();
    return new GenericContainer<>(DockerImageName.parse(image))
        .withImagePullPolicy(pull)
        .withStartupTimeout(START_TIMEOUT);
  }

  private static void launch(GenericContainer<?> container) {
    synchronized (RedisServers.class) {
      STARTED.add(container);
    }
    container.start();
  }

  private static void stopContainers() {
    List<GenericContainer<?>> all;
    synchronized (RedisServers.class) {
      all = new ArrayList<>(STARTED);
      STARTED.clear();
    }
    for (GenericContainer<?> c : all) {
      try {
        c.stop();
      } catch (RuntimeException e) {
        System.err.println("could not stop container " + c.getContainerId() + ": " + e);
      }
    }
  }

  /** Whether something on 127.0.0.1:{@code port} answers a PING with any Redis reply. */
  static boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      int first = in.read();
      return first == '+' || first == '-';
    } catch (IOException e) {
      return false;
    }
  }

  /** Ports free on loopback now (different from each other). */
  static int[] freePorts(int n) {
    List<ServerSocket> held = new ArrayList<>();
    int[] ports = new int[n];
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
    } catch (IOException e) {
      throw new IllegalStateException("no free port on loopback", e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a listener we opened a moment ago
        }
      }
    }
    return ports;
  }

  /** {@code url} with anything between {@code ://} and the last {@code @} masked. */
  static String masked(String url) {
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    return scheme >= 0 && at > scheme ? url.substring(0, scheme + 3) + "****" + url.substring(at) : url;
  }
}
