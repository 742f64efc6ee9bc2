package dev.nitricws.runtime;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;

/**
 * Answers control frames: ping with pong, close with the closing handshake; pongs are dropped.
 * Sits before the idle-timeout handler, so control frames never count as activity.
 */
@Sharable
final class ControlFrameHandler extends ChannelInboundHandlerAdapter {

  static final ControlFrameHandler INSTANCE = new ControlFrameHandler();

  private ControlFrameHandler() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof PingWebSocketFrame ping) {
      ctx.writeAndFlush(new PongWebSocketFrame(ping.content()));
    } else if (msg instanceof PongWebSocketFrame pong) {
      pong.release();
    } else if (msg instanceof CloseWebSocketFrame close) {
      // echo the client's status to complete the closing handshake, then close the TCP connection
      ctx.writeAndFlush(close).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.fireChannelRead(msg);
    }
  }
}
