package dev.nitricws.runtime.gateway;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;

/**
 * Answers control frames: ping with pong, close with the closing handshake; pongs are dropped.
 * A ping that arrives while the connection is over its write buffer gets no pong (a client may
 * be answered only its latest ping), so a ping flood from a client that does not read queues
 * nothing. Sits before the idle-timeout handler, so control frames never count as activity.
 */
@Sharable
final class ControlFrameHandler extends ChannelInboundHandlerAdapter {

  static final ControlFrameHandler INSTANCE = new ControlFrameHandler();

  private ControlFrameHandler() {}

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
      ctx.fireChannelRead(msg);
    }
  }
}
