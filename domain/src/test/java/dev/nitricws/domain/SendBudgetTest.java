package dev.nitricws.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SendBudgetTest {

  private static final int MB = 1 << 20;

  /** A gateway that answers each send only when told to. */
  private static final class HeldSends implements Delivery {
    final List<ConnectionId> started = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<SendOutcome>> answers = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<SendOutcome> deliverTo(ConnectionId id) {
      started.add(id);
      CompletableFuture<SendOutcome> answer = new CompletableFuture<>();
      answers.add(answer);
      return answer;
    }
  }

  @Test
  void onlyAsManyBytesAsTheBudgetHoldsAreInFlightAndTheRestStartInOrder() {
    HeldSends gateway = new HeldSends();
    Delivery limited = new SendBudget(4L * MB).limit(gateway, MB - SendBudget.PER_SEND);

    List<CompletionStage<SendOutcome>> sends = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sends.add(limited.deliverTo(ConnectionId.of("c" + i)));
    }

    assertThat(gateway.started).extracting(ConnectionId::value).containsExactly("c0", "c1", "c2", "c3");
    gateway.answers.get(1).complete(SendOutcome.DELIVERED);
    assertThat(gateway.started).extracting(ConnectionId::value).containsExactly("c0", "c1", "c2", "c3", "c4");
    assertThat(sends.get(1).toCompletableFuture()).isCompletedWithValue(SendOutcome.DELIVERED);
    assertThat(sends.get(5).toCompletableFuture()).isNotDone();
  }

  @Test
  void aSendWhoseDeadlinePassedWhileWaitingIsNeverStarted() {
    HeldSends gateway = new HeldSends();
    SendBudget budget = new SendBudget(MB);
    Delivery big = budget.limit(gateway, MB);
    big.deliverTo(ConnectionId.of("first"));

    CompletionStage<SendOutcome> late = big.within(Duration.ofMillis(50)).deliverTo(ConnectionId.of("late"));

    assertThat(late.toCompletableFuture()).succeedsWithin(5, TimeUnit.SECONDS)
        .isInstanceOf(SendOutcome.Failed.class);
    gateway.answers.get(0).complete(SendOutcome.DELIVERED);
    assertThat(gateway.started).extracting(ConnectionId::value).containsExactly("first");
    // the room the late send would have taken is free again
    big.deliverTo(ConnectionId.of("next"));
    assertThat(gateway.started).extracting(ConnectionId::value).containsExactly("first", "next");
  }

  @Test
  void aLongChainOfSendsThatEndAtOnceDoesNotGrowTheStack() {
    HeldSends first = new HeldSends();
    SendBudget budget = new SendBudget(64 * 1024);
    Delivery blocker = budget.limit(first, 64 * 1024);
    blocker.deliverTo(ConnectionId.of("blocker"));
    Delivery instant = budget.limit(id -> CompletableFuture.completedFuture(SendOutcome.DELIVERED), 64 * 1024);
    List<CompletionStage<SendOutcome>> queued = new ArrayList<>();
    for (int i = 0; i < 200_000; i++) {
      queued.add(instant.deliverTo(ConnectionId.of("q" + i)));
    }

    first.answers.get(0).complete(SendOutcome.DELIVERED);

    assertThat(queued).allSatisfy(s -> assertThat(s.toCompletableFuture()).isCompletedWithValue(SendOutcome.DELIVERED));
  }

  @Test
  void aSenderThatThrowsOrFailsStillEndsAndReturnsItsRoom() {
    SendBudget budget = new SendBudget(64 * 1024);
    Delivery throwing = budget.limit(id -> {
      throw new IllegalStateException("broken");
    }, 64 * 1024);
    Delivery failing = budget.limit(id -> CompletableFuture.failedFuture(new IllegalStateException("failed")), 64 * 1024);

    assertThat(throwing.deliverTo(ConnectionId.of("a")).toCompletableFuture().join()).isInstanceOf(SendOutcome.Failed.class);
    assertThat(failing.deliverTo(ConnectionId.of("b")).toCompletableFuture().join()).isInstanceOf(SendOutcome.Failed.class);
    assertThat(budget.limit(id -> CompletableFuture.completedFuture(SendOutcome.DELIVERED), 64 * 1024)
        .deliverTo(ConnectionId.of("c")).toCompletableFuture()).isCompletedWithValue(SendOutcome.DELIVERED);
    assertThatThrownBy(() -> new SendBudget(1024)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65536");
  }

  @Test
  void aShortBroadcastTakesItsTurnInsteadOfWaitingBehindAFloodOfLargeSends() {
    HeldSends gateway = new HeldSends();
    SendBudget budget = new SendBudget(MB);
    Delivery flood = budget.limit(gateway, 100 * 1024);
    for (int i = 0; i < 100; i++) {
      flood.deliverTo(ConnectionId.of("flood" + i)); // about 10 start, 90 wait
    }
    Delivery chat = budget.limit(gateway, 10);
    chat.deliverTo(ConnectionId.of("chat-a"));
    chat.deliverTo(ConnectionId.of("chat-b"));
    int startedBefore = gateway.started.size();

    gateway.answers.get(0).complete(SendOutcome.DELIVERED);
    gateway.answers.get(1).complete(SendOutcome.DELIVERED);

    assertThat(gateway.started.subList(startedBefore, gateway.started.size())).extracting(ConnectionId::value)
        .as("started after the first sends of the flood ended").contains("chat-a", "chat-b").hasSizeLessThan(5);
  }
}
