package dev.nitricws.it.nitric;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.adapters.nitric.NitricResources;
import dev.nitricws.adapters.nitric.kv.NitricKvConnectionRegistry;
import dev.nitricws.contract.ConnectionRegistryContract;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.it.support.ServerSource;
import dev.nitricws.runtime.LocalRuntime;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The registry contract for the Nitric key-value store adapter, against the real KvStore of the
 * local runtime started in this process on an ephemeral loopback port, over a real gRPC channel.
 */
class NitricKvRegistryIT extends ConnectionRegistryContract {

  private static LocalRuntime runtime;
  private static ManagedChannel channel;
  private static NitricKvConnectionRegistry registry;

  @BeforeAll
  static void startRuntime() {
    runtime = LocalRuntime.builder().bindHost("127.0.0.1").grpcPort(0).firstWebsocketPort(0).build().start();
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", runtime.grpcPort(), InsecureChannelCredentials.create())
        .build();
    ServerSource.announce("nitric-kv", "local runtime in-process on 127.0.0.1:" + runtime.grpcPort());
    // as an app does at start-up: declare the store and the right to use it
    assertThat(new NitricResources(channel).declareKeyValueStore(NitricKvConnectionRegistry.DEFAULT_STORE)
        .toCompletableFuture()).succeedsWithin(Duration.ofSeconds(30));
    registry = NitricKvConnectionRegistry.create(channel);
  }

  @AfterAll
  static void stopRuntime() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (runtime != null) {
      runtime.close();
    }
  }

  @Override
  protected ConnectionRegistry registry() {
    return registry;
  }
}
