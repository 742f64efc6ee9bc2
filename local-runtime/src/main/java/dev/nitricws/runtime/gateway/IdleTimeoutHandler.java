package dev.nitricws.runtime.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection (1001 "idle timeout") after {@code timeout} with no data frame read or
 * written. Placed after the control-frame handler, so pings and pongs do not keep it alive.
 */
final class IdleTimeoutHandler extends IdleStateHandler {

  private static final Logger LOG = LoggerFactory.getLogger(IdleTimeoutHandler.class);

  private final Duration timeout;

  IdleTimeoutHandler(Duration timeout) {
    super(0, 0, timeout.toMillis(), TimeUnit.MILLISECONDS);
    this.timeout = timeout;
  }

  @Override
  protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
    if (evt.state() == IdleState.ALL_IDLE) {
      LOG.debug("Closing {}: no message for {}", ctx.channel().remoteAddress(), timeout);
      Closing.close(ctx.channel(), new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE, "idle timeout"));
    }
  }
}
