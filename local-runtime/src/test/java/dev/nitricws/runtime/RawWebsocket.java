package dev.nitricws.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A websocket client written on a plain socket, for what the JDK's client will not do: send
 * invalid UTF-8, flood pings, never read, send its handshake byte by byte.
 */
public final class RawWebsocket implements AutoCloseable {

  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** One frame from the server. */
  public record Frame(int opcode, byte[] payload) {
    /** The status code of a close frame, or 1005 (none) when it carries no code. */
    public int closeCode() {
      return payload.length < 2 ? 1005 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
    }

    public String closeReason() {
      return payload.length <= 2 ? "" : new String(payload, 2, payload.length - 2, UTF_8);
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawWebsocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /** A TCP connection to the port, nothing sent yet; {@code receiveBuffer} 0 keeps the default. */
  public static RawWebsocket connectTcp(int port, int receiveBuffer) throws IOException {
    Socket socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
    socket.setSoTimeout(10_000);
    return new RawWebsocket(socket);
  }

  /** Connects and upgrades; fails the test unless the server answers 101. */
  public static RawWebsocket open(int port, String path) throws IOException {
    return open(port, path, 0);
  }

  public static RawWebsocket open(int port, String path, int receiveBuffer) throws IOException {
    RawWebsocket client = connectTcp(port, receiveBuffer);
    client.write(upgradeRequest(port, path, ""));
    String head = client.readHead();
    assertThat(head).as("the upgrade answer").startsWith("HTTP/1.1 101");
    return client;
  }

  /** Sends an upgrade request and returns everything the server answers until it closes. */
  public static String upgradeAnswer(int port, String path) throws IOException {
    try (RawWebsocket client = connectTcp(port, 0)) {
      client.write(upgradeRequest(port, path, ""));
      return client.readToEnd();
    }
  }

  public static String upgradeRequest(int port, String path, String extraHeaders) {
    return "GET " + path + " HTTP/1.1\r\n"
        + "Host: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\n"
        + "Connection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        + "Sec-WebSocket-Version: 13\r\n"
        + extraHeaders
        + "\r\n";
  }

  public Socket socket() {
    return socket;
  }

  public void write(String text) throws IOException {
    out.write(text.getBytes(UTF_8));
    out.flush();
  }

  /** The HTTP response head, up to the empty line. */
  public String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(UTF_8);
  }

  /** Everything the server sends until it closes the connection. */
  public String readToEnd() throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    in.transferTo(all);
    return all.toString(UTF_8);
  }

  /** Sends one masked frame, as a client must. */
  public void send(int opcode, byte[] payload) throws IOException {
    out.write(frame(opcode, payload));
    out.flush();
  }

  public static byte[] frame(int opcode, byte[] payload) {
    ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
    frame.write(0x80 | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >>> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >>> shift) & 0xff);
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    frame.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    return frame.toByteArray();
  }

  /** The next frame from the server (servers do not mask). */
  public Frame readFrame() throws IOException {
    int first = in.readUnsignedByte();
    int second = in.readUnsignedByte();
    long length = second & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[Math.toIntExact(length)];
    in.readFully(payload);
    return new Frame(first & 0x0f, payload);
  }

  /** Reads frames until a close frame arrives, and returns it. */
  public Frame readUntilClose() throws IOException {
    while (true) {
      Frame frame = readFrame();
      if (frame.opcode() == CLOSE) {
        return frame;
      }
    }
  }

  /** Whether the server has closed the connection (reads and drops whatever is left). */
  public boolean closedByServer() throws IOException {
    try {
      byte[] buffer = new byte[8192];
      while (in.read(buffer) >= 0) {
        // drain
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (EOFException | java.net.SocketException reset) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
