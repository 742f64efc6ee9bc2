package dev.nitricws.runtime.gateway;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether an open connection is alive, and keeping it so:
 *
 * <ul>
 *   <li>control frames are answered here and go no further: a ping with a pong, a close with the
 *       closing handshake; pongs are dropped. A ping that arrives while the connection is over its
 *       write buffer gets no pong (a client may be answered only its latest ping), so a ping flood
 *       from a client that does not read queues nothing;
 *   <li>a ping goes out after {@code pingInterval} without writes (zero: never), keeping proxies and
 *       NATs from dropping the connection; none while the previous one is unwritten or the
 *       connection is over its write buffer, so pings never pile up for a client that does not read;
 *   <li>the connection is closed with 1001 "idle timeout" after {@code idleTimeout} with no data
 *       frame read or written (control frames do not count).
 * </ul>
 *
 * <p>One handler and one pending task per connection, and no listener per write: an idle
 * connection is mostly what it costs to hold, and every broadcast writes to all of them.
 * Event-loop confined.
 */
final class ConnectionLiveness extends ChannelDuplexHandler implements Runnable {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLiveness.class);

  private final long idleNanos;
  private final long pingNanos;
  private long lastRead;
  private long lastWrite;
  private ChannelFuture lastPing;
  private ScheduledFuture<?> timer;
  private ChannelHandlerContext ctx;

  ConnectionLiveness(Duration idleTimeout, Duration pingInterval) {
    this.idleNanos = idleTimeout.toNanos();
    this.pingNanos = pingInterval.toNanos();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    stop();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stop();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof PingWebSocketFrame ping) {
      if (ctx.channel().isWritable()) {
        ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
      } else {
        ping.release();
      }
    } else if (msg instanceof PongWebSocketFrame pong) {
      pong.release();
    } else if (msg instanceof CloseWebSocketFrame close) {
      // echo the client's status to complete the closing handshake, then close the TCP connection
      Closing.close(ctx.channel(), close);
    } else {
      lastRead = System.nanoTime();
      ctx.fireChannelRead(msg);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    lastWrite = System.nanoTime();
    ctx.write(msg, promise);
  }

  private void start(ChannelHandlerContext ctx) {
    if (timer != null) {
      return;
    }
    this.ctx = ctx;
    long now = System.nanoTime();
    lastRead = now;
    lastWrite = now;
    schedule(pingNanos > 0 ? Math.min(idleNanos, pingNanos) : idleNanos);
  }

  private void stop() {
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void schedule(long delayNanos) {
    timer = ctx.executor().schedule(this, delayNanos, TimeUnit.NANOSECONDS);
  }

  /** The timer: closes the connection if it has been idle too long, pings it if quiet, and sets itself again. */
  @Override
  public void run() {
    if (!ctx.channel().isOpen()) {
      return;
    }
    long now = System.nanoTime();
    long quiet = now - Math.max(lastRead, lastWrite);
    if (quiet >= idleNanos) {
      LOG.debug("Closing {}: no message for {}", ctx.channel().remoteAddress(), Duration.ofNanos(idleNanos));
      Closing.close(ctx.channel(), new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "idle timeout"));
      return;
    }
    long next = idleNanos - quiet;
    if (pingNanos > 0) {
      long unwritten = now - lastWrite;
      if (unwritten >= pingNanos) {
        ping(ctx);
        next = Math.min(next, pingNanos);
      } else {
        next = Math.min(next, pingNanos - unwritten);
      }
    }
    schedule(next);
  }

  /** A ping, written from here towards the socket: it does not pass this handler, so it is not a write of data. */
  private void ping(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable() || (lastPing != null && !lastPing.isDone())) {
      return;
    }
    lastPing = ctx.writeAndFlush(new PingWebSocketFrame());
    lastPing.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }
}
