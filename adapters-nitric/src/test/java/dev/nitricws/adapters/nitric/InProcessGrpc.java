package dev.nitricws.adapters.nitric;

import io.grpc.BindableService;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An in-process gRPC server for the given services and a channel to it, both started before each
 * test (before the test's own {@code @BeforeEach}) and shut down after it (after its
 * {@code @AfterEach}). Use with {@code @RegisterExtension} on an instance field declared after the
 * services.
 */
public final class InProcessGrpc implements BeforeEachCallback, AfterEachCallback {

  private final String name;
  private final BindableService[] services;
  private ExecutorService inOrder;
  private Server server;
  private ManagedChannel channel;

  public InProcessGrpc(String namePrefix, BindableService... services) {
    this.name = namePrefix + "-" + UUID.randomUUID();
    this.services = services;
  }

  /**
   * Makes the server handle calls one at a time in the order they arrive, as a runtime that
   * applies each call when it arrives does (the default executor runs calls on many threads, so
   * a call can overtake one sent well before it when thousands are in flight), and connects the
   * channel before each test.
   */
  public InProcessGrpc inArrivalOrder() {
    this.inOrder = Executors.newSingleThreadExecutor();
    return this;
  }

  public ManagedChannel channel() {
    return channel;
  }

  /** Stops the server as a crashed runtime would; the channel stays. */
  public void stopServer() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Starts a server under the same name, serving {@code services}, as a restarted runtime would. */
  public void startServer(BindableService... services) throws IOException {
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
    if (inOrder != null) {
      builder.executor(inOrder);
    }
    for (BindableService service : services) {
      builder.addService(service);
    }
    server = builder.build().start();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    startServer(services);
    channel = InProcessChannelBuilder.forName(name).build();
    if (inOrder != null) {
      // calls sent while a channel connects are held and then started on several threads, out of order
      long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (channel.getState(true) != ConnectivityState.READY && System.nanoTime() < giveUp) {
        Thread.onSpinWait();
      }
    }
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (inOrder != null) {
      inOrder.shutdownNow();
    }
  }
}
