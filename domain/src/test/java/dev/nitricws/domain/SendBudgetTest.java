package dev.nitricws.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The send budget and deadline, as every send meets them: through the {@link BoundedSender}. */
class SendBudgetTest {

  private static final int MB = 1 << 20;
  private static final SocketName CHAT = SocketName.of("chat");
  private static final Duration LONG = Duration.ofMinutes(1);

  private static BoundedSender bounded(MessageSender gateway, long budgetBytes, Duration timeout) {
    return new BoundedSender(gateway, new ConnectionPruner(new TestRegistry()), new SendBudget(budgetBytes), timeout);
  }

  private static ConnectionId id(String value) {
    return ConnectionId.of(value);
  }

  @Test
  void onlyAsManyBytesAsTheBudgetHoldsAreInFlightAndTheRestStartInOrder() {
    ScriptedSender gateway = ScriptedSender.holding();
    BoundedSender sender = bounded(gateway, 4L * MB, LONG);
    byte[] payload = new byte[(int) (MB - SendBudget.PER_SEND)];
    Object flow = sender.flow();

    List<CompletionStage<SendOutcome>> sends = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sends.add(sender.send(CHAT, id("c" + i), payload, flow));
    }

    assertThat(gateway.started).extracting(ConnectionId::value).containsExactly("c0", "c1", "c2", "c3");
    gateway.held.get(1).complete(SendOutcome.DELIVERED);
    assertThat(gateway.started).extracting(ConnectionId::value).containsExactly("c0", "c1", "c2", "c3", "c4");
    assertThat(sends.get(1).toCompletableFuture()).isCompletedWithValue(SendOutcome.DELIVERED);
    assertThat(sends.get(5).toCompletableFuture()).isNotDone();
  }

  @Test
  void aSendWhoseDeadlinePassedWhileWaitingIsNeverStarted() {
    ScriptedSender gateway = ScriptedSender.holding();
    BoundedSender sender = bounded(gateway, 64 * 1024, Duration.ofMillis(50));
    byte[] big = new byte[64 * 1024];
    sender.send(CHAT, id("first"), big);

    CompletionStage<SendOutcome> late = sender.send(CHAT, id("late"), big);

    assertThat(late.toCompletableFuture()).succeedsWithin(5, TimeUnit.SECONDS)
        .isInstanceOf(SendOutcome.Failed.class);
    gateway.held.get(0).complete(SendOutcome.DELIVERED);
    assertThat(gateway.started).extracting(ConnectionId::value).containsExactly("first");
    // the room the late send would have taken is free again
    sender.send(CHAT, id("next"), big);
    assertThat(gateway.started).extracting(ConnectionId::value).containsExactly("first", "next");
  }

  @Test
  void aLongChainOfSendsThatEndAtOnceDoesNotGrowTheStack() {
    CompletableFuture<SendOutcome> blocker = new CompletableFuture<>();
    ScriptedSender gateway = new ScriptedSender(id -> id.value().equals("blocker") ? blocker
        : CompletableFuture.completedFuture(SendOutcome.DELIVERED));
    BoundedSender sender = bounded(gateway, 64 * 1024, LONG);
    byte[] payload = new byte[64 * 1024];
    Object flow = sender.flow();
    sender.send(CHAT, id("blocker"), payload, flow);
    List<CompletionStage<SendOutcome>> queued = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      queued.add(sender.send(CHAT, id("q" + i), payload, flow));
    }

    blocker.complete(SendOutcome.DELIVERED);

    assertThat(queued).allSatisfy(s -> assertThat(s.toCompletableFuture()).isCompletedWithValue(SendOutcome.DELIVERED));
  }

  @Test
  void aSenderThatThrowsFailsOrAnswersNullStillEndsAndReturnsItsRoom() {
    ScriptedSender gateway = new ScriptedSender(id -> switch (id.value()) {
      case "a" -> throw new IllegalStateException("broken");
      case "b" -> CompletableFuture.failedFuture(new IllegalStateException("failed"));
      case "c" -> null;
      case "d" -> CompletableFuture.completedFuture(null);
      default -> CompletableFuture.completedFuture(SendOutcome.DELIVERED);
    });
    BoundedSender sender = bounded(gateway, 64 * 1024, LONG);
    byte[] payload = new byte[64 * 1024];

    for (String failing : List.of("a", "b", "c", "d")) {
      assertThat(sender.send(CHAT, id(failing), payload).toCompletableFuture().join())
          .as(failing).isInstanceOf(SendOutcome.Failed.class);
    }
    assertThat(sender.send(CHAT, id("e"), payload).toCompletableFuture()).isCompletedWithValue(SendOutcome.DELIVERED);
    assertThatThrownBy(() -> new SendBudget(1024)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("65536");
  }

  @Test
  void aShortBroadcastTakesItsTurnInsteadOfWaitingBehindAFloodOfLargeSends() {
    ScriptedSender gateway = ScriptedSender.holding();
    BoundedSender sender = bounded(gateway, MB, LONG);
    Object flood = sender.flow();
    for (int i = 0; i < 100; i++) {
      sender.send(CHAT, id("flood" + i), new byte[100 * 1024], flood); // about 10 start, 90 wait
    }
    Object chat = sender.flow();
    sender.send(CHAT, id("chat-a"), new byte[10], chat);
    sender.send(CHAT, id("chat-b"), new byte[10], chat);
    int startedBefore = gateway.started.size();

    gateway.held.get(0).complete(SendOutcome.DELIVERED);
    gateway.held.get(1).complete(SendOutcome.DELIVERED);

    assertThat(gateway.started.subList(startedBefore, gateway.started.size())).extracting(ConnectionId::value)
        .as("started after the first sends of the flood ended").contains("chat-a", "chat-b").hasSizeLessThan(5);
  }
}
