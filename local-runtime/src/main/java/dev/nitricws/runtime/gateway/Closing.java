package dev.nitricws.runtime.gateway;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a connection with a last message (a close frame, an HTTP answer). Once it is written the
 * connection's output is shut and whatever the client still sends is read and dropped until it
 * closes its side, so the kernel does not answer unread data with a reset that would swallow the
 * last message; with TLS the connection is simply closed (the TLS close follows the message).
 * In every case the connection is closed {@link #FORCE_AFTER_SECONDS} later at the latest, also
 * when the message cannot be written (a client that does not read). Thread-safe.
 */
final class Closing {

  /** How long a connection may take to end after its last message before it is closed anyway. */
  static final long FORCE_AFTER_SECONDS = 2;

  private static final Logger LOG = LoggerFactory.getLogger(Closing.class);
  private static final String DISCARD = "closing-discard";

  private Closing() {}

  /**
   * Writes {@code lastMessage} and ends the connection; takes ownership of the message.
   *
   * @return the channel's close future
   */
  static ChannelFuture close(Channel channel, Object lastMessage) {
    if (!channel.isActive()) {
      ReferenceCountUtil.release(lastMessage);
      return channel.close();
    }
    channel.writeAndFlush(lastMessage).addListener((ChannelFuture written) -> {
      if (written.isSuccess() && channel instanceof SocketChannel socket
          && socket.pipeline().get(SslHandler.class) == null) {
        linger(socket);
      } else {
        channel.close();
      }
    });
    try {
      ScheduledFuture<?> force = channel.eventLoop().schedule(() -> {
        if (channel.isOpen()) {
          LOG.debug("Closing {}: it did not end within {} s of its last message", channel.remoteAddress(),
              FORCE_AFTER_SECONDS);
          channel.close();
        }
      }, FORCE_AFTER_SECONDS, TimeUnit.SECONDS);
      channel.closeFuture().addListener(closed -> force.cancel(false));
    } catch (RejectedExecutionException shuttingDown) {
      channel.close();
    }
    return channel.closeFuture();
  }

  /** On the event loop: our side is done; drop what the client still sends until it closes. */
  private static void linger(SocketChannel socket) {
    if (!socket.isOpen() || socket.pipeline().get(DISCARD) != null) {
      return;
    }
    socket.pipeline().addFirst(DISCARD, Discard.INSTANCE);
    socket.shutdownOutput().addListener(shut -> {
      if (!shut.isSuccess()) {
        socket.close();
      }
    });
    socket.config().setAutoRead(true);
  }

  /** Drops everything read from a connection that is ending; closes it on any error. */
  @Sharable
  private static final class Discard extends ChannelInboundHandlerAdapter {
    static final Discard INSTANCE = new Discard();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      // nothing to pass on
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
