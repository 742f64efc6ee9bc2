package dev.nitricws.runtime.resources;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.TextFormat;
import dev.nitricws.proto.resources.v1.PolicyResource;
import dev.nitricws.proto.resources.v1.ResourceDeclareRequest;
import dev.nitricws.proto.resources.v1.ResourceDeclareResponse;
import dev.nitricws.proto.resources.v1.ResourceIdentifier;
import dev.nitricws.proto.resources.v1.ResourceType;
import dev.nitricws.proto.resources.v1.ResourcesGrpc;
import dev.nitricws.runtime.gateway.WebsocketGateway;
import dev.nitricws.runtime.kv.KvStorage;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Resources service: records declarations; a websocket declaration opens that socket's
 * gateway port (answered once the port is open), a key-value store declaration creates the store.
 * Other resource types are recorded in the log and accepted.
 */
public final class ResourcesService extends ResourcesGrpc.ResourcesImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(ResourcesService.class);

  private final WebsocketGateway gateway;
  private final KvStorage storage;
  private final Set<String> websockets = ConcurrentHashMap.newKeySet();
  private final Set<String> keyValueStores = ConcurrentHashMap.newKeySet();
  private final List<PolicyResource> policies = new CopyOnWriteArrayList<>();

  public ResourcesService(WebsocketGateway gateway, KvStorage storage) {
    this.gateway = requireNonNull(gateway, "gateway");
    this.storage = requireNonNull(storage, "storage");
  }

  /** What has been declared so far (a snapshot). */
  public DeclaredResources declared() {
    return new DeclaredResources(websockets, keyValueStores, policies);
  }

  @Override
  public void declare(ResourceDeclareRequest request, StreamObserver<ResourceDeclareResponse> responses) {
    if (!request.hasId()) {
      fail(responses, Status.INVALID_ARGUMENT.withDescription("id is required"));
      return;
    }
    ResourceIdentifier id = request.getId();
    switch (id.getType()) {
      case Websocket -> {
        if (id.getName().isEmpty()) {
          fail(responses, Status.INVALID_ARGUMENT.withDescription("a websocket needs a name"));
          return;
        }
        gateway.declare(id.getName()).whenComplete((endpoint, error) -> {
          if (error != null) {
            LOG.error("Unable to open websocket '{}'", id.getName(), error);
            fail(responses, Status.UNAVAILABLE.withDescription(error.getMessage()).withCause(error));
            return;
          }
          if (websockets.add(id.getName())) {
            LOG.debug("Declared websocket '{}' at {}", id.getName(), endpoint.url());
          }
          ok(responses);
        });
      }
      case KeyValueStore -> {
        if (id.getName().isEmpty()) {
          fail(responses, Status.INVALID_ARGUMENT.withDescription("a key-value store needs a name"));
          return;
        }
        storage.declare(id.getName());
        if (keyValueStores.add(id.getName())) {
          LOG.info("Declared key-value store '{}'", id.getName());
        }
        ok(responses);
      }
      case Policy -> {
        if (!request.hasPolicy()) {
          fail(responses, Status.INVALID_ARGUMENT.withDescription("a Policy declaration needs policy set"));
          return;
        }
        policies.add(request.getPolicy());
        if (LOG.isDebugEnabled()) {
          LOG.debug("Declared policy {}", TextFormat.printer().shortDebugString(request.getPolicy()));
        }
        ok(responses);
      }
      default -> {
        LOG.debug("Declared {} '{}' (accepted; the local runtime does not serve it)",
            id.getType() == ResourceType.UNRECOGNIZED ? "resource type " + id.getTypeValue() : id.getType(),
            id.getName());
        ok(responses);
      }
    }
  }

  private static void ok(StreamObserver<ResourceDeclareResponse> responses) {
    responses.onNext(ResourceDeclareResponse.getDefaultInstance());
    responses.onCompleted();
  }

  private static void fail(StreamObserver<ResourceDeclareResponse> responses, Status status) {
    responses.onError(status.asRuntimeException());
  }
}
