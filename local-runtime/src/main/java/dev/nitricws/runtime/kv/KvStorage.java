package dev.nitricws.runtime.kv;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.nitricws.runtime.LocalRuntimeException;
import dev.nitricws.runtime.checks.PositiveDuration;
import java.io.IOException;
import java.time.Duration;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key-value stores: store name to a sorted map of key to JSON object. In memory, or also on
 * disk when a {@link KvFiles} is given: changed stores are written by a background thread every
 * flush interval and once more on {@link #close()}. Thread-safe; reads and writes never wait for
 * the disk.
 */
public final class KvStorage implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KvStorage.class);

  private final Map<String, ConcurrentSkipListMap<String, Struct>> stores = new ConcurrentHashMap<>();
  private final Set<String> dirty = ConcurrentHashMap.newKeySet();
  private final KvFiles files;
  private final ScheduledExecutorService flusher;

  private KvStorage(KvFiles files, Duration flushInterval) {
    this.files = files;
    if (files == null) {
      this.flusher = null;
      return;
    }
    try {
      stores.putAll(files.loadAll());
    } catch (IOException | RuntimeException e) {
      throw new LocalRuntimeException("Unable to read the key-value stores in " + files.directory(), e);
    }
    LOG.info("Key-value stores kept in {} ({} store(s) loaded)", files.directory(), stores.size());
    this.flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "nitric-kv-flush");
      thread.setDaemon(true);
      return thread;
    });
    long millis = flushInterval.toMillis();
    flusher.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Stores kept in memory only. */
  public static KvStorage inMemory() {
    return new KvStorage(null, Duration.ZERO);
  }

  /** Stores loaded from {@code directory} and written back every {@code flushInterval}. */
  public static KvStorage persistent(java.nio.file.Path directory, Duration flushInterval) {
    requireNonNull(directory, "directory");
    return new KvStorage(new KvFiles(directory), PositiveDuration.require("kvFlushInterval", flushInterval));
  }

  /** Creates an empty store unless it exists. Idempotent. */
  public void declare(String store) {
    if (stores.putIfAbsent(store, new ConcurrentSkipListMap<>()) == null) {
      changed(store);
    }
  }

  Optional<Struct> get(String store, String key) {
    ConcurrentSkipListMap<String, Struct> entries = stores.get(store);
    return entries == null ? Optional.empty() : Optional.ofNullable(entries.get(key));
  }

  /** Creates or replaces a value; creates the store when missing. */
  void set(String store, String key, Struct content) {
    stores.computeIfAbsent(store, name -> new ConcurrentSkipListMap<>()).put(key, content);
    changed(store);
  }

  /** Removes a key; a missing key or store is not an error. */
  void delete(String store, String key) {
    ConcurrentSkipListMap<String, Struct> entries = stores.get(store);
    if (entries != null && entries.remove(key) != null) {
      changed(store);
    }
  }

  /**
   * The keys of {@code store} that start with {@code prefix}, in order, read lazily (weakly
   * consistent with concurrent changes, never failing because of them).
   */
  Iterator<String> keys(String store, String prefix) {
    ConcurrentSkipListMap<String, Struct> entries = stores.get(store);
    if (entries == null) {
      return Collections.emptyIterator();
    }
    return entries.tailMap(prefix, true).keySet().stream()
        .takeWhile(key -> key.startsWith(prefix))
        .iterator();
  }

  private void changed(String store) {
    if (files != null) {
      dirty.add(store);
    }
  }

  /** Writes every changed store now. */
  synchronized void flush() throws IOException {
    if (files == null) {
      return;
    }
    IOException failure = null;
    for (String store : List.copyOf(dirty)) {
      dirty.remove(store);
      try {
        files.write(store, stores.getOrDefault(store, new ConcurrentSkipListMap<>()));
      } catch (IOException e) {
        dirty.add(store);
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Unable to write the key-value stores to {}; will retry", files.directory(), e);
    }
  }

  /** Stops the background writer and writes what changed. Idempotent. */
  @Override
  public void close() {
    if (flusher == null) {
      return;
    }
    flusher.shutdown();
    try {
      if (!flusher.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("Key-value writer did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      flush();
    } catch (IOException e) {
      throw new LocalRuntimeException("Unable to write the key-value stores to " + files.directory(), e);
    }
  }
}
