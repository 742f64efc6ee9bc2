package dev.nitricws.adapters.memory;

import dev.nitricws.contract.ConnectionRegistryContract;
import dev.nitricws.domain.ConnectionRegistry;

/** The reference registry against the contract every store passes. */
class InMemoryConnectionRegistryTest extends ConnectionRegistryContract {

  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();

  @Override
  protected ConnectionRegistry registry() {
    return registry;
  }
}
