package dev.nitricws.domain;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends one prepared message to one connection; what the broadcast service fans out. Must not
 * block: it returns as soon as the send is started.
 */
@FunctionalInterface
public interface Delivery {

  /** Starts the send to {@code id}; the stage says how it ended. */
  CompletionStage<SendOutcome> deliverTo(ConnectionId id);

  /**
   * This delivery with every send bounded: a send not ended within {@code timeout} ends as {@link
   * SendOutcome.Failed} with a {@link TimeoutException} (the connection may still be there, so it
   * is not pruned). A send that throws, fails its stage or answers null ends as {@link
   * SendOutcome.Failed} too; the returned stages never fail.
   */
  default Delivery within(Duration timeout) {
    long nanos = PositiveDuration.require("timeout", timeout).toNanos();
    Delivery inner = this;
    return id -> {
      CompletionStage<SendOutcome> stage;
      try {
        stage = inner.deliverTo(id);
      } catch (RuntimeException e) {
        return CompletableFuture.completedFuture(new SendOutcome.Failed(e));
      }
      if (stage == null) {
        return CompletableFuture.completedFuture(new SendOutcome.Failed(
            new NullPointerException("the delivery to " + id + " returned no stage")));
      }
      CompletableFuture<SendOutcome> bounded = new CompletableFuture<>();
      stage.whenComplete((outcome, error) -> {
        if (error != null) {
          bounded.complete(new SendOutcome.Failed(
              error instanceof CompletionException && error.getCause() != null ? error.getCause() : error));
        } else {
          bounded.complete(outcome != null ? outcome
              : new SendOutcome.Failed(new NullPointerException("the delivery to " + id + " answered null")));
        }
      });
      if (bounded.isDone()) {
        return bounded;
      }
      return bounded.orTimeout(nanos, TimeUnit.NANOSECONDS).exceptionally(error -> {
        // tells a send still waiting to start (for a budget, say) that it need not start any more
        stage.toCompletableFuture().cancel(false);
        return new SendOutcome.Failed(new TimeoutException("no answer from the gateway for " + id + " within " + timeout));
      });
    };
  }
}
