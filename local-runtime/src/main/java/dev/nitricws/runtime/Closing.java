package dev.nitricws.runtime;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a connection with a last message (a close frame, an HTTP answer) and closes it once that is
 * written, or after {@link #FORCE_AFTER_SECONDS} when it cannot be (a client that does not read).
 * Thread-safe.
 */
final class Closing {

  /** How long a last message may take to be written before the connection is closed anyway. */
  static final long FORCE_AFTER_SECONDS = 2;

  private static final Logger LOG = LoggerFactory.getLogger(Closing.class);

  private Closing() {}

  /**
   * Writes {@code lastMessage} and closes the channel; takes ownership of the message.
   *
   * @return the channel's close future
   */
  static ChannelFuture close(Channel channel, Object lastMessage) {
    if (!channel.isActive()) {
      ReferenceCountUtil.release(lastMessage);
      return channel.close();
    }
    channel.writeAndFlush(lastMessage).addListener(ChannelFutureListener.CLOSE);
    try {
      ScheduledFuture<?> force = channel.eventLoop().schedule(() -> {
        if (channel.isOpen()) {
          LOG.debug("Closing {}: its last message was not written within {} s", channel.remoteAddress(),
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
}
