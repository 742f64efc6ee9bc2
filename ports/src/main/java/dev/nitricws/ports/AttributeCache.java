package dev.nitricws.ports;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The attributes of the connections this app instance has seen lately, so a handler reads {@code
 * context.attribute(name)} without a store call. Attributes are set once, at connect, so a cached
 * copy never goes stale; a connection accepted by another instance, or evicted here, is read from
 * the registry once and cached. Holds at most {@code capacity} connections, least recently used
 * first out; thread-safe.
 */
final class AttributeCache<K> {

  private final int capacity;
  private final LinkedHashMap<K, Map<String, String>> entries;

  /** A cache of at most {@code capacity} connections (0: keeps none); the caller checked it is not negative. */
  AttributeCache(int capacity) {
    this.capacity = capacity;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Map<String, String>> eldest) {
        return size() > AttributeCache.this.capacity;
      }
    };
  }

  /** The cached attributes of {@code key}, or null. */
  synchronized Map<String, String> get(K key) {
    return entries.get(key);
  }

  synchronized void put(K key, Map<String, String> attributes) {
    if (capacity > 0) {
      entries.put(key, attributes.isEmpty() ? Map.of() : attributes);
    }
  }

  /** Forgets {@code key}, returning what was cached, or null. */
  synchronized Map<String, String> remove(K key) {
    return entries.remove(key);
  }
}
