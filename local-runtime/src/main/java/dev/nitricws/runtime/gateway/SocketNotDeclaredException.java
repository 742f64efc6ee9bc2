package dev.nitricws.runtime.gateway;

/** The socket named in a call was never declared through the Resources service. */
final class SocketNotDeclaredException extends RuntimeException {

  SocketNotDeclaredException(String socketName) {
    super("websocket '" + socketName + "' is not declared");
  }
}
