package dev.nitricws.ports;

import dev.nitricws.domain.Futures;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs asynchronous tasks one at a time per key, in submission order, and concurrently across
 * keys. Keys with nothing queued take no memory. Never blocks.
 */
final class KeyedSequencer<K> {

  private final ConcurrentHashMap<K, CompletableFuture<?>> tails = new ConcurrentHashMap<>();

  /** Starts {@code task} once every earlier task of {@code key} has ended (well or not). */
  <T> CompletionStage<T> submit(K key, Supplier<CompletionStage<T>> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletableFuture<?> previous = tails.put(key, result);
    Runnable start = () -> {
      try {
        Futures.forward(task.get(), result);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
      }
    };
    if (previous == null) {
      start.run();
    } else {
      previous.whenComplete((v, e) -> start.run());
    }
    result.whenComplete((v, e) -> tails.remove(key, result));
    return result;
  }
}
