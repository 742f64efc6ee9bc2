package dev.nitricws.runtime.gateway;

import com.google.protobuf.ByteString;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The application's writes to one connection, bounded by construction.
 *
 * <ul>
 *   <li>From the Connect event until the upgrade completes, sends are held (at most
 *       {@link #MAX_HELD} messages and the write buffer's bytes, or a first message of any size,
 *       as an open connection takes one more message over its buffer; more answer
 *       {@link ConnectionOpeningException}) and written in order once it opens; if it never opens
 *       they fail as gone.
 *   <li>Open, a send completes once queued for the connection, in order. Nothing is dropped
 *       while the connection stays: a send that would make the queue pass {@code maxQueuedBytes}
 *       fails as gone and, like a connection that stays over its write buffer (does not read) for
 *       the slow-client timeout, hands the connection to {@code closeForNotReading}, which closes
 *       it with what was queued. A client gets every message in order, or is disconnected.
 * </ul>
 *
 * <p>{@link #send} and {@link #neverOpened} are thread-safe; the other methods run on the
 * channel's event loop.
 */
final class ConnectionWriter {

  /** Messages held for a connection whose upgrade is not complete yet. */
  static final int MAX_HELD = 16;

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionWriter.class);

  private enum Phase { OPENING, OPEN, NEVER_OPENED }

  private record Held(ByteString data, CompletableFuture<Void> sent) {}

  private final String socketName;
  private final String id;
  private final Channel channel;
  private final int heldBytesLimit;
  private final Duration slowClientTimeout;
  private final long maxQueuedBytes;
  private final OutboundBudget outbound;
  private final NotReading client;

  // guarded by this
  private Phase phase = Phase.OPENING;
  /** Null until a send comes while opening, and again once open. */
  private ArrayDeque<Held> held;
  private long heldBytes;
  private boolean closeWhenOpen;
  private boolean droppingWhileOpening;

  // written on the event loop; read by the gateway's outbound budget too
  private volatile boolean closing;
  /** Made the first time the connection goes over its write buffer (most never do). */
  private OneShotTimer slowClientTimer;

  ConnectionWriter(String socketName, String id, Channel channel, GatewaySettings settings, OutboundBudget outbound,
      NotReading client) {
    this.client = client;
    this.outbound = outbound;
    this.socketName = socketName;
    this.id = id;
    this.channel = channel;
    this.heldBytesLimit = settings.writeBufferSize();
    this.slowClientTimeout = settings.slowClientTimeout();
    this.maxQueuedBytes = settings.maxQueuedBytes();
  }

  /**
   * Writes data as one frame: a text frame when the bytes are valid UTF-8, a binary frame
   * otherwise. Thread-safe and non-blocking.
   *
   * @return completes once the frame is queued for the connection; fails with
   *     {@link ConnectionOpeningException} or (gone) {@link ConnectionNotFoundException} as the
   *     class says
   */
  CompletableFuture<Void> send(ByteString data) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    synchronized (this) {
      switch (phase) {
        case OPENING -> {
          if (held == null) {
            held = new ArrayDeque<>(2);
          }
          if (held.size() >= MAX_HELD || (!held.isEmpty() && heldBytes + data.size() > heldBytesLimit)) {
            if (!droppingWhileOpening) {
              droppingWhileOpening = true;
              LOG.info("Connection {} on socket '{}' is still opening and holds {} message(s), {} bytes;"
                  + " dropping further sends until it opens", id, socketName, held.size(), heldBytes);
            }
            sent.completeExceptionally(new ConnectionOpeningException(id));
          } else {
            held.add(new Held(data, sent));
            heldBytes += data.size();
          }
          return sent;
        }
        case NEVER_OPENED -> {
          sent.completeExceptionally(new ConnectionNotFoundException(id));
          return sent;
        }
        case OPEN -> {
          // written below, outside the lock
        }
      }
    }
    try {
      channel.eventLoop().execute(() -> write(data, sent));
    } catch (RejectedExecutionException shuttingDown) {
      sent.completeExceptionally(new ConnectionNotFoundException(id));
    }
    return sent;
  }

  /**
   * On the event loop, once the upgrade is complete: writes what was held, before any later send.
   *
   * @return whether a close was asked for while the connection was opening
   */
  boolean opened() {
    List<Held> toWrite;
    boolean close;
    if (!closing) { // closing() unregisters
      outbound.register(this);
    }
    synchronized (this) {
      phase = Phase.OPEN;
      toWrite = held == null ? List.of() : new ArrayList<>(held);
      held = null;
      heldBytes = 0;
      close = closeWhenOpen;
    }
    for (Held message : toWrite) {
      write(message.data(), message.sent());
    }
    return close;
  }

  /** The upgrade did not complete: what was held fails as gone. Thread-safe; idempotent. */
  void neverOpened() {
    List<Held> toFail;
    synchronized (this) {
      if (phase != Phase.OPENING) {
        return;
      }
      phase = Phase.NEVER_OPENED;
      toFail = held == null ? List.of() : new ArrayList<>(held);
      held = null;
      heldBytes = 0;
    }
    for (Held message : toFail) {
      message.sent().completeExceptionally(new ConnectionNotFoundException(id));
    }
  }

  /**
   * Asks for a close while the connection is still opening. Thread-safe.
   *
   * @return true when it is opening (the close happens once it opens), false when it is not
   */
  synchronized boolean closeWhenOpen() {
    if (phase != Phase.OPENING) {
      return false;
    }
    closeWhenOpen = true;
    return true;
  }

  /** On the event loop: the connection is closing; later writes fail as gone. */
  void closing() {
    closing = true;
    if (slowClientTimer != null) {
      slowClientTimer.cancel();
    }
    outbound.unregister(this);
  }

  /** On the event loop: starts or stops the slow-client timer. */
  void writabilityChanged() {
    if (channel.isWritable()) {
      if (slowClientTimer != null) {
        slowClientTimer.cancel();
      }
    } else if (!closing) {
      if (slowClientTimer == null) {
        slowClientTimer = new OneShotTimer();
      }
      slowClientTimer.start(channel.eventLoop(), slowClientTimeout, this::slowClientTimedOut);
    }
  }

  private void write(ByteString data, CompletableFuture<Void> sent) {
    if (closing || !channel.isActive()) {
      sent.completeExceptionally(new ConnectionNotFoundException(id));
      return;
    }
    if (!channel.isWritable() && queuedBytes() + data.size() > maxQueuedBytes) {
      LOG.info("Connection {} on socket '{}' is not reading ({} bytes queued, at most {}); dropping it", id,
          socketName, queuedBytes(), maxQueuedBytes);
      sent.completeExceptionally(new ConnectionNotFoundException(id));
      closing();
      client.dropForNotReading();
      return;
    }
    ByteBuf content = Unpooled.wrappedBuffer(data.asReadOnlyByteBuffer());
    WebSocketFrame frame = data.isValidUtf8() ? new TextWebSocketFrame(content) : new BinaryWebSocketFrame(content);
    // answered once queued for the connection, in order, within its bound: the app is never held
    // by how fast one client reads (as API Gateway answers PostToConnection once it has the message)
    long size = data.size();
    outbound.added(size);
    channel.writeAndFlush(frame).addListener(done -> outbound.removed(size));
    sent.complete(null);
  }

  /** Bytes written to the channel and not yet to the socket; readable from any thread. */
  long queuedBytes() {
    var buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }

  /** Whether the connection is being closed (its queue is freed once it is). */
  boolean isClosing() {
    return closing;
  }

  /** Closes the connection as not reading, for the gateway's bound on all queued bytes. Thread-safe. */
  void evict() {
    try {
      channel.eventLoop().execute(() -> {
        if (!closing && channel.isActive()) {
          LOG.info("Connection {} on socket '{}' is furthest behind ({} bytes queued); dropping it", id,
              socketName, queuedBytes());
          closing();
          client.dropForNotReading();
        }
      });
    } catch (RejectedExecutionException shuttingDown) {
      // closing anyway
    }
  }

  /** Still not reading: fail at once every send that waits behind the unread bytes, then close. */
  private void slowClientTimedOut() {
    if (channel.isWritable() || closing || !channel.isActive()) {
      return;
    }
    LOG.info("Connection {} on socket '{}' has not read for {}; closing with 1008", id, socketName,
        slowClientTimeout);
    // what was queued for it is discarded with it
    closing();
    client.closeForNotReading();
  }

  /** What the writer asks of its connection when the client does not read. */
  interface NotReading {
    /** Closes the connection with 1008 "client not reading". */
    void closeForNotReading();

    /** Drops the connection at once, with no close frame (it could not be written). */
    void dropForNotReading();
  }
}
