package dev.nitricws.runtime.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts off a new connection that has not sent its whole HTTP request within the request timeout
 * (a silent client, or one sending its headers byte by byte): HTTP 408, then closed. The upgrade
 * handler removes it when the request has arrived. Event-loop confined; one per channel.
 */
final class RequestTimeoutHandler extends ChannelInboundHandlerAdapter {

  static final String NAME = "request-timeout";
  private static final Logger LOG = LoggerFactory.getLogger(RequestTimeoutHandler.class);

  private final Duration timeout;
  private final OneShotTimer timer = new OneShotTimer();

  RequestTimeoutHandler(Duration timeout) {
    this.timeout = timeout;
  }

  /** The request has arrived: stop the timer. */
  static void requestReceived(ChannelPipeline pipeline) {
    if (pipeline.get(NAME) != null) {
      pipeline.remove(NAME);
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    timer.start(ctx.executor(), timeout, () -> expired(ctx));
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    timer.cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    timer.cancel();
    ctx.fireChannelInactive();
  }

  private void expired(ChannelHandlerContext ctx) {
    if (!ctx.channel().isActive()) {
      return;
    }
    LOG.info("Connection from {} sent no complete request within {}; answered 408 and closed",
        ctx.channel().remoteAddress(), timeout);
    ctx.pipeline().remove(this);
    HttpAnswers.text(ctx.channel(), HttpResponseStatus.REQUEST_TIMEOUT, "request timeout");
  }
}
