package dev.nitricws.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SocketName;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The second part of the {@link ConnectionRegistryContract}: scan and count. A scan pages through
 * a large socket delivering each id once, reads the next page only after the last one was
 * consumed, delivers no page for an empty socket, stops when the consumer fails, and refuses bad
 * arguments at once.
 */
abstract class RegistryScanContract extends RegistryBasicsContract {

  /** How many connections the large-scan test registers; at least 10,000. */
  protected int largeSocketSize() {
    return 10_000;
  }

  // ---------------------------------------------------------------- scan and count

  @Test
  public final void scanPagesThroughALargeSocketDeliveringEachIdOnce() {
    SocketName socket = freshSocket();
    int n = largeSocketSize();
    Set<ConnectionId> registered = registerMany(socket, "bulk-", n);
    join(registry().register(connection(freshSocket(), "elsewhere")));

    int pageSize = 500;
    List<Integer> pageSizes = Collections.synchronizedList(new ArrayList<>());
    Set<ConnectionId> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger duplicates = new AtomicInteger();
    long delivered = join(registry().scan(socket, pageSize, page -> {
      pageSizes.add(page.size());
      for (ConnectionId id : page) {
        if (!seen.add(id)) {
          duplicates.incrementAndGet();
        }
      }
      return CompletableFuture.completedFuture(null);
    }));

    assertThat(duplicates.get()).as("ids delivered twice").isZero();
    assertThat(seen).isEqualTo(registered);
    assertThat(delivered).isEqualTo(n);
    assertThat(pageSizes).allSatisfy(size -> assertThat(size).isBetween(1, pageSize));
    assertThat(pageSizes.size()).isGreaterThanOrEqualTo(n / pageSize);
    assertThat(join(registry().count(socket))).isEqualTo(n);
  }

  @Test
  public final void scanReadsTheNextPageOnlyAfterTheLastOneWasConsumed() throws Exception {
    SocketName socket = freshSocket();
    registerMany(socket, "slow-", 25);
    List<CompletableFuture<Void>> gates = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch firstPage = new CountDownLatch(1);

    CompletionStage<Long> scan = registry().scan(socket, 10, page -> {
      CompletableFuture<Void> gate = new CompletableFuture<>();
      gates.add(gate);
      firstPage.countDown();
      return gate;
    });

    assertThat(firstPage.await(10, TimeUnit.SECONDS)).isTrue();
    // the consumer has not finished page 1: no other page may arrive meanwhile
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> gates.size() == 1);
    assertThat(scan.toCompletableFuture()).isNotDone();

    for (int page = 0; page < 3; page++) {
      int index = page;
      await().atMost(Duration.ofSeconds(10)).until(() -> gates.size() > index);
      gates.get(index).complete(null);
    }
    assertThat(join(scan)).isEqualTo(25L);
    assertThat(gates).hasSize(3);
  }

  @Test
  public final void scanOfAnEmptySocketDeliversNoPage() {
    AtomicInteger pages = new AtomicInteger();
    long delivered = join(registry().scan(freshSocket(), 100, page -> {
      pages.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }));
    assertThat(delivered).isZero();
    assertThat(pages.get()).isZero();
  }

  @Test
  public final void scanStopsWhenTheConsumerFails() {
    SocketName socket = freshSocket();
    registerMany(socket, "fail-", 30);
    AtomicInteger pages = new AtomicInteger();

    CompletionStage<Long> scan = registry().scan(socket, 10, page -> {
      pages.incrementAndGet();
      return CompletableFuture.failedFuture(new IllegalStateException("consumer broke"));
    });

    assertThatThrownBy(() -> join(scan)).hasRootCauseMessage("consumer broke");
    assertThat(pages.get()).isEqualTo(1);
  }

  @Test
  public final void badArgumentsAreRefusedAtOnce() {
    SocketName socket = freshSocket();
    assertThatThrownBy(() -> registry().scan(socket, 0, p -> CompletableFuture.completedFuture(null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pageSize");
    assertThatThrownBy(() -> registry().scan(socket, 10_001, p -> CompletableFuture.completedFuture(null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pageSize");
    assertThatThrownBy(() -> registry().register(null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> registry().find(socket, null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> registry().unregister(null, ConnectionId.of("x"))).isInstanceOf(NullPointerException.class);
  }
}
