package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

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

  /**
   * A client asks to connect; call {@link ConnectContext#reject(String)} (403) or {@link
   * ConnectContext#reject(int, String)} to refuse it.
   */
  default void onConnect(ConnectContext context) throws Exception {}

  /** A connection went away (already unregistered). */
  default void onDisconnect(DisconnectContext context) throws Exception {}

  /** A client sent a message. */
  default void onMessage(MessageContext context) throws Exception {}

  /**
   * Something went wrong serving a connection of this socket: a handler method threw, failed the
   * work it handed over or ran out of time, or a reply or broadcast made through a handler's
   * context failed (see {@link SocketError}). The default writes one log line naming what failed,
   * the connection and the socket, with the cause's message escaped. Runs on the handler executor
   * or on the thread that ended the failed work: keep it short and never block in it.
   */
  default void onError(SocketError error) {
    SocketErrors.log(error);
  }

  /** One handler method as a lambda. */
  @FunctionalInterface
  interface Callback<C> {
    void handle(C context) throws Exception;
  }

  /**
   * One handler method as a lambda that returns the work it started (a broadcast, a lookup): the
   * app answers the event, and gives the connection its next one, once that stage has completed,
   * without a thread waiting (see {@link SocketContext#answerAfter}). A null stage means nothing
   * to wait for.
   */
  @FunctionalInterface
  interface AsyncCallback<C> {
    CompletionStage<?> handle(C context) throws Exception;
  }

  /** A builder for a handler made of lambdas; unset callbacks do nothing. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * {@code handler}, with every connect authenticated first: a refused client is rejected with
   * {@value Authenticator#REFUSED_STATUS} and the authenticator's reason and {@code
   * handler.onConnect} is not called; an authenticated one gets its subject as its user ({@link
   * ConnectContext#user}) before it is.
   */
  static SocketHandler authenticated(Authenticator authenticator, SocketHandler handler) {
    requireNonNull(authenticator, "authenticator");
    requireNonNull(handler, "handler");
    return new CallbackHandler(context -> {
      Authentication result = authenticator.authenticate(context);
      if (result instanceof Authentication.Authenticated who) {
        context.user(who.subject());
        handler.onConnect(context);
      } else if (result instanceof Authentication.Refused refused) {
        context.reject(Authenticator.REFUSED_STATUS, refused.reason());
      } else {
        throw new IllegalStateException("the authenticator answered null");
      }
    }, handler::onDisconnect, handler::onMessage, handler::onError);
  }

  /** Builds a {@link SocketHandler} from lambdas. */
  final class Builder {
    private Callback<ConnectContext> connect = c -> {};
    private Callback<DisconnectContext> disconnect = c -> {};
    private Callback<MessageContext> message = c -> {};
    private Consumer<SocketError> error = SocketErrors::log;
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

    /** A connect handler that returns the work to wait for before answering (see {@link AsyncCallback}). */
    public Builder onConnectAsync(AsyncCallback<ConnectContext> callback) {
      return onConnect(awaiting(callback));
    }

    /** A disconnect handler that returns the work to wait for (see {@link AsyncCallback}). */
    public Builder onDisconnectAsync(AsyncCallback<DisconnectContext> callback) {
      return onDisconnect(awaiting(callback));
    }

    /**
     * A message handler that returns the work to wait for before the connection's next message is
     * handled, e.g. {@code onMessageAsync(m -> m.socket().broadcast(m.text()))} (see {@link AsyncCallback}).
     */
    public Builder onMessageAsync(AsyncCallback<MessageContext> callback) {
      return onMessage(awaiting(callback));
    }

    /** The socket's error hook (default: a log line); see {@link SocketHandler#onError}. */
    public Builder onError(Consumer<SocketError> hook) {
      this.error = requireNonNull(hook, "hook");
      return this;
    }

    private static <C extends SocketContext> Callback<C> awaiting(AsyncCallback<C> callback) {
      requireNonNull(callback, "callback");
      return context -> {
        CompletionStage<?> work = callback.handle(context);
        if (work != null) {
          context.answerAfter(work);
        }
      };
    }

    public SocketHandler build() {
      SocketHandler plain = new CallbackHandler(connect, disconnect, message, error);
      return authenticator == null ? plain : authenticated(authenticator, plain);
    }
  }
}
