package dev.nitricws.domain;

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
    new Loop(onPage, fetchAfter, done).run(new Step(null, 0));
    return done;
  }

  /** Where the loop stands: the last id handed on (null: none yet) and how many were. */
  private record Step(ConnectionId after, long delivered) {}

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

    /** Goes on from {@code step}, looping (not recursing) while stages complete at once. */
    void run(Step step) {
      Step next = step;
      while (next != null) {
        next = fetchAndHandOn(next);
      }
    }

    /** One page; the next step if everything completed at once, else null (a callback goes on). */
    private Step fetchAndHandOn(Step step) {
      CompletableFuture<Page> fetched = guard(() -> fetchAfter.apply(step.after()));
      if (fetched.isDone() && !fetched.isCompletedExceptionally()) {
        return handOn(fetched.join(), step.delivered());
      }
      fetched.whenComplete((page, error) -> {
        if (error != null) {
          fail(error);
        } else {
          run(handOn(page, step.delivered()));
        }
      });
      return null;
    }

    /** Hands a page to the consumer; the next step if it finished at once and more may follow. */
    private Step handOn(Page page, long delivered) {
      if (page.ids().isEmpty()) {
        done.complete(delivered);
        return null;
      }
      Step next = new Step(page.ids().get(page.ids().size() - 1), delivered + page.ids().size());
      CompletableFuture<?> consumed = guard(() -> onPage.apply(List.copyOf(page.ids())));
      if (consumed.isDone() && !consumed.isCompletedExceptionally()) {
        return proceed(page, next);
      }
      consumed.whenComplete((v, error) -> {
        if (error != null) {
          fail(error);
        } else {
          run(proceed(page, next));
        }
      });
      return null;
    }

    private Step proceed(Page page, Step next) {
      if (page.more()) {
        return next;
      }
      done.complete(next.delivered());
      return null;
    }

    private void fail(Throwable error) {
      done.completeExceptionally(Futures.unwrap(error));
    }

    /** The stage {@code call} returns; a throw or a null stage become a failed or empty one. */
    private static <T> CompletableFuture<T> guard(java.util.function.Supplier<CompletionStage<T>> call) {
      try {
        CompletionStage<T> stage = call.get();
        return stage == null ? CompletableFuture.completedFuture(null) : stage.toCompletableFuture();
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }
}
