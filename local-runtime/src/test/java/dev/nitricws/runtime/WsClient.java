package dev.nitricws.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real websocket client (the JDK's) that records what it receives. */
public final class WsClient implements WebSocket.Listener {

  public static final HttpClient HTTP = HttpClient.newHttpClient();

  /** Text messages arrive as String, binary messages as byte[]. */
  public final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
  /** The close status the server sent. */
  public final CompletableFuture<Integer> closeStatus = new CompletableFuture<>();
  public final CompletableFuture<Void> pinged = new CompletableFuture<>();
  private final StringBuilder text = new StringBuilder();
  private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();
  private volatile WebSocket socket;

  /** Starts connecting to {@code ws://127.0.0.1:<port><pathAndQuery>}. */
  public static CompletableFuture<WsClient> connect(int port, String pathAndQuery) {
    WsClient client = new WsClient();
    return HTTP.newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + pathAndQuery), client)
        .thenApply(webSocket -> client);
  }

  public static WsClient open(int port, String pathAndQuery) {
    return connect(port, pathAndQuery).orTimeout(10, TimeUnit.SECONDS).join();
  }

  public WebSocket socket() {
    return socket;
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
      binary = new java.io.ByteArrayOutputStream();
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
    closeStatus.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeStatus.completeExceptionally(error);
  }

  public void sendText(String message) {
    socket.sendText(message, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  public void sendBinary(byte[] message) {
    socket.sendBinary(ByteBuffer.wrap(message), true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** The next message, failing the test after 10 s. */
  public Object next() throws InterruptedException {
    Object message = received.poll(10, TimeUnit.SECONDS);
    assertThat(message).as("a message within 10 s").isNotNull();
    return message;
  }

  public int awaitClose() {
    return closeStatus.orTimeout(10, TimeUnit.SECONDS).join();
  }

  public void closeNormally() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(10, TimeUnit.SECONDS).join();
  }
}
