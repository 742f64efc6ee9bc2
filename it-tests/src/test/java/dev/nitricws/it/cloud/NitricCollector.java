package dev.nitricws.it.cloud;

import static java.util.Objects.requireNonNull;

import dev.nitricws.proto.kvstore.v1.KvStoreGrpc;
import dev.nitricws.proto.resources.v1.Action;
import dev.nitricws.proto.resources.v1.PolicyResource;
import dev.nitricws.proto.resources.v1.ResourceDeclareRequest;
import dev.nitricws.proto.resources.v1.ResourceDeclareResponse;
import dev.nitricws.proto.resources.v1.ResourceIdentifier;
import dev.nitricws.proto.resources.v1.ResourceType;
import dev.nitricws.proto.resources.v1.ResourcesGrpc;
import dev.nitricws.proto.websockets.v1.ClientMessage;
import dev.nitricws.proto.websockets.v1.RegistrationResponse;
import dev.nitricws.proto.websockets.v1.ServerMessage;
import dev.nitricws.proto.websockets.v1.WebsocketEventType;
import dev.nitricws.proto.websockets.v1.WebsocketGrpc;
import dev.nitricws.proto.websockets.v1.WebsocketHandlerGrpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A stand-in for the Nitric CLI's build-time collector (cli pkg/collector/service.go) on 127.0.0.1,
 * recording what the app declares and registers; it serves no store and can refuse on request.
 *
 * <p>As the CLI does: a policy's principal {Service, ""} gets the service's name; a non-policy name
 * that is not lower kebab case and a second registration of one (socket, event type) are recorded
 * as errors (which fail the CLI's build); each handler stream ends once its registration is
 * answered. KvStore and Websocket calls answer UNIMPLEMENTED and are counted.
 */
public final class NitricCollector implements AutoCloseable {

  /** The CLI's rule for resource names (cli pkg/validation/name.go). */
  public static final Pattern RESOURCE_NAME = Pattern.compile("^[a-z0-9]+(-[a-z0-9]+)*$");

  /** What the stand-in refuses, answering with an error status instead of recording it. */
  public enum Refusal {
    /** Refuses nothing, as the CLI's collector. */
    NOTHING,
    /** Every Declare answers FAILED_PRECONDITION with {@link #DECLARE_REFUSED}. */
    DECLARE,
    /** Every handler registration ends its stream with FAILED_PRECONDITION and {@link #REGISTRATION_REFUSED}. */
    REGISTRATION
  }

  /** The description of a refused Declare. */
  public static final String DECLARE_REFUSED = "the collector refuses this declaration";
  /** The description of a refused registration. */
  public static final String REGISTRATION_REFUSED = "the collector refuses this handler registration";

  /** One Declare call as the collector recorded it (a policy's empty principal name already filled in). */
  public record Declaration(ResourceType type, String name, List<ResourceIdentifier> principals,
      List<Action> actions, List<ResourceIdentifier> resources) {

    /** e.g. {@code Websocket chat} or {@code Policy [WebsocketManage] on Websocket chat for Service svc}. */
    @Override
    public String toString() {
      if (type != ResourceType.Policy) {
        return type + " " + name;
      }
      return "Policy " + actions + " on " + ids(resources) + " for " + ids(principals);
    }

    private static String ids(List<ResourceIdentifier> ids) {
      return ids.stream().map(id -> id.getType() + " " + id.getName()).collect(Collectors.joining(", "));
    }
  }

  /** One handler registration. */
  public record Registration(String socket, WebsocketEventType eventType) {

    @Override
    public String toString() {
      return socket + "/" + eventType;
    }
  }

  private final String serviceName;
  private final Refusal refusal;
  private final Server server;
  private final List<Declaration> declarations = new ArrayList<>();
  private final List<Registration> registrations = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();
  private final List<String> refusals = new ArrayList<>();
  private final List<String> unservedCalls = new ArrayList<>();
  private int streamsOpened;

  private NitricCollector(String serviceName, Refusal refusal) {
    this.serviceName = requireNonNull(serviceName, "serviceName");
    this.refusal = requireNonNull(refusal, "refusal");
    ServerInterceptor unserved = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        record(unservedCalls, call.getMethodDescriptor().getFullMethodName());
        return next.startCall(call, headers);
      }
    };
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new ResourcesService())
        .addService(new HandlerService())
        // the generated bases answer every call UNIMPLEMENTED
        .addService(ServerInterceptors.intercept(new KvStoreGrpc.KvStoreImplBase() {}, unserved))
        .addService(ServerInterceptors.intercept(new WebsocketGrpc.WebsocketImplBase() {}, unserved))
        .build();
  }

  /** Starts a collector for service {@code serviceName} that refuses {@code refusal}. */
  public static NitricCollector start(String serviceName, Refusal refusal) {
    NitricCollector collector = new NitricCollector(serviceName, refusal);
    try {
      collector.server.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the collector stand-in on 127.0.0.1", e);
    }
    return collector;
  }

  /** {@code 127.0.0.1:<port>}, the SERVICE_ADDRESS to give the app. */
  public String address() {
    return "127.0.0.1:" + port();
  }

  public int port() {
    return server.getPort();
  }

  public synchronized List<Declaration> declarations() {
    return List.copyOf(declarations);
  }

  /** How many HandleEvents streams the app opened. */
  public synchronized int streamsOpened() {
    return streamsOpened;
  }

  public synchronized List<Registration> registrations() {
    return List.copyOf(registrations);
  }

  /** What the CLI would report as build errors: bad names, duplicate registrations, malformed streams. */
  public synchronized List<String> errors() {
    return List.copyOf(errors);
  }

  /** The calls this stand-in refused as it was told to. */
  public synchronized List<String> refusals() {
    return List.copyOf(refusals);
  }

  /** Full method names of the KvStore and Websocket calls (all answered UNIMPLEMENTED). */
  public synchronized List<String> unservedCalls() {
    return List.copyOf(unservedCalls);
  }

  /** How many KvStore calls the app made. */
  public synchronized long storeCalls() {
    return unservedCalls.stream().filter(m -> m.startsWith(KvStoreGrpc.SERVICE_NAME + "/")).count();
  }

  /** One line: declarations, streams, registrations, errors, refusals, unserved calls (repeats counted). */
  public synchronized String summary() {
    return "declared " + declarations + "; streams opened " + streamsOpened + "; registered " + registrations
        + "; errors " + counted(errors) + "; refused " + counted(refusals) + "; unserved calls " + counted(unservedCalls);
  }

  /** Each distinct entry once, with "(xN)" when it occurs N > 1 times. */
  private static List<String> counted(List<String> entries) {
    Map<String, Long> counts = entries.stream()
        .collect(Collectors.groupingBy(e -> e, LinkedHashMap::new, Collectors.counting()));
    return counts.entrySet().stream()
        .map(e -> e.getValue() == 1 ? e.getKey() : e.getKey() + " (x" + e.getValue() + ")")
        .toList();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The CLI's suggestion for a bad name (strcase.ToKebab): words split at case changes and separators. */
  static String kebab(String name) {
    String words = name.replaceAll("([a-z0-9])([A-Z])", "$1-$2").replaceAll("[^A-Za-z0-9]+", "-");
    return words.replaceAll("^-+|-+$", "").toLowerCase(Locale.ROOT);
  }

  private synchronized void record(List<String> list, String entry) {
    list.add(entry);
  }

  private final class ResourcesService extends ResourcesGrpc.ResourcesImplBase {

    @Override
    public void declare(ResourceDeclareRequest request, StreamObserver<ResourceDeclareResponse> response) {
      ResourceIdentifier id = request.getId();
      if (refusal == Refusal.DECLARE) {
        record(refusals, "Declare " + id.getType() + " '" + id.getName() + "'");
        response.onError(Status.FAILED_PRECONDITION.withDescription(DECLARE_REFUSED).asRuntimeException());
        return;
      }
      synchronized (NitricCollector.this) {
        if (id.getType() != ResourceType.Policy && !RESOURCE_NAME.matcher(id.getName()).matches()) {
          errors.add("Invalid Name: '" + id.getName() + "' for " + id.getType() + " try '" + kebab(id.getName()) + "'");
        }
        PolicyResource policy = request.getPolicy();
        List<ResourceIdentifier> principals = policy.getPrincipalsList().stream()
            .map(p -> p.getType() == ResourceType.Service && p.getName().isEmpty() ? p.toBuilder().setName(serviceName).build() : p)
            .toList();
        declarations.add(new Declaration(id.getType(), id.getName(), principals, policy.getActionsList(),
            policy.getResourcesList()));
      }
      response.onNext(ResourceDeclareResponse.getDefaultInstance());
      response.onCompleted();
    }
  }

  private final class HandlerService extends WebsocketHandlerGrpc.WebsocketHandlerImplBase {

    @Override
    public StreamObserver<ClientMessage> handleEvents(StreamObserver<ServerMessage> responses) {
      synchronized (NitricCollector.this) {
        streamsOpened++;
      }
      AtomicBoolean answered = new AtomicBoolean();
      return new StreamObserver<>() {
        @Override
        public void onNext(ClientMessage message) {
          if (answered.getAndSet(true)) {
            return; // the stream is over for the collector; nothing more is read
          }
          if (!message.hasRegistrationRequest()) {
            record(errors, "first message must be a registration request");
            responses.onError(Status.UNKNOWN.withDescription("first message must be a registration request").asRuntimeException());
            return;
          }
          Registration registration = new Registration(message.getRegistrationRequest().getSocketName(),
              message.getRegistrationRequest().getEventType());
          if (refusal == Refusal.REGISTRATION) {
            record(refusals, "HandleEvents " + registration);
            responses.onError(Status.FAILED_PRECONDITION.withDescription(REGISTRATION_REFUSED).asRuntimeException());
            return;
          }
          synchronized (NitricCollector.this) {
            if (registrations.contains(registration)) {
              errors.add("'" + registration.eventType() + "' handler already registered for websocket '"
                  + registration.socket() + "'");
            } else {
              registrations.add(registration);
            }
          }
          responses.onNext(ServerMessage.newBuilder().setRegistrationResponse(RegistrationResponse.getDefaultInstance()).build());
          responses.onCompleted();
        }

        @Override
        public void onError(Throwable t) {
          // the app went away; nothing to answer
        }

        @Override
        public void onCompleted() {
          if (!answered.getAndSet(true)) {
            responses.onCompleted();
          }
        }
      };
    }
  }
}
