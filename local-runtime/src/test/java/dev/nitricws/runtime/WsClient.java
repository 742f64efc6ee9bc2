package dev.nitricws.runtime;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real websocket client (the JDK's) that records what it receives: text messages as
 * {@code String}, binary ones as {@code byte[]}, the close status and whether it was pinged. The
 * local runtime's tests and, through this module's test-jar, the end-to-end tests use it.
 */
public final class WsClient implements WebSocket.Listener, AutoCloseable {

  /** The HTTP client the websockets are opened with, for plain HTTP requests of a test too. */
  public static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final CompletableFuture<Void> pinged = new CompletableFuture<>();
  private final StringBuilder text = new StringBuilder();
  private ByteArrayOutputStream binary = new ByteArrayOutputStream();
  private volatile WebSocket socket;

  private WsClient() {}

  /** Starts connecting to {@code ws://127.0.0.1:<port><pathAndQuery>}; fails if the upgrade is refused. */
  public static CompletableFuture<WsClient> connect(int port, String pathAndQuery) {
    return connect(HTTP, URI.create("ws://127.0.0.1:" + port + pathAndQuery));
  }

  /** Starts connecting to {@code uri} with {@code http} (e.g. one that trusts a test's certificate). */
  public static CompletableFuture<WsClient> connect(HttpClient http, URI uri) {
    WsClient client = new WsClient();
    return http.newWebSocketBuilder().buildAsync(uri, client).thenApply(webSocket -> client);
  }

  /** Connects to {@code ws://127.0.0.1:<port><pathAndQuery>} within 15 s; fails if the upgrade is refused. */
  public static WsClient open(int port, String pathAndQuery) {
    return connect(port, pathAndQuery).orTimeout(15, TimeUnit.SECONDS).join();
  }

  /** How a server refused an upgrade: the HTTP status and the body of its answer. */
  public record Refusal(int status, String body) {}

  /** How the server refused the upgrade; fails if it accepted it. */
  public static Refusal refusal(int port, String pathAndQuery) {
    try (WsClient accepted = open(port, pathAndQuery)) {
      throw new AssertionError("the upgrade of " + pathAndQuery + " was accepted");
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        Object body = refused.getResponse().body();
        return new Refusal(refused.getResponse().statusCode(), body == null ? "" : body.toString());
      }
      throw e;
    }
  }

  /** The JDK's websocket, for what this class does not offer (fragments, abort). */
  public WebSocket socket() {
    return socket;
  }

  public void send(String message) {
    socket.sendText(message, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  public void send(byte[] message) {
    socket.sendBinary(ByteBuffer.wrap(message), true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** The next message (String or byte[]) within 10 s; fails if none comes. */
  public Object next() {
    return next(WAIT);
  }

  /** The next message (String or byte[]) within {@code timeout}; fails if none comes. */
  public Object next(Duration timeout) {
    Object message = poll(timeout);
    if (message == null) {
      throw new AssertionError("no message within " + timeout);
    }
    return message;
  }

  /** The next text message within 10 s. */
  public String nextText() {
    Object message = next();
    if (message instanceof String s) {
      return s;
    }
    throw new AssertionError("expected a text message, got " + ((byte[]) message).length + " binary bytes: "
        + new String((byte[]) message, StandardCharsets.UTF_8));
  }

  /** Whether a message arrives within {@code wait}. */
  public boolean receivesWithin(Duration wait) {
    return poll(wait) != null;
  }

  private Object poll(Duration timeout) {
    try {
      return received.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Completes with the close status the server sent (or 1006 when the connection dropped). */
  public CompletableFuture<Integer> closed() {
    return closed;
  }

  /** The close status within 10 s. */
  public int awaitClose() {
    return closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  /** Completes once the server has sent a ping. */
  public CompletableFuture<Void> pinged() {
    return pinged;
  }

  @Override
  public void onOpen(WebSocket webSocket) {
    socket = webSocket;
    webSocket.request(1);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    text.append(data);
    if (last) {
      received.add(text.toString());
      text.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    binary.writeBytes(bytes);
    if (last) {
      received.add(binary.toByteArray());
      binary = new ByteArrayOutputStream();
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    pinged.complete(null);
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.complete(1006);
  }

  /** Closes from the client side (normal closure) and waits briefly for the close to be sent. */
  @Override
  public void close() {
    WebSocket s = socket;
    if (s != null && !s.isOutputClosed()) {
      try {
        s.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).join();
      } catch (RuntimeException ignored) {
        s.abort();
      }
    }
  }
}
