package dev.nitricws.runtime;

import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A local runtime on free ports and a {@link TestApp} connected to it, started by the test (in its
 * {@code @BeforeEach} or in the test itself) and closed after each test, the app first. Use with
 * {@code @RegisterExtension}.
 */
public final class RuntimeAndApp implements AfterEachCallback {

  private LocalRuntime runtime;
  private TestApp app;

  /** Starts a runtime with the default settings. */
  public void start() {
    start(settings -> { });
  }

  /** Starts a runtime with the gRPC and first websocket port free, then whatever {@code settings} sets. */
  public void start(Consumer<LocalRuntimeBuilder> settings) {
    LocalRuntimeBuilder builder = LocalRuntime.builder().grpcPort(0).firstWebsocketPort(0);
    settings.accept(builder);
    runtime = builder.build().start();
    app = new TestApp(runtime.grpcPort());
  }

  public LocalRuntime runtime() {
    return runtime;
  }

  public TestApp app() {
    return app;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (app != null) {
      app.close();
    }
    if (runtime != null) {
      runtime.close();
    }
  }
}
