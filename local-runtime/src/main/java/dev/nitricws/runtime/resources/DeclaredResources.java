package dev.nitricws.runtime.resources;

import static java.util.Objects.requireNonNull;

import dev.nitricws.proto.resources.v1.PolicyResource;
import java.util.List;
import java.util.Set;

/**
 * What the application has declared through the Resources service so far (a snapshot).
 *
 * @param websockets names of declared websockets
 * @param keyValueStores names of declared key-value stores
 * @param policies declared policies, in the order they came
 */
public record DeclaredResources(Set<String> websockets, Set<String> keyValueStores, List<PolicyResource> policies) {

  public DeclaredResources {
    websockets = Set.copyOf(requireNonNull(websockets, "websockets"));
    keyValueStores = Set.copyOf(requireNonNull(keyValueStores, "keyValueStores"));
    policies = List.copyOf(requireNonNull(policies, "policies"));
  }
}
