package dev.nitricws.runtime;

import dev.nitricws.runtime.gateway.GatewaySettings;
import dev.nitricws.runtime.gateway.WebsocketGateway;

/**
 * What the tests of the runtime's parts reach behind its public API: the pieces
 * {@link LocalRuntime} and {@link LocalRuntimeBuilder} keep to this package.
 */
public final class RuntimeInternals {

  private RuntimeInternals() {}

  /** The websocket gateway of a runtime. */
  public static WebsocketGateway gateway(LocalRuntime runtime) {
    return runtime.gateway();
  }

  /** The gateway's settings a builder would give (reads the TLS files, if any). */
  public static GatewaySettings gatewaySettings(LocalRuntimeBuilder builder) {
    return builder.gatewaySettings();
  }
}
