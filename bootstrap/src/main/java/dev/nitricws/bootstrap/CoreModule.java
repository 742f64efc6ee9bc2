package dev.nitricws.bootstrap;

import static java.util.Objects.requireNonNull;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import com.google.inject.multibindings.OptionalBinder;
import dev.nitricws.adapters.nitric.NitricRuntimeClient;
import dev.nitricws.adapters.nitric.NitricSettings;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.json.JacksonJsonMapper;
import dev.nitricws.ports.JsonMapper;
import dev.nitricws.domain.SocketMetrics;
import dev.nitricws.ports.ConnectionScope;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.WebsocketApp;
import java.time.Clock;

/**
 * What every configuration has: the settings, the clock, the gateway's scope (for stores several
 * gateways share), the client of the Nitric runtime with its sender, the connection's place in the
 * logging context (MDC), and the websocket app over whichever registry the store module binds, with
 * the metrics the metrics module binds.
 */
final class CoreModule extends AbstractModule {

  private final AppSettings settings;
  private final Lifecycle lifecycle;
  private final GatewayScope scope;
  private final String inProcessName;

  CoreModule(AppSettings settings, Lifecycle lifecycle, GatewayScope scope) {
    this(settings, lifecycle, scope, null);
  }

  /**
   * With {@code inProcessName} (not null), the app speaks to the runtime in this JVM over grpc-java's
   * in-process transport of that name, instead of over loopback HTTP/2 to {@code settings}' address.
   */
  CoreModule(AppSettings settings, Lifecycle lifecycle, GatewayScope scope, String inProcessName) {
    this.settings = requireNonNull(settings, "settings");
    this.lifecycle = requireNonNull(lifecycle, "lifecycle");
    this.scope = requireNonNull(scope, "scope");
    this.inProcessName = inProcessName;
  }

  @Override
  protected void configure() {
    bind(AppSettings.class).toInstance(settings);
    bind(Lifecycle.class).toInstance(lifecycle);
    bind(GatewayScope.class).toInstance(scope);
    bind(Clock.class).toInstance(Clock.systemUTC());
    // a handler's module replaces it with OptionalBinder.newOptionalBinder(binder(), JsonMapper.class).setBinding()
    OptionalBinder.newOptionalBinder(binder(), JsonMapper.class).setDefault().to(JacksonJsonMapper.class).in(Singleton.class);
    bind(ConnectionScope.class).to(MdcConnectionScope.class);
  }

  @Provides
  @Singleton
  NitricRuntimeClient nitricRuntime(AppSettings settings) {
    String address = settings.serviceAddress()
        .orElseThrow(() -> new IllegalStateException("no Nitric runtime address: start the local runtime first"));
    NitricRuntimeClient.Builder client = NitricRuntimeClient.builder(
            NitricSettings.address(address, NitricSettings.Environment.parse(settings.nitricEnvironment())))
        .sendTimeout(settings.sendTimeout())
        .credentials(settings.runtimeCredentials());
    return inProcessName == null ? client.connect() : client.connectInProcess(inProcessName);
  }

  @Provides
  @Singleton
  MessageSender messageSender(NitricRuntimeClient nitric) {
    return nitric.sender();
  }

  @Provides
  @Singleton
  WebsocketApp websocketApp(@Measured ConnectionRegistry registry, MessageSender sender, SocketHandler handler,
      JsonMapper json, AppSettings settings, Clock clock, Lifecycle lifecycle, SocketMetrics metrics,
      ConnectionScope scope) {
    // with --auth-secret every connect is authenticated before the handler sees it
    SocketHandler served = settings.authentication()
        .map(tokens -> SocketHandler.authenticated(tokens, handler))
        .orElse(handler);
    WebsocketApp app = WebsocketApp.builder(registry, sender)
        .socket(settings.socket(), served)
        .jsonMapper(json)
        .clock(clock)
        .maxConnectionLife(settings.maxConnectionLife())
        .handlerTimeout(settings.handlerTimeout())
        .sendTimeout(settings.sendTimeout())
        .metrics(metrics)
        .connectionScope(scope)
        .build();
    return lifecycle.closeOnStop("websocket app", app);
  }
}
