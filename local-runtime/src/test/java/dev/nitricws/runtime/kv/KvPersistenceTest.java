package dev.nitricws.runtime.kv;

import static dev.nitricws.runtime.kv.KvStoreServiceTest.assertNotFound;
import static dev.nitricws.runtime.kv.KvStoreServiceTest.get;
import static dev.nitricws.runtime.kv.KvStoreServiceTest.json;
import static dev.nitricws.runtime.kv.KvStoreServiceTest.scan;
import static dev.nitricws.runtime.kv.KvStoreServiceTest.set;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nitricws.proto.kvstore.v1.KvStoreDeleteKeyRequest;
import dev.nitricws.runtime.LocalRuntime;
import dev.nitricws.runtime.LocalRuntimeException;
import dev.nitricws.runtime.TestApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key-value stores kept in a directory survive a restart. */
class KvPersistenceTest {

  @TempDir
  Path directory;

  private LocalRuntime runtime() {
    return LocalRuntime.builder()
        .grpcPort(0)
        .firstWebsocketPort(0)
        .kvDirectory(directory)
        .kvFlushInterval(Duration.ofMillis(100))
        .build()
        .start();
  }

  @Test
  void valuesSurviveARestart() throws Exception {
    try (LocalRuntime first = runtime(); TestApp app = new TestApp(first.grpcPort())) {
      set(app, "connections", "c1", json("v", "1"));
      set(app, "connections", "c2", json("v", "2"));
      set(app, "connections", "gone", json("v", "x"));
      set(app, "a/b c", "k", json("v", "odd name"));
      app.kv().deleteKey(KvStoreDeleteKeyRequest.newBuilder()
          .setRef(KvStoreServiceTest.ref("connections", "gone")).build());
    }

    try (LocalRuntime second = runtime(); TestApp app = new TestApp(second.grpcPort())) {
      assertThat(app.kv().getValue(get("connections", "c2")).getValue().getContent()).isEqualTo(json("v", "2"));
      assertThat(scan(app, "connections", "")).containsExactly("c1", "c2");
      assertNotFound(() -> app.kv().getValue(get("connections", "gone")));
      assertThat(app.kv().getValue(get("a/b c", "k")).getValue().getContent()).isEqualTo(json("v", "odd name"));
    }
  }

  @Test
  void changesAreWrittenWhileRunning() throws Exception {
    try (LocalRuntime running = runtime(); TestApp app = new TestApp(running.grpcPort())) {
      set(app, "connections", "c1", json("v", "1"));

      await().atMost(TestApp.WAIT).until(() -> Files.exists(directory.resolve("connections.kv")));
      assertThat(new KvFiles(directory).loadAll().get("connections")).containsOnlyKeys("c1");
    }
  }

  @Test
  void unreadableStoreFileFailsTheStartNamingTheDirectory() throws IOException {
    Files.write(directory.resolve("broken.kv"), new byte[] {0x7f, 0x01, 0x02});

    assertThatThrownBy(this::runtime)
        .isInstanceOf(LocalRuntimeException.class)
        .hasMessageContaining(directory.toString());
  }
}
