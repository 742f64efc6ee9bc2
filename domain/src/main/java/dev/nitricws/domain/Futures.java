package dev.nitricws.domain;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

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
