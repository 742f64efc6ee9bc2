package dev.nitricws.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ConnectionRegistry} must have. A store's test extends this class and
 * implements {@link #registry()}; the test methods are final, so every store runs exactly the
 * same contract. Each test works on sockets of its own with fresh names, so a shared server never
 * needs cleaning between tests or runs. {@link #largeSocketSize()} may raise how many
 * connections the large-scan test registers (never below 10,000).
 *
 * <p>The tests come in four parts, each a class of this chain: {@link RegistryBasicsContract}
 * (register, find, unregister, hostile values, and the helpers), {@link RegistryScanContract}
 * (scan and count), {@link RegistryGroupsContract} (groups and users, which the store's class
 * keeps as a {@link dev.nitricws.domain.ConnectionGroups}), and this class: expiry, and register
 * and unregister from many threads at
 * once, which check every operation together.
 *
 * <p>Needs JUnit 5, AssertJ and Awaitility on the test class path.
 */
public abstract class ConnectionRegistryContract extends RegistryGroupsContract {

  /** The registry under test; may be the same instance for every test. */
  @Override
  protected abstract ConnectionRegistry registry();

  // ---------------------------------------------------------------- expiry

  @Test
  public final void expiredEntriesAreNeverReturned() {
    SocketName socket = freshSocket();
    Instant past = now().minus(Duration.ofHours(3));
    Connection expired = connection(socket, "old", past, past.plus(Duration.ofHours(2)));
    Connection live = connection(socket, "new");
    join(registry().register(expired));
    join(registry().register(live));

    assertThat(join(registry().find(socket, expired.id()))).isEmpty();
    assertThat(join(registry().count(socket))).isEqualTo(1L);
    assertThat(scanAll(socket, 1)).containsExactly(live.id());
    assertThat(join(registry().unregister(socket, expired.id()))).isFalse();
  }

  @Test
  public final void entriesExpireWhenTheirTimeComes() {
    SocketName socket = freshSocket();
    Instant start = now();
    Connection shortLived = connection(socket, "short", start, start.plus(Duration.ofMillis(1500)));
    join(registry().register(shortLived));
    assertThat(join(registry().find(socket, shortLived.id()))).isPresent();

    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
      assertThat(join(registry().find(socket, shortLived.id()))).isEmpty();
      assertThat(join(registry().count(socket))).isZero();
      assertThat(scanAll(socket, 10)).isEmpty();
    });
  }

  @Test
  public final void reRegisteringExtendsTheLifeOfAnEntry() {
    SocketName socket = freshSocket();
    Instant past = now().minus(Duration.ofHours(3));
    Connection expired = connection(socket, "again", past, past.plus(Duration.ofHours(1)));
    join(registry().register(expired));
    Connection renewed = connection(socket, "again");
    join(registry().register(renewed));

    assertThat(join(registry().find(socket, renewed.id()))).contains(renewed);
    assertThat(join(registry().count(socket))).isEqualTo(1L);
  }

  // ---------------------------------------------------------------- concurrency

  @Test
  public final void concurrentRegisterAndUnregisterLeaveExactlyTheRightState() throws Exception {
    SocketName socket = freshSocket();
    int threads = 8;
    int perThread = 250;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    Set<ConnectionId> expected = ConcurrentHashMap.newKeySet();
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        work.add(pool.submit(() -> {
          go.await();
          List<CompletableFuture<?>> pending = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            Connection c = connection(socket, "t" + thread + "-" + i);
            // everyone also upserts a shared id, and registers, re-registers and then removes every
            // third one: each id's own calls follow one another (two calls in flight at once may
            // land in either order), while the calls of different ids all run at once
            pending.add(registry().register(connection(socket, "shared-" + (i % 10))).toCompletableFuture());
            if (i % 3 == 0) {
              pending.add(registry().register(c)
                  .thenCompose(v -> registry().register(c))
                  .thenCompose(v -> registry().unregister(socket, c.id())).toCompletableFuture());
            } else {
              pending.add(registry().register(c).toCompletableFuture());
              expected.add(c.id());
            }
          }
          CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
          return null;
        }));
      }
      go.countDown();
      for (Future<?> f : work) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < 10; i++) {
      expected.add(ConnectionId.of("shared-" + i));
    }

    assertThat(join(registry().count(socket))).isEqualTo(expected.size());
    assertThat(new HashSet<>(scanAll(socket, 97))).isEqualTo(expected);
  }
}
