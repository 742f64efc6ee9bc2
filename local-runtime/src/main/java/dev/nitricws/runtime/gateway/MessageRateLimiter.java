package dev.nitricws.runtime.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A token bucket per connection: {@code perSecond} messages a second, in bursts of as many. A
 * client over it is closed with 1008 "rate limit" and its message dropped. Sits after the frame
 * aggregator, so it counts whole messages. Event-loop confined; one per channel.
 */
final class MessageRateLimiter extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(MessageRateLimiter.class);
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  private final String socketName;
  private final String connectionId;
  private final int perSecond;
  private final long nanosPerToken;
  private double tokens;
  private long refilledAt = System.nanoTime();
  private boolean exceeded;

  MessageRateLimiter(String socketName, String connectionId, int perSecond) {
    this.socketName = socketName;
    this.connectionId = connectionId;
    this.perSecond = perSecond;
    this.nanosPerToken = SECOND / perSecond;
    this.tokens = perSecond;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof TextWebSocketFrame) && !(msg instanceof BinaryWebSocketFrame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (exceeded) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (take()) {
      ctx.fireChannelRead(msg);
      return;
    }
    ReferenceCountUtil.release(msg);
    exceeded = true;
    LOG.info("Connection {} on socket '{}' sent more than {} messages a second; closing with 1008",
        connectionId, socketName, perSecond);
    Closing.close(ctx.channel(),
        new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION, "rate limit"));
  }

  private boolean take() {
    long now = System.nanoTime();
    tokens = Math.min(perSecond, tokens + (double) (now - refilledAt) / nanosPerToken);
    refilledAt = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
