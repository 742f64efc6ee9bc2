package dev.nitricws.it.faults;

import static org.awaitility.Awaitility.await;

import dev.nitricws.domain.SocketName;
import dev.nitricws.it.support.JavaProcess;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.runtime.LocalRuntime;
import java.time.Duration;
import java.util.List;

/** Waiting for app processes to serve a socket of a runtime in the test's JVM. */
final class Apps {

  private static final List<WebsocketEventType> TYPES =
      List.of(WebsocketEventType.Connect, WebsocketEventType.Disconnect, WebsocketEventType.Message);

  private Apps() {}

  /** Waits until each event type of {@code socket} has {@code streams} registered streams; fails early if an app dies. */
  static void awaitHandlers(LocalRuntime runtime, SocketName socket, int streams, Duration within, JavaProcess... alive) {
    await("connect, disconnect and message of socket " + socket + " each have " + streams + " registered stream(s)")
        .atMost(within)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> {
          for (JavaProcess app : alive) {
            app.requireAlive();
          }
          return TYPES.stream().allMatch(type -> runtime.handlerCount(socket.value(), type) == streams);
        });
  }
}
