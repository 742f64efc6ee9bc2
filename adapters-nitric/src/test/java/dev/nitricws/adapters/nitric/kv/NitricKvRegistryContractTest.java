package dev.nitricws.adapters.nitric.kv;

import dev.nitricws.adapters.nitric.InProcessGrpc;
import dev.nitricws.contract.ConnectionRegistryContract;
import dev.nitricws.domain.ConnectionRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The registry contract against the fake KvStore, which returns a prefix's keys sorted (as the local runtimes do). */
class NitricKvRegistryContractTest extends ConnectionRegistryContract {

  final FakeKvStore kv = new FakeKvStore();
  @RegisterExtension
  final InProcessGrpc grpc = new InProcessGrpc("nitric-kv-contract", kv).inArrivalOrder();
  private ConnectionRegistry registry;

  @BeforeEach
  void start() {
    kv.scanOrder = scanOrder();
    registry = NitricKvConnectionRegistry.create(grpc.channel());
  }

  /** How the fake's ScanKeys answers. */
  FakeKvStore.ScanOrder scanOrder() {
    return FakeKvStore.ScanOrder.SORTED;
  }

  @Override
  protected ConnectionRegistry registry() {
    return registry;
  }
}
