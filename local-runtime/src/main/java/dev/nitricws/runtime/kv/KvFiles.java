package dev.nitricws.runtime.kv;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Struct;
import dev.nitricws.proto.kvstore.v1.Value;
import dev.nitricws.proto.kvstore.v1.ValueRef;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Key-value stores on disk: one file per store in a directory, named after the store
 * (percent-encoded), holding length-delimited {@code kvstore.v1.Value} messages. A store is
 * written to a temporary file and moved over the old one, so a crash leaves either the old or the
 * new content, never half of it. Not thread-safe: one writer at a time.
 */
final class KvFiles {

  private static final String SUFFIX = ".kv";
  private static final String TEMP_SUFFIX = ".kv.tmp";

  private final Path directory;

  KvFiles(Path directory) {
    this.directory = requireNonNull(directory, "directory");
  }

  Path directory() {
    return directory;
  }

  /** Reads every store of the directory, creating the directory when it is missing. */
  Map<String, ConcurrentSkipListMap<String, Struct>> loadAll() throws IOException {
    Files.createDirectories(directory);
    Map<String, ConcurrentSkipListMap<String, Struct>> stores = new HashMap<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, "*" + SUFFIX)) {
      for (Path file : files) {
        String fileName = file.getFileName().toString();
        String store = decode(fileName.substring(0, fileName.length() - SUFFIX.length()));
        stores.put(store, read(file));
      }
    }
    return stores;
  }

  private static ConcurrentSkipListMap<String, Struct> read(Path file) throws IOException {
    ConcurrentSkipListMap<String, Struct> entries = new ConcurrentSkipListMap<>();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      Value value;
      while ((value = Value.parseDelimitedFrom(in)) != null) {
        entries.put(value.getRef().getKey(), value.getContent());
      }
    }
    return entries;
  }

  /** Replaces the file of {@code store} with {@code entries}, atomically where the file system can. */
  void write(String store, Map<String, Struct> entries) throws IOException {
    Files.createDirectories(directory);
    String base = encode(store);
    Path target = directory.resolve(base + SUFFIX);
    Path temp = directory.resolve(base + TEMP_SUFFIX);
    try (FileOutputStream file = new FileOutputStream(temp.toFile());
        OutputStream out = new BufferedOutputStream(file)) {
      for (Map.Entry<String, Struct> entry : entries.entrySet()) {
        Value.newBuilder()
            .setRef(ValueRef.newBuilder().setStore(store).setKey(entry.getKey()))
            .setContent(entry.getValue())
            .build()
            .writeDelimitedTo(out);
      }
      out.flush();
      file.getFD().sync();
    }
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** Letters, digits, '-' and '_' stay; every other UTF-8 byte becomes %XX. */
  static String encode(String store) {
    StringBuilder name = new StringBuilder();
    for (byte b : store.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
        name.append((char) c);
      } else {
        name.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return name.toString();
  }

  static String decode(String fileBase) {
    return URLDecoder.decode(fileBase, StandardCharsets.UTF_8);
  }
}
