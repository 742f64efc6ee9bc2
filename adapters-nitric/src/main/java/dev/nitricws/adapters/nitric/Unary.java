package dev.nitricws.adapters.nitric;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Function;

/** A unary gRPC call of an async stub as a future: the one place that turns a StreamObserver into a stage. */
public final class Unary {

  private Unary() {}

  /**
   * Calls {@code method} (e.g. {@code stub::getValue}) with {@code request}. The future completes
   * with the answer (null when the server completed without one), or fails with the call's error,
   * also when starting the call throws.
   */
  public static <Q, R> CompletableFuture<R> call(BiConsumer<Q, StreamObserver<R>> method, Q request) {
    return call(method, request, Function.identity());
  }

  /** As {@link #call(BiConsumer, Object)}, failing with {@code onError} of the call's error instead. */
  public static <Q, R> CompletableFuture<R> call(BiConsumer<Q, StreamObserver<R>> method, Q request,
      Function<Throwable, ? extends Throwable> onError) {
    CompletableFuture<R> result = new CompletableFuture<>();
    try {
      method.accept(request, new StreamObserver<>() {
        private R value;

        @Override
        public void onNext(R v) {
          value = v;
        }

        @Override
        public void onError(Throwable t) {
          result.completeExceptionally(onError.apply(t));
        }

        @Override
        public void onCompleted() {
          result.complete(value);
        }
      });
    } catch (RuntimeException e) {
      result.completeExceptionally(onError.apply(e));
    }
    return result;
  }
}
