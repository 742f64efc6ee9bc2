package dev.nitricws.adapters.nitric;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * One ScanKeys call read page by page with gRPC flow control: keys are requested {@code
 * pageSize} at a time and more are requested only after the page made of them has been checked
 * and its consumer's stage has completed, so at most one page of keys is ever held, whatever the
 * size of the store. Completes {@link #result()} with the number of ids handed on.
 */
final class KeyScan implements ClientResponseObserver<KvStoreScanKeysRequest, KvStoreScanKeysResponse> {

  private final int pageSize;
  private final Function<List<String>, CompletionStage<List<ConnectionId>>> liveIds;
  private final Function<List<ConnectionId>, CompletionStage<?>> onPage;
  private final Function<Throwable, RuntimeException> translate;
  private final CompletableFuture<Long> result = new CompletableFuture<>();

  private volatile ClientCallStreamObserver<KvStoreScanKeysRequest> call;
  // guarded by this
  private List<String> buffer;
  private boolean streamEnded;
  private boolean busy;
  private boolean finished;
  private long delivered;

  /**
   * @param liveIds the ids of the keys of a page whose entries are live (in key order)
   * @param onPage the consumer
   * @param translate turns a failure of the call into the store's exception
   */
  KeyScan(int pageSize, Function<List<String>, CompletionStage<List<ConnectionId>>> liveIds,
      Function<List<ConnectionId>, CompletionStage<?>> onPage, Function<Throwable, RuntimeException> translate) {
    this.pageSize = pageSize;
    this.liveIds = liveIds;
    this.onPage = onPage;
    this.translate = translate;
    this.buffer = new ArrayList<>(Math.min(pageSize, 1024));
  }

  CompletableFuture<Long> result() {
    return result;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<KvStoreScanKeysRequest> requestStream) {
    this.call = requestStream;
    requestStream.disableAutoRequestWithInitial(pageSize);
  }

  @Override
  public void onNext(KvStoreScanKeysResponse response) {
    List<String> page = null;
    synchronized (this) {
      if (finished) {
        return;
      }
      buffer.add(response.getKey());
      if (!busy && buffer.size() >= pageSize) {
        page = take();
      }
    }
    if (page != null) {
      process(page);
    }
  }

  @Override
  public void onCompleted() {
    List<String> page;
    synchronized (this) {
      if (finished) {
        return;
      }
      streamEnded = true;
      if (busy) {
        return;
      }
      page = take();
    }
    process(page);
  }

  @Override
  public void onError(Throwable error) {
    fail(translate.apply(error), false);
  }

  /** Takes the buffered keys as the next page and marks a page in progress; holds the lock. */
  private List<String> take() {
    List<String> page = buffer;
    buffer = new ArrayList<>(Math.min(pageSize, 1024));
    busy = true;
    return page;
  }

  private void process(List<String> keys) {
    if (keys.isEmpty()) {
      finish();
      return;
    }
    CompletionStage<Integer> handed;
    try {
      handed = liveIds.apply(keys).thenCompose(ids -> {
        if (ids.isEmpty()) {
          return CompletableFuture.completedFuture(0);
        }
        CompletionStage<?> consumed = onPage.apply(List.copyOf(ids));
        return consumed == null ? CompletableFuture.completedFuture(ids.size()) : consumed.thenApply(x -> ids.size());
      });
    } catch (RuntimeException e) {
      handed = CompletableFuture.failedFuture(e);
    }
    handed.whenComplete((count, error) -> {
      if (error != null) {
        fail(error instanceof CompletionException && error.getCause() != null ? error.getCause() : error, true);
      } else {
        afterPage(count);
      }
    });
  }

  private void afterPage(int count) {
    List<String> page = null;
    int more = 0;
    synchronized (this) {
      delivered += count;
      if (finished) {
        return;
      }
      if (streamEnded || buffer.size() >= pageSize) {
        page = take();
      } else {
        busy = false;
        more = pageSize - buffer.size();
      }
    }
    if (page != null) {
      process(page);
    } else {
      call.request(more);
    }
  }

  private void finish() {
    long total;
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      total = delivered;
    }
    result.complete(total);
  }

  private void fail(Throwable error, boolean cancel) {
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      buffer = List.of();
    }
    if (cancel) {
      ClientCallStreamObserver<KvStoreScanKeysRequest> c = call;
      if (c != null) {
        c.cancel("the scan stopped", null);
      }
    }
    result.completeExceptionally(error);
  }
}
