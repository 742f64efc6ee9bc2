package dev.nitricws.runtime.gateway;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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
  private ScheduledFuture<?> timer;

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
    timer = ctx.executor().schedule(() -> expired(ctx), timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void expired(ChannelHandlerContext ctx) {
    timer = null;
    if (!ctx.channel().isActive()) {
      return;
    }
    LOG.info("Connection from {} sent no complete request within {}; answered 408 and closed",
        ctx.channel().remoteAddress(), timeout);
    ctx.pipeline().remove(this);
    HttpAnswers.text(ctx.channel(), HttpResponseStatus.REQUEST_TIMEOUT, "request timeout");
  }
}
