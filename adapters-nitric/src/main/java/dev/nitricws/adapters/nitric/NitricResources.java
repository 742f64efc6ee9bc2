package dev.nitricws.adapters.nitric;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.ResourceName;
import dev.nitricws.domain.SocketName;
import dev.nitricws.proto.resources.v1.Action;
import dev.nitricws.proto.resources.v1.KeyValueStoreResource;
import dev.nitricws.proto.resources.v1.PolicyResource;
import dev.nitricws.proto.resources.v1.ResourceDeclareRequest;
import dev.nitricws.proto.resources.v1.ResourceIdentifier;
import dev.nitricws.proto.resources.v1.ResourceType;
import dev.nitricws.proto.resources.v1.ResourcesGrpc;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares the resources an app uses to the runtime, as the official Nitric SDKs do at start-up
 * (at build time the Nitric CLI turns these calls into deployed infrastructure): a websocket with
 * a policy granting the service WebsocketManage on it, and a key-value store with a policy
 * granting read, write and delete. Declarations are idempotent; asynchronous; failures complete
 * the stage with {@link NitricCallException}.
 */
public final class NitricResources {

  private static final Logger LOG = LoggerFactory.getLogger(NitricResources.class);

  private static final ResourceIdentifier THIS_SERVICE =
      ResourceIdentifier.newBuilder().setType(ResourceType.Service).setName("").build();

  private final ResourcesGrpc.ResourcesStub stub;
  private final String target;

  public NitricResources(Channel channel) {
    requireNonNull(channel, "channel");
    this.stub = ResourcesGrpc.newStub(channel);
    this.target = channel.authority();
  }

  /** The requests that declare websocket {@code name} and the service's right to manage it. */
  static List<ResourceDeclareRequest> websocketRequests(SocketName name) {
    ResourceIdentifier socket = id(ResourceType.Websocket, name.value());
    return List.of(
        ResourceDeclareRequest.newBuilder().setId(socket).build(),
        policy(socket, List.of(Action.WebsocketManage)));
  }

  /** The requests that declare key-value store {@code name} and the service's right to read, write and delete. */
  static List<ResourceDeclareRequest> keyValueStoreRequests(String name) {
    ResourceIdentifier store = id(ResourceType.KeyValueStore, checkResourceName(name, "store name"));
    return List.of(
        ResourceDeclareRequest.newBuilder().setId(store).setKeyValueStore(KeyValueStoreResource.getDefaultInstance()).build(),
        policy(store, List.of(Action.KeyValueStoreRead, Action.KeyValueStoreWrite, Action.KeyValueStoreDelete)));
  }

  /** Declares websocket {@code name} and the policy to manage it. */
  public CompletionStage<Void> declareWebsocket(SocketName name) {
    requireNonNull(name, "name");
    return sequence(websocketRequests(name));
  }

  /** Declares key-value store {@code name} and the policy to read, write and delete in it. */
  public CompletionStage<Void> declareKeyValueStore(String name) {
    requireNonNull(name, "name");
    return sequence(keyValueStoreRequests(name));
  }

  /** Declares every socket, then every store, one call after another. */
  public CompletionStage<Void> declare(Collection<SocketName> sockets, Collection<String> stores) {
    requireNonNull(sockets, "sockets");
    requireNonNull(stores, "stores");
    List<ResourceDeclareRequest> all = new ArrayList<>();
    sockets.forEach(s -> all.addAll(websocketRequests(requireNonNull(s, "socket"))));
    stores.forEach(s -> all.addAll(keyValueStoreRequests(requireNonNull(s, "store"))));
    LOG.debug("declaring sockets {} and key-value stores {} to the Nitric runtime at {}", sockets, stores, target);
    return sequence(all);
  }

  /** Checks a Nitric resource name against the rule the Nitric CLI enforces ({@link ResourceName}). */
  public static String checkResourceName(String name, String what) {
    return ResourceName.check(name, what);
  }

  private CompletionStage<Void> sequence(List<ResourceDeclareRequest> requests) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (ResourceDeclareRequest r : requests) {
      chain = chain.thenCompose(v -> declare(r));
    }
    return chain;
  }

  private CompletableFuture<Void> declare(ResourceDeclareRequest request) {
    String what = "Declare " + request.getId().getType() + " '" + request.getId().getName() + "'"
        + (request.hasPolicy() ? " (policy on " + request.getPolicy().getResources(0).getName() + ")" : "");
    return Unary.call(stub::declare, request, error -> NitricCallException.of(what, target, error))
        .thenApply(answer -> null);
  }

  private static ResourceIdentifier id(ResourceType type, String name) {
    return ResourceIdentifier.newBuilder().setType(type).setName(name).build();
  }

  private static ResourceDeclareRequest policy(ResourceIdentifier resource, List<Action> actions) {
    return ResourceDeclareRequest.newBuilder()
        .setId(id(ResourceType.Policy, ""))
        .setPolicy(PolicyResource.newBuilder()
            .addPrincipals(THIS_SERVICE)
            .addAllActions(actions)
            .addResources(resource))
        .build();
  }
}
