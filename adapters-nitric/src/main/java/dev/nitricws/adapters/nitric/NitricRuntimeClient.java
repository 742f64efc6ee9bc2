package dev.nitricws.adapters.nitric;

import static java.util.Objects.requireNonNull;

import dev.nitricws.adapters.nitric.events.NitricEventSource;
import dev.nitricws.adapters.nitric.kv.NitricKvConnectionRegistry;
import dev.nitricws.adapters.nitric.send.NitricMessageSender;
import dev.nitricws.domain.LogText;
import dev.nitricws.domain.MessageSender;
import dev.nitricws.domain.PositiveDuration;
import dev.nitricws.domain.Shutdown;
import dev.nitricws.domain.SocketName;
import dev.nitricws.ports.SocketEvents;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Nitric adapters wired by hand, for embedding without any DI: one channel to the runtime at
 * {@code SERVICE_ADDRESS} (plaintext, or TLS and a bearer token: {@link RuntimeCredentials}), the
 * sender, key-value registries, resource declarations and the event sources. {@link #close()}
 * stops the event sources and then the channel. Every SendMessage and CloseConnection carries a
 * deadline ({@link #DEFAULT_SEND_TIMEOUT} unless the builder says otherwise), so a send the
 * runtime never answers ends as failed and is cancelled.
 *
 * <p>Threads: the channel runs its callbacks on the transport's own threads (grpc-java's {@code
 * directExecutor}): an answer, an event, the next send of a broadcast go on where the answer
 * arrived, with no hand-off to a pool per call. Nothing in the adapters blocks there; a {@link
 * dev.nitricws.ports.WebsocketApp} hands the stages it gives application code to its callback
 * executor, so code chained to them may block.
 *
 * <pre>{@code
 * NitricRuntimeClient nitric = NitricRuntimeClient.fromEnvironment();
 * WebsocketApp app = WebsocketApp.builder(nitric.kvRegistry("connections"), nitric.sender())
 *     .socket("chat", handler).build();
 * nitric.serve(app).toCompletableFuture().join();
 * ... // until asked to stop; then close nitric first, so answers still due can go out
 * nitric.close();
 * app.close();
 * }</pre>
 */
public final class NitricRuntimeClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(NitricRuntimeClient.class);

  /** The deadline of each SendMessage and CloseConnection unless {@link Builder#sendTimeout} says otherwise. */
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(10);

  private final NitricSettings settings;
  private final ManagedChannel channel;
  private final NitricMessageSender sender;
  private final NitricResources resources;
  private final Map<String, NitricKvConnectionRegistry> registries = new LinkedHashMap<>();
  private final List<NitricEventSource> sources = new ArrayList<>();
  private boolean closed;

  private NitricRuntimeClient(NitricSettings settings, ManagedChannel channel, Duration sendTimeout) {
    this.settings = requireNonNull(settings, "settings");
    this.channel = requireNonNull(channel, "channel");
    this.sender = new NitricMessageSender(channel, sendTimeout);
    this.resources = new NitricResources(channel);
  }

  /** Connects to the runtime the process environment names, with the credentials it names. */
  public static NitricRuntimeClient fromEnvironment() {
    return builder(NitricSettings.fromEnvironment()).credentials(RuntimeCredentials.fromEnvironment()).connect();
  }

  /** Opens a plaintext channel to {@code settings}' address (lazily: nothing is sent yet), with the defaults. */
  public static NitricRuntimeClient connect(NitricSettings settings) {
    return builder(settings).connect();
  }

  /** Uses {@code channel} (an in-process one in tests), which this object then owns and shuts down. */
  public static NitricRuntimeClient over(ManagedChannel channel, NitricSettings settings) {
    return builder(settings).over(channel);
  }

  /** Starts building a client of the runtime {@code settings} names. */
  public static Builder builder(NitricSettings settings) {
    return new Builder(settings);
  }

  public NitricSettings settings() {
    return settings;
  }

  /** The channel to the runtime, for further clients. */
  public Channel channel() {
    return channel;
  }

  /** Sends to and closes connections through the runtime. */
  public MessageSender sender() {
    return sender;
  }

  /** The registry on key-value store {@code store}; the store is declared by {@link #serve}. */
  public synchronized NitricKvConnectionRegistry kvRegistry(String store) {
    String name = NitricResources.checkResourceName(store, "store name");
    checkOpen();
    return registries.computeIfAbsent(name, n -> NitricKvConnectionRegistry.builder(channel).store(n).build());
  }

  /** Declares {@code sockets} and every key-value store handed out by {@link #kvRegistry}. */
  public CompletionStage<Void> declare(Collection<SocketName> sockets) {
    List<String> stores;
    synchronized (this) {
      checkOpen();
      stores = List.copyOf(registries.keySet());
    }
    return resources.declare(sockets, stores);
  }

  /**
   * Declares the app's sockets and stores, then registers its handlers with an event source
   * feeding {@code events}.
   *
   * <p>At run time ({@code run}, {@code cloud}) the stage completes when every handler stream is
   * registered, and streams that end are opened again until {@link #close()}. During the Nitric
   * CLI's build-time collection ({@code NITRIC_ENVIRONMENT=build}) each stream is opened once;
   * the collector answers and ends it, and the stage completes when every stream has ended: the
   * app should then exit, as the CLI waits for it to (nothing is served, and no store may be
   * touched: the collector has none). The stage fails when the collector refuses something.
   */
  public CompletionStage<Void> serve(SocketEvents events) {
    requireNonNull(events, "events");
    NitricEventSource source = NitricEventSource.create(channel, events);
    synchronized (this) {
      checkOpen();
      sources.add(source);
    }
    if (settings.environment() == NitricSettings.Environment.BUILD) {
      LOG.info("NITRIC_ENVIRONMENT=build: declaring resources and registering handlers once for the Nitric CLI");
      return declare(events.sockets()).thenCompose(v -> source.collect());
    }
    return declare(events.sockets()).thenCompose(v -> source.start());
  }

  /**
   * Whether the app is served right now (a health check): {@link #serve} was called at run time,
   * the client is open, and every handler stream of every event source is registered with the
   * runtime. False before {@code serve}, while a stream is being opened again after the runtime
   * ended it, under the Nitric CLI's collection, and after {@link #close()}.
   */
  public synchronized boolean isServing() {
    return !closed && !sources.isEmpty() && sources.stream().allMatch(NitricEventSource::isRegistered);
  }

  /** Stops the event sources (newest first), then shuts the channel down. Idempotent. */
  @Override
  public void close() {
    List<NitricEventSource> toClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = new ArrayList<>(sources);
    }
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
    if (!Shutdown.within(Duration.ofSeconds(5), channel::shutdown, channel::awaitTermination)) {
      channel.shutdownNow();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the Nitric runtime client is closed");
    }
  }

  /** How to reach the runtime and how long a send may take; every setting but the address has a default. */
  public static final class Builder {
    private final NitricSettings settings;
    private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
    private RuntimeCredentials credentials = RuntimeCredentials.none();

    private Builder(NitricSettings settings) {
      this.settings = requireNonNull(settings, "settings");
    }

    /** The deadline of each SendMessage and CloseConnection (default 10 s). */
    public Builder sendTimeout(Duration timeout) {
      this.sendTimeout = PositiveDuration.require("sendTimeout", timeout);
      return this;
    }

    /** The token and TLS of the channel {@link #connect()} opens (default: plaintext, no token). */
    public Builder credentials(RuntimeCredentials credentials) {
      this.credentials = requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * Opens the channel to the runtime (lazily: nothing is sent yet).
     *
     * @throws IllegalArgumentException when the trusted certificates cannot be read
     */
    public NitricRuntimeClient connect() {
      ChannelCredentials transport = InsecureChannelCredentials.create();
      if (credentials.tls()) {
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        credentials.trustedCertificates().ifPresent(file -> {
          try {
            tls.trustManager(file.toFile());
          } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("cannot use the certificates in " + file + " to trust the Nitric runtime: "
                + LogText.escape(e), e);
          }
        });
        transport = tls.build();
      }
      ManagedChannelBuilder<?> builder = Grpc.newChannelBuilderForAddress(settings.host(), settings.port(), transport);
      if (credentials.token().isPresent() && !credentials.tls() && !isLoopback(settings.host())) {
        LOG.warn("the runtime token goes to {} over plaintext; set {}=true unless the network is private",
            settings.serviceAddress(), RuntimeCredentials.TLS);
      }
      LOG.info("Nitric runtime at {} (NITRIC_ENVIRONMENT={}, {})", settings.serviceAddress(),
          settings.environment().name().toLowerCase(java.util.Locale.ROOT), credentials);
      return open(builder);
    }

    private static boolean isLoopback(String host) {
      return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }

    /**
     * Speaks to a runtime in this JVM served under {@code serverName} by grpc-java's in-process
     * transport (the local runtime's {@code inProcessName()}): no HTTP/2, sockets or copies between
     * them, and, as over the network, callbacks on the thread that answered. The token, if any, is
     * sent as over the network; TLS does not apply.
     */
    public NitricRuntimeClient connectInProcess(String serverName) {
      InProcessChannelBuilder builder = InProcessChannelBuilder.forName(requireNonNull(serverName, "serverName"));
      LOG.info("Nitric runtime in this JVM ({}; NITRIC_ENVIRONMENT={})", serverName,
          settings.environment().name().toLowerCase(java.util.Locale.ROOT));
      return open(builder);
    }

    /**
     * The client over the channel {@code builder} makes: callbacks on the transport's own threads
     * (see the class comment: no hand-off per call), the token, if any, on every call.
     */
    private NitricRuntimeClient open(ManagedChannelBuilder<?> builder) {
      builder.directExecutor();
      credentials.token().ifPresent(token -> builder.intercept(new BearerTokenInterceptor(token)));
      return new NitricRuntimeClient(settings, builder.build(), sendTimeout);
    }

    /** Uses {@code channel} (an in-process one in tests), which the runtime client then owns and shuts down. */
    public NitricRuntimeClient over(ManagedChannel channel) {
      return new NitricRuntimeClient(settings, requireNonNull(channel, "channel"), sendTimeout);
    }
  }
}
