package dev.nitricws.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A small blocking Redis client (RESP2) for the benchmarks' own housekeeping: deleting the keys
 * they made, bulk loads, and watching with MONITOR which commands the registry sends. The
 * registry under test always goes through its own adapter.
 */
final class Resp implements AutoCloseable {

  /** A server's error answer. */
  static final class RedisError extends RuntimeException {
    RedisError(String message) {
      super(message);
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  private Resp(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new BufferedInputStream(socket.getInputStream());
    this.out = new BufferedOutputStream(socket.getOutputStream());
  }

  /** Connects to {@code redis://[[user:]password@]host[:port][/db]}, authenticating and selecting the database. */
  static Resp connect(String url) {
    URI uri = URI.create(url);
    if (!"redis".equals(uri.getScheme())) {
      throw new IllegalArgumentException("only redis:// URLs are supported here, got scheme " + uri.getScheme());
    }
    String host = uri.getHost() == null ? "127.0.0.1" : uri.getHost();
    int port = uri.getPort() < 0 ? 6379 : uri.getPort();
    try {
      Socket s = new Socket();
      s.connect(new InetSocketAddress(host, port), 5_000);
      s.setTcpNoDelay(true);
      Resp resp = new Resp(s);
      String info = uri.getRawUserInfo();
      if (info != null && !info.isEmpty()) {
        int colon = info.indexOf(':');
        String user = colon < 0 ? "" : decode(info.substring(0, colon));
        String password = decode(colon < 0 ? info : info.substring(colon + 1));
        if (user.isEmpty()) {
          resp.call("AUTH", password);
        } else {
          resp.call("AUTH", user, password);
        }
      }
      String path = uri.getPath();
      if (path != null && path.length() > 1) {
        resp.call("SELECT", path.substring(1));
      }
      return resp;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach Redis at " + host + ":" + port, e);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** Sends one command and reads its answer: String, Long, List, or null; throws {@link RedisError}. */
  Object call(String... args) {
    send(args);
    return read();
  }

  /** Sends one command without reading its answer (MONITOR, pipelines). */
  void send(String... args) {
    try {
      out.write(('*' + Integer.toString(args.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      for (String a : args) {
        byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
        out.write(('$' + Integer.toString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write('\r');
        out.write('\n');
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads one answer. */
  Object read() {
    try {
      int type = in.read();
      String line = line();
      switch (type) {
        case '+':
          return line;
        case '-':
          throw new RedisError(line);
        case ':':
          return Long.parseLong(line);
        case '$': {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          byte[] bytes = in.readNBytes(n + 2);
          return new String(bytes, 0, n, StandardCharsets.UTF_8);
        }
        case '*': {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          List<Object> items = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            items.add(read());
          }
          return items;
        }
        case -1:
          throw new IOException("Redis closed the connection");
        default:
          throw new IOException("not a RESP answer: " + (char) type + line);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\r') {
      if (b < 0) {
        throw new IOException("Redis closed the connection");
      }
      buf.write(b);
    }
    in.read(); // '\n'
    return buf.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
