package dev.nitricws.it.e2e;

import java.util.List;

/** The chat end to end with connections in the app's memory. */
class MemoryStoreChatIT extends ChatEndToEndContract {
  @Override
  protected List<String> storeFlags() {
    return List.of("--store=memory");
  }
}
