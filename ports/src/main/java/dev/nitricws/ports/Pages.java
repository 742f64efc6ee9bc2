package dev.nitricws.ports;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.SocketName;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The page loop behind {@link dev.nitricws.domain.ConnectionRegistry#scan}, for stores that page
 * by key: it fetches a page after the last id seen, hands it to the consumer, waits for the
 * consumer, and goes on until a page says it is the last. Pages are never empty when handed on.
 * The loop does not grow the stack when stages complete at once.
 */
public final class Pages {

  /** The largest page size a scan accepts. */
  public static final int MAX_PAGE_SIZE = 10_000;

  private Pages() {}

  /** One fetched page: its ids and whether more may follow. */
  public record Page(List<ConnectionId> ids, boolean more) {}

  /** A page after which more may follow. */
  public static Page more(List<ConnectionId> ids) {
    return new Page(ids, !ids.isEmpty());
  }

  /** The last page. */
  public static Page last(List<ConnectionId> ids) {
    return new Page(ids, false);
  }

  /** The argument checks every {@code scan} makes: non-null socket and consumer, a page size in range. */
  public static void checkScan(SocketName socket, int pageSize, Function<List<ConnectionId>, CompletionStage<?>> onPage) {
    java.util.Objects.requireNonNull(socket, "socket");
    java.util.Objects.requireNonNull(onPage, "onPage");
    checkPageSize(pageSize);
  }

  /** Throws when {@code pageSize} is outside 1..{@value #MAX_PAGE_SIZE}. */
  public static void checkPageSize(int pageSize) {
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("pageSize must be between 1 and " + MAX_PAGE_SIZE + ", got " + pageSize);
    }
  }

  /**
   * Runs the loop: {@code fetchAfter} gets the page after an id (null: the first page). Completes
   * with the number of ids handed to {@code onPage}.
   */
  public static CompletionStage<Long> drive(
      Function<List<ConnectionId>, CompletionStage<?>> onPage,
      Function<ConnectionId, CompletionStage<Page>> fetchAfter) {
    CompletableFuture<Long> done = new CompletableFuture<>();
    new Loop(onPage, fetchAfter, done).next(null, 0);
    return done;
  }

  private static final class Loop {
    private final Function<List<ConnectionId>, CompletionStage<?>> onPage;
    private final Function<ConnectionId, CompletionStage<Page>> fetchAfter;
    private final CompletableFuture<Long> done;

    Loop(Function<List<ConnectionId>, CompletionStage<?>> onPage,
        Function<ConnectionId, CompletionStage<Page>> fetchAfter, CompletableFuture<Long> done) {
      this.onPage = onPage;
      this.fetchAfter = fetchAfter;
      this.done = done;
    }

    void next(ConnectionId after, long delivered) {
      ConnectionId cursor = after;
      long count = delivered;
      while (true) {
        CompletableFuture<Page> fetched;
        try {
          fetched = fetchAfter.apply(cursor).toCompletableFuture();
        } catch (RuntimeException e) {
          done.completeExceptionally(e);
          return;
        }
        if (!fetched.isDone()) {
          long soFar = count;
          fetched.whenComplete((page, error) -> {
            if (error != null) {
              done.completeExceptionally(error);
            } else {
              consume(page, soFar);
            }
          });
          return;
        }
        Page page;
        try {
          page = fetched.join();
        } catch (RuntimeException e) {
          done.completeExceptionally(e.getCause() != null ? e.getCause() : e);
          return;
        }
        CompletableFuture<?> consumed = hand(page);
        if (consumed == null) {
          done.complete(count);
          return;
        }
        long total = count + page.ids().size();
        ConnectionId last = page.ids().get(page.ids().size() - 1);
        if (!consumed.isDone() || consumed.isCompletedExceptionally() || !page.more()) {
          consumed.whenComplete((v, error) -> after(error, page, last, total));
          return;
        }
        cursor = last;
        count = total;
      }
    }

    private void consume(Page page, long count) {
      CompletableFuture<?> consumed = hand(page);
      if (consumed == null) {
        done.complete(count);
        return;
      }
      long total = count + page.ids().size();
      ConnectionId last = page.ids().get(page.ids().size() - 1);
      consumed.whenComplete((v, error) -> after(error, page, last, total));
    }

    private void after(Throwable error, Page page, ConnectionId last, long total) {
      if (error != null) {
        done.completeExceptionally(error);
      } else if (page.more()) {
        next(last, total);
      } else {
        done.complete(total);
      }
    }

    /** Hands a non-empty page on; null when the page is empty (the scan is over). */
    private CompletableFuture<?> hand(Page page) {
      if (page.ids().isEmpty()) {
        return null;
      }
      try {
        CompletionStage<?> stage = onPage.apply(List.copyOf(page.ids()));
        return stage == null ? CompletableFuture.completedFuture(null) : stage.toCompletableFuture();
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }
}
