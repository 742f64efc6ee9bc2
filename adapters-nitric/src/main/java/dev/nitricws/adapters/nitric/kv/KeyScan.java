package dev.nitricws.adapters.nitric.kv;

import dev.nitricws.domain.Futures;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysRequest;
import dev.nitricws.proto.kvstore.v1.KvStoreScanKeysResponse;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ScanKeys call read page by page with gRPC flow control: keys are requested {@code
 * pageSize} at a time and more are requested only after the page made of them has been handled
 * (its stage has completed), so at most one page of keys is ever held, whatever the size of the
 * store. Completes {@link #result()} with the sum of what the pages' stages answered.
 *
 * <p>Only keys that start with the prefix make pages. Some runtimes return more: Azure's filters
 * {@code RowKey ge '<prefix>'}, every key sorted at or after the prefix. In sorted order the keys
 * with a prefix come together, so the first key after them ends the scan: the call is cancelled
 * and the scan completes normally once the keys before it are handled. A key that sorts before
 * the prefix cannot come from such a runtime; it is skipped.
 */
final class KeyScan implements ClientResponseObserver<KvStoreScanKeysRequest, KvStoreScanKeysResponse> {

  private static final Logger LOG = LoggerFactory.getLogger(KeyScan.class);

  private final String prefix;
  private final int pageSize;
  private final Function<List<String>, CompletionStage<Integer>> handlePage;
  private final Function<Throwable, RuntimeException> translate;
  private final CompletableFuture<Long> result = new CompletableFuture<>();

  private volatile ClientCallStreamObserver<KvStoreScanKeysRequest> call;
  // guarded by this
  private List<String> buffer;
  private boolean streamEnded;
  private boolean cancelledByUs;
  private boolean busy;
  private boolean finished;
  private long delivered;

  /**
   * @param prefix the prefix the call asks for
   * @param handlePage handles one page of keys (never empty, all with the prefix, in the order
   *     received); completes with how many ids it handed on
   * @param translate turns a failure of the call into the store's exception
   */
  KeyScan(String prefix, int pageSize, Function<List<String>, CompletionStage<Integer>> handlePage,
      Function<Throwable, RuntimeException> translate) {
    this.prefix = prefix;
    this.pageSize = pageSize;
    this.handlePage = handlePage;
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
    String key = response.getKey();
    if (!key.startsWith(prefix)) {
      if (key.compareTo(prefix) > 0) {
        pastThePrefix(key);
      } else {
        LOG.warn("ScanKeys '{}' returned key '{}', which sorts before the prefix; skipped", prefix,
            ConnectionKeys.preview(key));
        call.request(1);
      }
      return;
    }
    List<String> page = null;
    synchronized (this) {
      if (finished || streamEnded) {
        return;
      }
      buffer.add(key);
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
    endOfKeys();
  }

  @Override
  public void onError(Throwable error) {
    synchronized (this) {
      if (cancelledByUs) {
        return;
      }
    }
    fail(translate.apply(error), false);
  }

  /** The first key past the prefix: nothing after it belongs to the scan. */
  private void pastThePrefix(String key) {
    synchronized (this) {
      if (finished || streamEnded) {
        return;
      }
      cancelledByUs = true;
    }
    LOG.debug("ScanKeys '{}' went past the prefix at '{}'; ending the call", prefix, ConnectionKeys.preview(key));
    call.cancel("every key with the prefix has been read", null);
    endOfKeys();
  }

  private void endOfKeys() {
    List<String> page;
    synchronized (this) {
      if (finished || streamEnded) {
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
    CompletionStage<Integer> handled;
    try {
      handled = handlePage.apply(keys);
    } catch (RuntimeException e) {
      handled = CompletableFuture.failedFuture(e);
    }
    handled.whenComplete((count, error) -> {
      if (error != null) {
        fail(Futures.unwrap(error), true);
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
      cancelledByUs |= cancel;
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
