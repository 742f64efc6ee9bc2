package dev.nitricws.ports;

import dev.nitricws.adapters.memory.InMemoryConnectionRegistry;
import dev.nitricws.contract.ConnectionRegistryContract;
import dev.nitricws.domain.ConnectionRegistry;

/** A scoped registry is a registry: the whole contract, on the in-memory one under a scope. */
class ScopedConnectionRegistryTest extends ConnectionRegistryContract {

  private final ConnectionRegistry registry =
      ScopedConnectionRegistry.of(new InMemoryConnectionRegistry(), "ws://127.0.0.1:4000@host");

  @Override
  protected ConnectionRegistry registry() {
    return registry;
  }
}
