package dev.nitricws.ports;

import dev.nitricws.domain.ConnectionRegistry;
import dev.nitricws.ports.contract.ConnectionRegistryContract;

/** The reference registry against the contract every store passes. */
class InMemoryConnectionRegistryTest extends ConnectionRegistryContract {

  private final InMemoryConnectionRegistry registry = new InMemoryConnectionRegistry();

  @Override
  protected ConnectionRegistry registry() {
    return registry;
  }
}
