package dev.nitricws.runtime.gateway;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.nitricws.proto.websockets.v1.WebsocketDisconnectionEvent;
import dev.nitricws.proto.websockets.v1.WebsocketEventRequest;
import dev.nitricws.proto.websockets.v1.WebsocketEventResponse;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketMessageEvent;
import dev.nitricws.runtime.handlers.EventDispatcher;
import dev.nitricws.runtime.handlers.HandlerUnavailableException;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One upgraded websocket client: the last handler of its pipeline.
 *
 * <p>Every data frame (continuations already aggregated) becomes one Message event; a text
 * message that is not UTF-8 closes the connection with 1007 instead. The channel
 * reads with autoRead off: a frame is handed to the application only after the previous one was
 * answered, and the socket is read again only when nothing is waiting, so messages of one
 * connection reach the application in order and a slow application slows its client down instead
 * of filling memory. The Disconnect event is sent exactly once, after the message in flight.
 *
 * <p>It exists from the Connect event on (registered as opening with its endpoint), so the
 * application can send to it before the upgrade completes; its {@link ConnectionWriter} holds
 * and bounds what the application sends. The event-handling state is confined to the channel's
 * event loop; {@link #send}, {@link #close} and {@link #neverOpened} may be called from any thread.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements ConnectionWriter.NotReading {

  private static final Logger LOG = LoggerFactory.getLogger(ClientConnection.class);

  private final SocketEndpoint endpoint;
  private final String id;
  private final Channel channel;
  private final EventDispatcher dispatcher;
  private final int maxMessageSize;
  private final ConnectionWriter writer;
  /** Null: no limit. */
  private final MessageRateLimiter rate;

  // event-loop confined
  /** Messages not yet handed to the application; null until the first one (most connections idle). */
  private ArrayDeque<ByteString> waiting;
  private boolean inFlight;
  private boolean closed;
  private boolean disconnectSent;
  private boolean overRate;

  ClientConnection(SocketEndpoint endpoint, String id, Channel channel, EventDispatcher dispatcher,
      GatewaySettings settings) {
    this.endpoint = endpoint;
    this.id = id;
    this.channel = channel;
    this.dispatcher = dispatcher;
    this.maxMessageSize = settings.maxMessageSize();
    this.rate = settings.maxMessagesPerSecond() > 0 ? new MessageRateLimiter(settings.maxMessagesPerSecond()) : null;
    this.writer = new ConnectionWriter(endpoint.name(), id, channel, settings, endpoint.outbound(), this);
  }

  String id() {
    return id;
  }

  /** Messages and bytes waiting to be written to the client, read on its event loop (for tests). */
  Future<long[]> pendingOutbound() {
    return channel.eventLoop().submit(() -> {
      ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
      return buffer == null ? new long[] {0, 0} : new long[] {buffer.size(), buffer.totalPendingWriteBytes()};
    });
  }

  /** Called on the event loop once the upgrade response is written and this handler is in place. */
  void opened() {
    endpoint.add(this);
    channel.closeFuture().addListener(future -> onClosed());
    LOG.debug("Connection {} open on socket '{}' from {}", id, endpoint.name(), channel.remoteAddress());
    if (writer.opened()) {
      LOG.debug("Connection {} on socket '{}' was asked to close while opening; closing", id, endpoint.name());
      close(WebSocketCloseStatus.NORMAL_CLOSURE);
      return;
    }
    channel.read();
  }

  /** The upgrade did not complete (refused, failed, client gone). Thread-safe. */
  void neverOpened() {
    endpoint.remove(this);
    writer.neverOpened();
  }

  /** Writes data as one frame; see {@link ConnectionWriter#send}. Thread-safe. */
  CompletableFuture<Void> send(ByteString data) {
    return writer.send(data);
  }

  /**
   * Sends a close frame with {@code status} and closes the connection, at the latest
   * {@link Closing#FORCE_AFTER_SECONDS} later; a Disconnect event follows. A connection still
   * opening is closed once it opens. Thread-safe.
   *
   * @return the channel's close future
   */
  ChannelFuture close(WebSocketCloseStatus status) {
    if (writer.closeWhenOpen()) {
      return channel.closeFuture();
    }
    return close(new CloseWebSocketFrame(status));
  }

  /** Closes with 1008 "client not reading": it stayed over its write buffer too long. */
  @Override
  public void closeForNotReading() {
    close(new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION, "client not reading"));
  }

  /**
   * Closes the TCP connection at once, discarding what is queued for it: for a client that does
   * not read while the gateway's memory bounds are reached, which no close frame could reach
   * (it would wait behind the bytes the client does not read).
   */
  @Override
  public void dropForNotReading() {
    endpoint.remove(this);
    channel.close();
  }

  private ChannelFuture close(CloseWebSocketFrame frame) {
    endpoint.remove(this);
    if (!onLoop(writer::closing)) {
      frame.release();
      return channel.close();
    }
    return Closing.close(channel, frame);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    writer.writabilityChanged();
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof TextWebSocketFrame) && !(msg instanceof BinaryWebSocketFrame)) {
      LOG.debug("Connection {} ignores an unexpected {}", id, msg.getClass().getSimpleName());
      ReferenceCountUtil.release(msg);
      return;
    }
    WebSocketFrame frame = (WebSocketFrame) msg;
    if (overRate || (rate != null && !rate.admit())) {
      frame.release();
      overRate();
      return;
    }
    ByteString body;
    try {
      body = UnsafeByteOperations.unsafeWrap(ByteBufUtil.getBytes(frame.content()));
    } finally {
      frame.release();
    }
    if (closed) {
      return;
    }
    if (frame instanceof TextWebSocketFrame && !body.isValidUtf8()) {
      LOG.info("Connection {} on socket '{}' sent a text message that is not UTF-8; closing with 1007", id,
          endpoint.name());
      close(WebSocketCloseStatus.INVALID_PAYLOAD_DATA);
      return;
    }
    if (waiting == null) {
      waiting = new ArrayDeque<>(2);
    }
    waiting.add(body);
    pump();
  }

  /** A message over the rate limit: dropped, and the client closed with 1008 (once). */
  private void overRate() {
    if (overRate) {
      return;
    }
    overRate = true;
    LOG.info("Connection {} on socket '{}' sent more than {} messages a second; closing with 1008",
        id, endpoint.name(), rate.perSecond());
    close(new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION, "rate limit"));
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (!inFlight && isEmpty(waiting) && !closed) {
      ctx.read();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      LOG.info("Connection {} on socket '{}' sent a message over {} bytes; closing with 1009",
          id, endpoint.name(), maxMessageSize);
      close(WebSocketCloseStatus.MESSAGE_TOO_BIG);
    } else if (cause instanceof CorruptedWebSocketFrameException corrupted) {
      // the frame decoder has already sent the close frame and closes the channel
      LOG.info("Connection {} on socket '{}' closed with {}: {}", id, endpoint.name(),
          corrupted.closeStatus().code(), corrupted.getMessage());
    } else if (cause instanceof IOException) {
      LOG.debug("Connection {} on socket '{}' dropped: {}", id, endpoint.name(), cause.toString());
      ctx.close();
    } else {
      LOG.warn("Connection {} on socket '{}' failed; closing with 1011", id, endpoint.name(), cause);
      close(WebSocketCloseStatus.INTERNAL_SERVER_ERROR);
    }
  }

  /** Hands the next waiting frame to the application, or asks the socket for more. */
  private void pump() {
    if (inFlight || closed) {
      return;
    }
    ByteString body = waiting == null ? null : waiting.poll();
    if (body == null) {
      channel.read();
      return;
    }
    inFlight = true;
    WebsocketEventRequest event = WebsocketEventRequest.newBuilder()
        .setSocketName(endpoint.name())
        .setConnectionId(id)
        .setMessage(WebsocketMessageEvent.newBuilder().setBody(body))
        .build();
    dispatcher.dispatch(WebsocketEventType.Message, event)
        .whenComplete((answer, error) -> onLoop(() -> messageHandled(answer, error)));
  }

  private void messageHandled(Optional<WebsocketEventResponse> answer, Throwable error) {
    inFlight = false;
    if (error != null) {
      LOG.warn("Message from connection {} on socket '{}' was not handled: {}",
          id, endpoint.name(), describe(error));
    } else if (answer.isEmpty()) {
      LOG.debug("No message handler for socket '{}'; message from {} dropped", endpoint.name(), id);
    }
    if (closed) {
      sendDisconnect();
    } else {
      pump();
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    writer.closing();
    endpoint.remove(this);
    if (!isEmpty(waiting)) {
      LOG.debug("Connection {} closed with {} message(s) not yet handed on; dropped", id, waiting.size());
      waiting.clear();
    }
    if (!inFlight) {
      sendDisconnect();
    }
  }

  private static boolean isEmpty(ArrayDeque<ByteString> queue) {
    return queue == null || queue.isEmpty();
  }

  private void sendDisconnect() {
    if (disconnectSent) {
      return;
    }
    disconnectSent = true;
    LOG.debug("Connection {} on socket '{}' closed", id, endpoint.name());
    sendDisconnect(dispatcher, endpoint.name(), id);
  }

  /** Sends the Disconnect event of a connection; failures are logged. */
  static void sendDisconnect(EventDispatcher dispatcher, String socketName, String connectionId) {
    WebsocketEventRequest event = WebsocketEventRequest.newBuilder()
        .setSocketName(socketName)
        .setConnectionId(connectionId)
        .setDisconnection(WebsocketDisconnectionEvent.getDefaultInstance())
        .build();
    dispatcher.dispatch(WebsocketEventType.Disconnect, event).whenComplete((answer, error) -> {
      if (error == null) {
        return;
      }
      Throwable cause = unwrap(error);
      if (cause instanceof HandlerUnavailableException) {
        LOG.debug("Disconnect of {} on socket '{}' was not handled: {}", connectionId, socketName, describe(cause));
      } else {
        LOG.warn("Disconnect of {} on socket '{}' was not handled: {}", connectionId, socketName, describe(cause));
      }
    });
  }

  private boolean onLoop(Runnable task) {
    try {
      channel.eventLoop().execute(task);
      return true;
    } catch (RejectedExecutionException shuttingDown) {
      LOG.debug("Event loop of connection {} is shut down; dropping a callback", id);
      return false;
    }
  }

  static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  static String describe(Throwable error) {
    Throwable cause = unwrap(error);
    if (cause instanceof TimeoutException) {
      return "no answer within the handler timeout";
    }
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
