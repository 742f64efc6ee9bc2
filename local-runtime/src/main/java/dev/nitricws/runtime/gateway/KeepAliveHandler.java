package dev.nitricws.runtime.gateway;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Sends a ping after {@code interval} without writes, keeping proxies and NATs from dropping the
 * connection. No ping is written while the previous one is unwritten or the connection is over its
 * write buffer, so pings never pile up for a client that does not read. Event-loop confined.
 */
final class KeepAliveHandler extends IdleStateHandler {

  private ChannelFuture lastPing;

  KeepAliveHandler(Duration interval) {
    super(0, interval.toMillis(), 0, TimeUnit.MILLISECONDS);
  }

  @Override
  protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
    if (evt.state() != IdleState.WRITER_IDLE || !ctx.channel().isWritable()
        || (lastPing != null && !lastPing.isDone())) {
      return;
    }
    lastPing = ctx.writeAndFlush(new PingWebSocketFrame());
    lastPing.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
  }
}
