package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

/**
 * What an application does when a client connects, disconnects or sends a message: the seed's
 * three handlers. Implement the methods you need, or build one from lambdas with {@link
 * #builder()}.
 *
 * <p>Methods run on the application's handler executor, never on a network thread, so they may
 * block briefly; events of one connection are handled one at a time, in the order they came. A
 * method that has to wait for asynchronous work (a broadcast, a lookup) hands it to {@link
 * SocketContext#answerAfter} and returns: the app answers the event, and starts the
 * connection's next one, when the work has ended, and no handler thread waits meanwhile. The
 * framework registers a connection after {@code onConnect} accepts it and unregisters it before
 * {@code onDisconnect} runs. A method that throws is logged; a connect whose handler throws or
 * times out is rejected.
 */
public interface SocketHandler {

  /** A client asks to connect; call {@link ConnectContext#reject(String)} to refuse it. */
  default void onConnect(ConnectContext context) throws Exception {}

  /** A connection went away (already unregistered). */
  default void onDisconnect(DisconnectContext context) throws Exception {}

  /** A client sent a message. */
  default void onMessage(MessageContext context) throws Exception {}

  /** One handler method as a lambda. */
  @FunctionalInterface
  interface Callback<C> {
    void handle(C context) throws Exception;
  }

  /** A builder for a handler made of lambdas; unset callbacks do nothing. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * {@code handler}, with every connect authenticated first: a refused client is rejected with
   * the authenticator's reason and {@code handler.onConnect} is not called; an authenticated one
   * gets its subject as the attribute {@value Authenticator#SUBJECT_ATTRIBUTE} before it is.
   */
  static SocketHandler authenticated(Authenticator authenticator, SocketHandler handler) {
    requireNonNull(authenticator, "authenticator");
    requireNonNull(handler, "handler");
    return new CallbackHandler(context -> {
      Authentication result = authenticator.authenticate(context);
      if (result instanceof Authentication.Authenticated who) {
        context.attribute(Authenticator.SUBJECT_ATTRIBUTE, who.subject());
        handler.onConnect(context);
      } else if (result instanceof Authentication.Refused refused) {
        context.reject(refused.reason());
      } else {
        throw new IllegalStateException("the authenticator answered null");
      }
    }, handler::onDisconnect, handler::onMessage);
  }

  /** Builds a {@link SocketHandler} from lambdas. */
  final class Builder {
    private Callback<ConnectContext> connect = c -> {};
    private Callback<DisconnectContext> disconnect = c -> {};
    private Callback<MessageContext> message = c -> {};
    private Authenticator authenticator;

    private Builder() {}

    /** Authenticates every connect first (see {@link SocketHandler#authenticated}). */
    public Builder authenticate(Authenticator authenticator) {
      this.authenticator = requireNonNull(authenticator, "authenticator");
      return this;
    }

    public Builder onConnect(Callback<ConnectContext> callback) {
      this.connect = requireNonNull(callback, "callback");
      return this;
    }

    public Builder onDisconnect(Callback<DisconnectContext> callback) {
      this.disconnect = requireNonNull(callback, "callback");
      return this;
    }

    public Builder onMessage(Callback<MessageContext> callback) {
      this.message = requireNonNull(callback, "callback");
      return this;
    }

    public SocketHandler build() {
      SocketHandler plain = new CallbackHandler(connect, disconnect, message);
      return authenticator == null ? plain : authenticated(authenticator, plain);
    }
  }
}
