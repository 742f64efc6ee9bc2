package dev.nitricws.ports;

import dev.nitricws.domain.LogText;
import java.lang.System.Logger.Level;
import java.lang.System.Logger;
import java.util.concurrent.TimeoutException;

/** The default error hook: one log line per {@link SocketError}. */
final class SocketErrors {

  private static final Logger LOG = System.getLogger(WebsocketApp.class.getName());

  private SocketErrors() {}

  /** A timeout at WARNING, anything else at ERROR with its stack trace; the message escaped. */
  static void log(SocketError error) {
    String line = error.during() + " of connection " + error.connectionId() + " on socket '" + error.socket()
        + "' failed: " + LogText.escape(error.cause());
    if (error.cause() instanceof TimeoutException) {
      LOG.log(Level.WARNING, line);
    } else {
      LOG.log(Level.ERROR, line, error.cause());
    }
  }
}
