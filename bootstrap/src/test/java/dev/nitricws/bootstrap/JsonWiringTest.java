package dev.nitricws.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.inject.AbstractModule;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.multibindings.OptionalBinder;
import com.google.inject.util.Modules;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.QueryParameters;
import dev.nitricws.domain.SendOutcome;
import dev.nitricws.domain.SocketName;
import dev.nitricws.json.JacksonJsonMapper;
import dev.nitricws.ports.JsonMapper;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.WebsocketApp;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The app bootstrap wires writes JSON with a JacksonJsonMapper, unless the handler's module sets another. */
class JsonWiringTest {

  record Greeting(String text, int times) {}

  private final List<String> sent = new CopyOnWriteArrayList<>();
  private final Lifecycle lifecycle = new Lifecycle();
  private ConnectionRegistry registry;

  @AfterEach
  void close() {
    lifecycle.close();
  }

  @Test
  void theAppWritesJsonWithJacksonByDefault() {
    Injector injector = injector(handlerModule());

    assertThat(injector.getInstance(JsonMapper.class)).isInstanceOf(JacksonJsonMapper.class)
        .isSameAs(injector.getInstance(JsonMapper.class));
    sendGreeting(injector.getInstance(WebsocketApp.class));
    assertThat(sent).containsExactly("{\"text\":\"hi\",\"times\":2}");
  }

  @Test
  void aHandlersModuleCanSetItsOwnMapper() {
    JsonMapper own = new JsonMapper() {
      @Override
      public byte[] toJson(Object value) {
        return ("own:" + value).getBytes(StandardCharsets.UTF_8);
      }

      @Override
      public <T> T fromJson(byte[] json, Class<T> type) {
        throw new UnsupportedOperationException();
      }
    };
    Injector injector = injector(Modules.combine(handlerModule(), new AbstractModule() {
      @Override
      protected void configure() {
        OptionalBinder.newOptionalBinder(binder(), JsonMapper.class).setBinding().toInstance(own);
      }
    }));

    sendGreeting(injector.getInstance(WebsocketApp.class));
    assertThat(sent).containsExactly("own:" + new Greeting("hi", 2));
  }

  private void sendGreeting(WebsocketApp app) {
    Instant now = Instant.now();
    registry.register(new Connection(SocketName.of("chat"), ConnectionId.of("a"), Map.of(), QueryParameters.empty(), now,
        now.plus(Duration.ofHours(1)))).toCompletableFuture().join();
    app.websocket("chat").broadcastJson(new Greeting("hi", 2)).toCompletableFuture().join();
  }

  private Injector injector(Module handlerModule) {
    MessageSender recorder = new MessageSender() {
      @Override
      public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] data) {
        sent.add(new String(data, StandardCharsets.UTF_8));
        return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
      }

      @Override
      public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
        return CompletableFuture.completedFuture(SendOutcome.DELIVERED);
      }
    };
    AppSettings settings = NitricWsMain.parse("--store=memory");
    Module core = Modules.override(new CoreModule(settings, lifecycle, new GatewayScope()))
        .with(new AbstractModule() {
          @Override
          protected void configure() {
            bind(MessageSender.class).toInstance(recorder);
          }
        });
    Injector injector = Guice.createInjector(core, StoreModules.forKind(StoreKind.MEMORY),
        MetricsModules.forSettings(settings), handlerModule);
    registry = injector.getInstance(ConnectionRegistry.class);
    return injector;
  }

  private static Module handlerModule() {
    return new AbstractModule() {
      @Override
      protected void configure() {
        bind(SocketHandler.class).toInstance(SocketHandler.builder().build());
      }
    };
  }
}
