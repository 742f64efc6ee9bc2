package dev.nitricws.adapters.nitric.kv;

/**
 * The registry contract against a fake KvStore whose ScanKeys returns every key at or after the
 * prefix, as the Azure runtime's {@code RowKey ge '<prefix>'} filter does.
 */
class NitricKvRegistryGreaterOrEqualScanContractTest extends NitricKvRegistryContractTest {

  @Override
  FakeKvStore.ScanOrder scanOrder() {
    return FakeKvStore.ScanOrder.GREATER_OR_EQUAL;
  }
}
