package dev.nitricws.it.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP forwarder on 127.0.0.1 in front of a real server, so a test can take the server away
 * ({@link #stop()}: the port refuses and every open connection is cut) and bring it back
 * ({@link #start()}: the same port accepts again) without touching the server itself.
 */
final class LoopbackProxy implements AutoCloseable {

  private final InetSocketAddress target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "loopback-proxy");
    t.setDaemon(true);
    return t;
  });
  private int port;
  private ServerSocket listener;

  LoopbackProxy(String targetHost, int targetPort) throws IOException {
    String host = targetHost.startsWith("[") ? targetHost.substring(1, targetHost.length() - 1) : targetHost;
    this.target = new InetSocketAddress(InetAddress.getByName(host), targetPort);
    start();
  }

  /** The port the proxy listens on. */
  synchronized int port() {
    return port;
  }

  /** Listens again (on the same port after the first start). */
  synchronized void start() throws IOException {
    if (listener != null) {
      return;
    }
    ServerSocket socket = new ServerSocket();
    socket.setReuseAddress(true);
    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    port = socket.getLocalPort();
    listener = socket;
    threads.execute(() -> accept(socket));
  }

  /** Stops listening and cuts every connection: to its clients, the server is gone. */
  synchronized void stop() {
    if (listener == null) {
      return;
    }
    closeQuietly(listener);
    listener = null;
    open.forEach(LoopbackProxy::closeQuietly);
    open.clear();
  }

  @Override
  public synchronized void close() {
    stop();
    threads.shutdownNow();
  }

  private void accept(ServerSocket socket) {
    while (!socket.isClosed()) {
      Socket client;
      try {
        client = socket.accept();
      } catch (IOException e) {
        return; // stopped
      }
      Socket upstream = new Socket();
      try {
        upstream.connect(target, 5_000);
      } catch (IOException e) {
        closeQuietly(client);
        closeQuietly(upstream);
        continue;
      }
      open.add(client);
      open.add(upstream);
      threads.execute(() -> pump(client, upstream));
      threads.execute(() -> pump(upstream, client));
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away: end both
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }
}
