package dev.nitricws.domain;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Small helpers for the stages every port returns. */
public final class Futures {

  private Futures() {}

  /**
   * The error a stage failed with, without the {@link CompletionException} or {@link
   * ExecutionException} wrappers that {@code join}, {@code get} and dependent stages put around it.
   */
  public static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * {@code stage} as code outside the library sees it: a stage that completes on {@code executor},
   * so that what the caller chains to it never runs on the I/O thread that completed the work (a
   * transport's event loop, which must not block); {@code stage} itself when it has already
   * completed (chained work then runs on the caller's thread, as for any completed stage). Should
   * {@code executor} refuse the hand-off (it is shut down), the stage completes on the thread that
   * completed the work.
   */
  public static <T> CompletionStage<T> completingOn(Executor executor, CompletionStage<T> stage) {
    if (stage instanceof CompletableFuture<T> f && f.isDone()) {
      return stage;
    }
    CompletableFuture<T> handed = new CompletableFuture<>();
    stage.whenComplete((value, error) -> {
      Runnable complete = () -> {
        if (error != null) {
          handed.completeExceptionally(error);
        } else {
          handed.complete(value);
        }
      };
      try {
        executor.execute(complete);
      } catch (RejectedExecutionException shutDown) {
        complete.run();
      }
    });
    return handed;
  }

  /**
   * A future that completes as {@code stage} does, which callers may complete or cancel without
   * touching {@code stage} (a caller's own stage may not support that).
   */
  public static <T> CompletableFuture<T> copy(CompletionStage<T> stage) {
    CompletableFuture<T> copy = new CompletableFuture<>();
    forward(stage, copy);
    return copy;
  }

  /** Completes {@code target} as {@code source} completes, with its value or its error. */
  public static <T> void forward(CompletionStage<? extends T> source, CompletableFuture<T> target) {
    source.whenComplete((value, error) -> {
      if (error != null) {
        target.completeExceptionally(error);
      } else {
        target.complete(value);
      }
    });
  }
}
