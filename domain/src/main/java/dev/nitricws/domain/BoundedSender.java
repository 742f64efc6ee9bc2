package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Every send and close of an app goes through here on its way to the {@link MessageSender}: it
 * waits (without blocking a thread) for room in the app's {@link SendBudget}, is ended by the send
 * timeout, which counts from asking, and a connection the gateway reports gone is pruned on the way
 * ({@link ConnectionPruner}). The stages never fail: a sender that throws, fails its stage, answers
 * null or does not answer in time yields {@link SendOutcome.Failed} (a timed-out connection may
 * still be there, so it is not pruned).
 */
public final class BoundedSender {

  /** Default longest wait for one send. */
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(10);

  private final MessageSender sender;
  private final ConnectionPruner pruner;
  private final SendBudget budget;
  private final Duration sendTimeout;
  private final long timeoutNanos;
  private final SocketMetrics metrics;

  /** Sends through {@code sender} within {@code budget}, each ended after {@code sendTimeout}. */
  public BoundedSender(MessageSender sender, ConnectionPruner pruner, SendBudget budget, Duration sendTimeout) {
    this(sender, pruner, budget, sendTimeout, SocketMetrics.NONE);
  }

  /**
   * Sends through {@code sender} within {@code budget}, each ended after {@code sendTimeout}; the
   * outcome of every send, and every broadcast through it, goes to {@code metrics}.
   */
  public BoundedSender(MessageSender sender, ConnectionPruner pruner, SendBudget budget, Duration sendTimeout,
      SocketMetrics metrics) {
    this.metrics = requireNonNull(metrics, "metrics");
    this.sender = requireNonNull(sender, "sender");
    this.pruner = requireNonNull(pruner, "pruner");
    this.budget = requireNonNull(budget, "budget");
    this.sendTimeout = PositiveDuration.require("sendTimeout", sendTimeout);
    this.timeoutNanos = sendTimeout.toNanos();
  }

  /** Sends through {@code sender}, pruning from {@code registry}, with a default budget and timeout. */
  public BoundedSender(MessageSender sender, ConnectionRegistry registry) {
    this(sender, new ConnectionPruner(registry), new SendBudget(), DEFAULT_SEND_TIMEOUT);
  }

  /** The longest a send may take before it counts as failed. */
  public Duration sendTimeout() {
    return sendTimeout;
  }

  /** Where the outcomes of sends and broadcasts are reported. */
  public SocketMetrics metrics() {
    return metrics;
  }

  /** A new flow for {@link #send(SocketName, ConnectionId, byte[], Object)}: one per broadcast. */
  public Object flow() {
    return budget.flow();
  }

  /** Sends {@code frozen} (never changed afterwards) to one connection, in a flow of its own. */
  public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] frozen) {
    return send(socket, id, frozen, budget.flow());
  }

  /**
   * Sends {@code frozen} to one connection as part of {@code flow}: the sends of one flow start in
   * the order they ask, and flows take turns by bytes.
   */
  public CompletionStage<SendOutcome> send(SocketName socket, ConnectionId id, byte[] frozen, Object flow) {
    requireNonNull(frozen, "frozen");
    CompletionStage<SendOutcome> sent = bounded(socket, id, frozen.length, flow, () -> sender.send(socket, id, frozen));
    // no stage more per send when nothing is recorded
    return metrics == SocketMetrics.NONE ? sent : sent.whenComplete((outcome, error) -> {
      if (outcome != null) {
        metrics.sent(socket, outcome);
      }
    });
  }

  /** Closes one connection from the server side. */
  public CompletionStage<SendOutcome> close(SocketName socket, ConnectionId id) {
    return bounded(socket, id, 0, budget.flow(), () -> sender.close(socket, id));
  }

  private CompletionStage<SendOutcome> bounded(SocketName socket, ConnectionId id, long payloadBytes, Object flow,
      Supplier<CompletionStage<SendOutcome>> call) {
    requireNonNull(socket, "socket");
    requireNonNull(id, "id");
    CompletableFuture<SendOutcome> queued = budget.submit(flow, payloadBytes, () -> attempt(id, call));
    CompletionStage<SendOutcome> ended = queued.isDone() ? queued : queued.copy()
        .orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
        .exceptionally(error -> {
          // tells a send still waiting for the budget that it need not start any more
          queued.cancel(false);
          return new SendOutcome.Failed(new TimeoutException(
              "no answer from the gateway for " + id + " within " + sendTimeout));
        });
    return ended.thenCompose(outcome -> pruner.afterSend(socket, id, outcome));
  }

  /** One call to the sender, as a stage that never fails. */
  private static CompletionStage<SendOutcome> attempt(ConnectionId id, Supplier<CompletionStage<SendOutcome>> call) {
    CompletionStage<SendOutcome> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(new SendOutcome.Failed(e));
    }
    if (stage == null) {
      return CompletableFuture.completedFuture(
          new SendOutcome.Failed(new NullPointerException("the sender returned no stage for " + id)));
    }
    return stage.handle((outcome, error) -> {
      if (error != null) {
        return new SendOutcome.Failed(Futures.unwrap(error));
      }
      return outcome != null ? outcome
          : new SendOutcome.Failed(new NullPointerException("the sender answered null for " + id));
    });
  }
}
