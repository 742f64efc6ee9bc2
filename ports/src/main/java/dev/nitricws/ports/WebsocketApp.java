package dev.nitricws.ports;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.BoundedSender;
import dev.nitricws.domain.Broadcaster;
import dev.nitricws.domain.Connection;
import dev.nitricws.domain.ConnectionGroups;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.ConnectionPruner;
import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.domain.ConnectionTracker;
import dev.nitricws.domain.Futures;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.LogText;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.PositiveDuration;
import dev.nitricws.domain.SendBudget;
import dev.nitricws.domain.Shutdown;
import dev.nitricws.domain.SocketEvent;
import dev.nitricws.domain.SocketMetrics;
import dev.nitricws.domain.SocketName;
import dev.nitricws.domain.SocketUrls;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A websocket application: the sockets it serves with their handlers, over one registry and one
 * sender. It is the {@link SocketEvents} inbound port an event source feeds, and gives each
 * socket's {@link Websocket} to code that sends from anywhere.
 *
 * <p>Per event: handlers run on the app's executor (never the caller's thread), one event at a
 * time per connection, with a timeout. A connect is registered after its handler accepts it; a
 * disconnect is unregistered before its handler runs. Every event gets an answer.
 */
public final class WebsocketApp implements SocketEvents, AutoCloseable {

  private static final System.Logger LOG = System.getLogger(WebsocketApp.class.getName());

  /**
   * How long the app takes at most to answer an event, unless the builder says otherwise. It must
   * stay below the event source's answer timeout, which stays below the runtime's own.
   */
  public static final Duration DEFAULT_HANDLER_TIMEOUT = Duration.ofSeconds(10);

  /** How many connections' attributes the app keeps in memory unless the builder says otherwise. */
  public static final int DEFAULT_ATTRIBUTE_CACHE_SIZE = 100_000;

  private final Map<SocketName, Served> sockets;
  private final ConnectionTracker tracker;
  private final ExecutorService executor;
  private final boolean ownsExecutor;
  private final ExecutorService ownCallbacks;
  private final Duration handlerTimeout;
  private final KeyedSequencer<Key> sequencer = new KeyedSequencer<>();
  private final ConnectionRegistry registry;
  private final AttributeCache<Key> attributes;
  private final SocketMetrics metrics;
  private final ConnectionScope scope;

  private WebsocketApp(Builder b) {
    this.tracker = new ConnectionTracker(b.registry, b.clock, b.maxConnectionLife);
    this.ownsExecutor = b.executor == null;
    this.executor = ownsExecutor ? defaultExecutor(b.handlerThreads) : b.executor;
    this.ownCallbacks = b.callbacks == null ? callbackExecutor() : null;
    Executor callbacks = b.callbacks != null ? b.callbacks : ownCallbacks;
    this.handlerTimeout = b.handlerTimeout;
    this.registry = b.registry;
    this.attributes = new AttributeCache<>(b.attributeCacheSize);
    ConnectionGroups groups = b.groups != null ? b.groups : b.registry instanceof ConnectionGroups g ? g : null;
    this.metrics = b.metrics;
    this.scope = b.scope;
    BoundedSender sender = new BoundedSender(b.sender, new ConnectionPruner(b.registry),
        new SendBudget(b.maxBytesInFlight), b.sendTimeout, b.metrics);
    Broadcaster broadcaster = new Broadcaster(b.registry, sender, b.broadcastPageSize, b.maxSendsInFlight);
    Map<SocketName, Served> map = new LinkedHashMap<>();
    b.handlers.forEach((name, handler) ->
        map.put(name, new Served(new Websocket(name, b.registry, groups, sender, broadcaster, b.urls, b.json, callbacks),
            ScopedHandler.of(b.scope, handler))));
    this.sockets = Collections.unmodifiableMap(map);
  }

  /** Starts building an app over {@code registry} that sends with {@code sender}. */
  public static Builder builder(ConnectionRegistry registry, MessageSender sender) {
    return new Builder(registry, sender);
  }

  @Override
  public Set<SocketName> sockets() {
    return sockets.keySet();
  }

  /** The socket named {@code name}, to send or broadcast from anywhere. */
  public Websocket websocket(SocketName name) {
    Served served = sockets.get(requireNonNull(name, "name"));
    if (served == null) {
      throw new IllegalArgumentException("socket '" + name + "' is not served by this app; it serves " + sockets.keySet());
    }
    return served.socket;
  }

  /** The socket named {@code name}. */
  public Websocket websocket(String name) {
    return websocket(SocketName.of(name));
  }

  @Override
  public CompletionStage<EventAnswer> handle(SocketEvent event) {
    requireNonNull(event, "event");
    Served served = sockets.get(event.socket());
    if (served == null) {
      inScope(event, () -> LOG.log(Level.WARNING, "{0}: this app does not serve that socket", event.describe()));
      return CompletableFuture.completedFuture(
          event instanceof SocketEvent.Connect ? EventAnswer.FAILED : EventAnswer.ACCEPT);
    }
    Key key = new Key(event.socket(), event.connectionId());
    return sequencer.submit(key, () -> dispatch(served, event, key))
        .exceptionally(error -> {
          inScope(event, () -> LOG.log(Level.ERROR, event.describe() + " failed: " + LogText.escape(error), error));
          return event instanceof SocketEvent.Connect ? EventAnswer.FAILED : EventAnswer.ACCEPT;
        }).whenComplete((answer, error) -> metrics.eventAnswered(event, answer != null && !answer.rejects()));
  }

  private CompletionStage<EventAnswer> dispatch(Served served, SocketEvent event, Key key) {
    long deadline = System.nanoTime() + handlerTimeout.toNanos();
    if (event instanceof SocketEvent.Connect connect) {
      ConnectingContext context = new ConnectingContext(served.socket, connect, served.handler::onError);
      return runHandler(event, context, () -> served.handler.onConnect(context), deadline).thenCompose(ok -> {
        if (!ok) {
          return CompletableFuture.<EventAnswer>completedFuture(EventAnswer.FAILED);
        }
        if (context.rejection().isPresent()) {
          EventAnswer.Reject reject = context.rejection().orElseThrow();
          inScope(connect, () -> LOG.log(Level.DEBUG, "connection {0} on {1} rejected with {2}: {3}",
              connect.connectionId(), connect.socket(), reject.status(), LogText.escape(reject.reason())));
          return CompletableFuture.<EventAnswer>completedFuture(reject);
        }
        return register(served, connect, context, deadline);
      });
    }
    if (event instanceof SocketEvent.Disconnect disconnect) {
      return attributesOf(key, deadline, true).thenCompose(found -> {
        HandlerContext context = new HandlerContext(served.socket, disconnect.connectionId(), found, served.handler::onError);
        return tracker.disconnected(disconnect)
            .handle((removed, error) -> {
              if (error != null) {
                inScope(disconnect, () -> LOG.log(Level.WARNING, "could not unregister " + disconnect.connectionId()
                    + " on " + disconnect.socket() + "; the entry will expire: " + LogText.escape(error), error));
              }
              return null;
            })
            .thenCompose(ignored -> runHandler(event, context, () -> served.handler.onDisconnect(context), deadline));
      }).thenApply(ok -> EventAnswer.ACCEPT);
    }
    SocketEvent.Message message = (SocketEvent.Message) event;
    return attributesOf(key, deadline, false).thenCompose(found -> {
      MessagingContext context = new MessagingContext(served.socket, message, found, served.handler::onError);
      return runHandler(event, context, () -> served.handler.onMessage(context), deadline);
    }).thenApply(ok -> EventAnswer.ACCEPT);
  }

  /**
   * The attributes of a connection: from the cache, or read from the registry once (and cached,
   * unless {@code forget}: a disconnect takes them out of the cache).
   */
  private CompletionStage<HandlerContext.KnownAttributes> attributesOf(Key key, long deadline, boolean forget) {
    Map<String, String> cached = forget ? attributes.remove(key) : attributes.get(key);
    if (cached != null) {
      return CompletableFuture.completedFuture(HandlerContext.KnownAttributes.of(cached));
    }
    CompletionStage<HandlerContext.KnownAttributes> read = lookUpAttributes(key, deadline);
    return forget ? read : read.thenApply(found -> {
      if (found.failure() == null) {
        attributes.put(key, found.values());
      }
      return found;
    });
  }

  /**
   * The attributes of a connection this instance has not cached (accepted by another instance, or
   * evicted), read from the registry within the event's deadline. A connection the registry no
   * longer holds has none; a failed read is kept, so only a handler that reads an attribute fails.
   */
  private CompletionStage<HandlerContext.KnownAttributes> lookUpAttributes(Key key, long deadline) {
    CompletionStage<Optional<Connection>> found;
    try {
      found = registry.find(key.socket(), key.id());
    } catch (RuntimeException e) {
      found = CompletableFuture.failedFuture(e);
    }
    return found.toCompletableFuture()
        .orTimeout(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
        .handle((connection, error) -> error == null
            ? HandlerContext.KnownAttributes.of(connection.map(Connection::attributes).orElse(Map.of()))
            : new HandlerContext.KnownAttributes(null, Futures.unwrap(error)));
  }

  /**
   * Registers an accepted connect, answering ACCEPT only if the registration ends before {@code
   * deadline} (System.nanoTime): the whole connect stays within the handler timeout, so the app
   * answers before the event source and the runtime give up. A registration that fails, or ends
   * after the app has answered {@link EventAnswer#FAILED}, is undone: the gateway refused that client, and an entry
   * for it would be broadcast to until it expired.
   */
  private CompletionStage<EventAnswer> register(Served served, SocketEvent.Connect connect, ConnectingContext context,
      long deadline) {
    CompletableFuture<EventAnswer> answer = new CompletableFuture<>();
    CompletionStage<Connection> registration;
    try {
      List<GroupName> groups = context.groupsToJoin();
      ConnectionGroups store = groups.isEmpty() ? null : served.socket.groups();
      registration = tracker.accepted(connect, context.keptAttributes())
          .thenCompose(connection -> joinAll(store, connection, groups).thenApply(joined -> connection));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    registration.whenComplete((connection, error) -> {
      if (error != null) {
        answer.completeExceptionally(error);
        undo(connect, "its registration failed");
      } else if (answer.complete(EventAnswer.ACCEPT)) {
        attributes.put(new Key(connect.socket(), connect.connectionId()), connection.attributes());
      } else {
        undo(connect, "its registration ended after the app had answered");
      }
    });
    long left = Math.max(0, deadline - System.nanoTime());
    return answer.orTimeout(left, TimeUnit.NANOSECONDS).exceptionally(error -> {
      Throwable cause = Futures.unwrap(error);
      if (cause instanceof TimeoutException) {
        inScope(connect, () -> LOG.log(Level.WARNING,
            "connection {0} on {1} rejected: the store did not register it within {2}",
            connect.connectionId(), connect.socket(), handlerTimeout));
        return EventAnswer.FAILED;
      }
      throw error instanceof java.util.concurrent.CompletionException ce ? ce : new java.util.concurrent.CompletionException(cause);
    });
  }

  /** Joins a just registered connection to {@code groups}; fails if one join finds it gone. */
  private static CompletionStage<Void> joinAll(ConnectionGroups store, Connection connection, List<GroupName> groups) {
    if (groups.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<?>[] joins = groups.stream().map(group -> store.join(connection.socket(), group, connection.id())
        .thenAccept(joined -> {
          if (!joined) {
            throw new IllegalStateException("connection " + connection.id() + " was gone from the registry before it"
                + " could join " + group);
          }
        }).toCompletableFuture()).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(joins);
  }

  /** Removes the entry of a connect the app rejected; a failure leaves it to expire. */
  private void undo(SocketEvent.Connect connect, String why) {
    tracker.disconnected(new SocketEvent.Disconnect(connect.socket(), connect.connectionId())).whenComplete((removed, error) -> {
      if (error != null) {
        inScope(connect, () -> LOG.log(Level.WARNING, "could not remove connection {0} on {1} ({2}); its entry will expire",
            connect.connectionId(), connect.socket(), why));
      } else if (Boolean.TRUE.equals(removed)) {
        inScope(connect, () -> LOG.log(Level.DEBUG, "removed connection {0} on {1}: {2}", connect.connectionId(),
            connect.socket(), why));
      }
    });
  }

  /**
   * Runs a handler method on the executor, then waits (without a thread) for the work it handed
   * to {@code answerAfter}; true if both ended before {@code deadline} (System.nanoTime) without
   * failing.
   */
  private CompletionStage<Boolean> runHandler(SocketEvent event, HandlerContext context, HandlerCall call, long deadline) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    try {
      executor.execute(() -> {
        try {
          call.run();
        } catch (Exception | Error e) {
          context.seal();
          result.completeExceptionally(e);
          return;
        }
        context.seal().whenComplete((v, e) -> {
          if (e != null) {
            result.completeExceptionally(e);
          } else {
            result.complete(true);
          }
        });
      });
    } catch (RuntimeException rejected) {
      result.completeExceptionally(rejected);
    }
    return result.orTimeout(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).handle((ok, error) -> {
      if (error == null) {
        return true;
      }
      Throwable cause = Futures.unwrap(error);
      metrics.handlerFailed(event);
      context.failed(event.kind() + " handler", cause instanceof TimeoutException
          ? new TimeoutException("did not end within the handler timeout " + handlerTimeout) : cause);
      return false;
    });
  }

  /** Runs {@code line}, a log line about the connection of {@code event}, inside the connection's scope. */
  private void inScope(SocketEvent event, Runnable line) {
    ScopedHandler.log(scope, event.socket(), event.connectionId(), line);
  }

  /**
   * Shuts down the handler executor and the callback executor if the app made them, waiting
   * briefly for running handlers and callbacks.
   */
  @Override
  public void close() {
    if (ownsExecutor) {
      shutDown(executor);
    }
    if (ownCallbacks != null) {
      shutDown(ownCallbacks);
    }
  }

  private static void shutDown(ExecutorService pool) {
    if (!Shutdown.within(Duration.ofSeconds(5), pool::shutdown, pool::awaitTermination)) {
      pool.shutdownNow();
    }
  }

  /**
   * The callback executor the app makes unless given one: threads made as needed and kept a minute
   * when idle, so a callback that blocks never holds up another (nor a handler, nor I/O).
   */
  private static ExecutorService callbackExecutor() {
    return Executors.newCachedThreadPool(daemonThreads("nitricws-callback-"));
  }

  private static ExecutorService defaultExecutor(int threads) {
    return Executors.newFixedThreadPool(threads, daemonThreads("nitricws-handler-"));
  }

  /** Daemon threads named {@code prefix} and a number from 1. */
  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** One call into application code. */
  @FunctionalInterface
  private interface HandlerCall {
    void run() throws Exception;
  }

  private record Key(SocketName socket, ConnectionId id) {}

  private record Served(Websocket socket, SocketHandler handler) {}

  /** Settings of a {@link WebsocketApp}; every one has a sensible default. */
  public static final class Builder {
    private final ConnectionRegistry registry;
    private final MessageSender sender;
    private final Map<SocketName, SocketHandler> handlers = new LinkedHashMap<>();
    private ExecutorService executor;
    private Executor callbacks;
    private int handlerThreads = 32;
    private Duration handlerTimeout = DEFAULT_HANDLER_TIMEOUT;
    private Duration maxConnectionLife = ConnectionTracker.DEFAULT_MAX_CONNECTION_LIFE;
    private Clock clock = Clock.systemUTC();
    private int broadcastPageSize = Broadcaster.DEFAULT_PAGE_SIZE;
    private int maxSendsInFlight = Broadcaster.DEFAULT_MAX_IN_FLIGHT;
    private Duration sendTimeout = BoundedSender.DEFAULT_SEND_TIMEOUT;
    private long maxBytesInFlight = SendBudget.DEFAULT_MAX_BYTES_IN_FLIGHT;
    private SocketUrls urls;
    private ConnectionGroups groups;
    private int attributeCacheSize = DEFAULT_ATTRIBUTE_CACHE_SIZE;
    private JsonMapper json;
    private SocketMetrics metrics = SocketMetrics.NONE;
    private ConnectionScope scope = ConnectionScope.NONE;

    private Builder(ConnectionRegistry registry, MessageSender sender) {
      this.registry = requireNonNull(registry, "registry");
      this.sender = requireNonNull(sender, "sender");
      this.urls = sender instanceof SocketUrls u ? u : null;
    }

    /**
     * Where {@link Websocket#url()} asks for the sockets' URLs (default: the sender, when it is a
     * {@link SocketUrls}, as the Nitric adapter's is).
     */
    public Builder socketUrls(SocketUrls urls) {
      this.urls = requireNonNull(urls, "urls");
      return this;
    }

    /**
     * Where groups and users are kept (default: the registry, when it is also a {@link
     * ConnectionGroups}, as every nitric-ws store is). Must be the same store as the registry, so
     * a connection's memberships go when its entry goes.
     */
    public Builder groups(ConnectionGroups groups) {
      this.groups = requireNonNull(groups, "groups");
      return this;
    }

    /**
     * How many connections' attributes the app keeps in memory so handlers read them without a
     * store call (default {@value WebsocketApp#DEFAULT_ATTRIBUTE_CACHE_SIZE}; 0: read the registry
     * for every message). A connection not kept is read once from the registry.
     */
    public Builder attributeCacheSize(int size) {
      if (size < 0) {
        throw new IllegalArgumentException("attributeCacheSize must be at least 0, got " + size);
      }
      this.attributeCacheSize = size;
      return this;
    }

    /**
     * How every socket writes the objects of its JSON sends ({@link Websocket#sendJson}, {@link
     * MessageContext#replyJson}, ...) and reads {@link MessageContext#json}; without one, those
     * fail with an {@link IllegalStateException} saying so. The {@code json} module's {@code
     * JacksonJsonMapper} is one.
     */
    public Builder jsonMapper(JsonMapper mapper) {
      this.json = requireNonNull(mapper, "mapper");
      return this;
    }

    /** Serves the socket {@code name} with {@code handler}. */
    public Builder socket(String name, SocketHandler handler) {
      return socket(SocketName.of(name), handler);
    }

    /** Serves the socket {@code name} with {@code handler}. */
    public Builder socket(SocketName name, SocketHandler handler) {
      requireNonNull(name, "name");
      requireNonNull(handler, "handler");
      if (handlers.putIfAbsent(name, handler) != null) {
        throw new IllegalStateException("socket '" + name + "' already has a handler");
      }
      return this;
    }

    /**
     * Where the stages that {@link Websocket}, {@link Group} and the handler contexts return
     * complete, and so where the code chained to them runs (default: a pool of the app's own, made
     * as needed). Sends, scans and registry calls end on transport and store I/O threads (gRPC's,
     * Netty's, Lettuce's), which must never block; the app hands each result over to this executor
     * first, so chained code may block without stalling them. A stage that has already completed
     * when it is returned is returned as it is. Give {@code Runnable::run} only when every chained
     * piece of code is quick and never blocks; the caller shuts a given executor down.
     */
    public Builder callbackExecutor(Executor callbacks) {
      this.callbacks = requireNonNull(callbacks, "callbacks");
      return this;
    }

    /** Runs handlers on {@code executor} (which the caller shuts down) instead of the app's own pool. */
    public Builder executor(ExecutorService executor) {
      this.executor = requireNonNull(executor, "executor");
      return this;
    }

    /** Threads of the app's own handler pool (default 32). */
    public Builder handlerThreads(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("handlerThreads must be at least 1, got " + threads);
      }
      this.handlerThreads = threads;
      return this;
    }

    /**
     * How long a handler (with the work it hands to {@code answerAfter}, and for a connect the
     * registration) may take before its event is answered without it (default 10 s). Keep it below
     * the event source's answer timeout, which the runtime's handler timeout must exceed.
     */
    public Builder handlerTimeout(Duration timeout) {
      this.handlerTimeout = PositiveDuration.require("handlerTimeout", timeout);
      return this;
    }

    /** How long a registry entry lives after connect (default 2 h, AWS's longest connection). */
    public Builder maxConnectionLife(Duration life) {
      this.maxConnectionLife = requireNonNull(life, "life");
      return this;
    }

    /** The clock that stamps connect and expiry times (default: system UTC). */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Ids read from the registry at a time during a broadcast (default 500). */
    public Builder broadcastPageSize(int size) {
      this.broadcastPageSize = size;
      return this;
    }

    /**
     * Bytes of sends in flight at once across all the app's sockets, broadcasts and single sends
     * (default 32 MiB): each send holds its payload until the gateway answers, so this bounds the
     * memory sends take however many broadcasts run and however slow the gateway answers. A send
     * waits, without blocking a thread, for room.
     */
    public Builder maxBytesInFlight(long bytes) {
      if (bytes < 64 * 1024) {
        throw new IllegalArgumentException("maxBytesInFlight must be at least 65536, got " + bytes);
      }
      this.maxBytesInFlight = bytes;
      return this;
    }

    /**
     * The longest one send or close may take (default 10 s): one the gateway does not answer in
     * time ends as {@link dev.nitricws.domain.SendOutcome.Failed} with a {@link TimeoutException},
     * and a broadcast moves on, so no slow connection holds anything up.
     */
    public Builder sendTimeout(Duration timeout) {
      this.sendTimeout = PositiveDuration.require("sendTimeout", timeout);
      return this;
    }

    /** Sends outstanding at once during a broadcast (default 256). */
    public Builder maxSendsInFlight(int max) {
      this.maxSendsInFlight = max;
      return this;
    }

    /**
     * Where the app reports what happens to its sockets: events answered, handlers failed, sends
     * and broadcasts (default {@link SocketMetrics#NONE}).
     */
    public Builder metrics(SocketMetrics metrics) {
      this.metrics = requireNonNull(metrics, "metrics");
      return this;
    }

    /**
     * The scope each handler call, error hook call and log line of the app about a connection runs
     * in (default {@link ConnectionScope#NONE}); e.g. one that puts the connection's id in the
     * logging context.
     */
    public Builder connectionScope(ConnectionScope scope) {
      this.scope = requireNonNull(scope, "scope");
      return this;
    }

    /** The app; fails if no socket was given. */
    public WebsocketApp build() {
      if (handlers.isEmpty()) {
        throw new IllegalStateException("a websocket app needs at least one socket; call socket(name, handler)");
      }
      return new WebsocketApp(this);
    }
  }
}
