package dev.nitricws.bootstrap;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Where connections are kept; picked by one flag ({@code --store} or {@code NITRICWS_STORE}). */
public enum StoreKind {
  /** The Nitric key-value store (the v1 successor of the seed's collections). */
  NITRIC,
  /** Redis, standalone or Cluster. */
  REDIS,
  /** PostgreSQL tables. */
  POSTGRES,
  /** This process's memory: one app instance only. */
  MEMORY;

  /** The flag's spelling of this store. */
  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Whether several gateways may share the store (Redis, PostgreSQL): their connections are then
   * kept apart by {@link GatewayScope}. The Nitric key-value store lives in one runtime, and memory
   * in one process, so neither needs it.
   */
  public boolean sharedAcrossGateways() {
    return this == REDIS || this == POSTGRES;
  }

  /** The store named {@code value}; fails naming the allowed values. */
  public static StoreKind parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (StoreKind kind : values()) {
      if (kind.flag().equals(v)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("unknown store '" + value + "'; allowed: " + allowed());
  }

  /** The allowed flag values, comma separated. */
  public static String allowed() {
    return Arrays.stream(values()).map(StoreKind::flag).collect(Collectors.joining(", "));
  }
}
