package dev.nitricws.it.e2e;

import java.util.List;

/** The chat end to end with connections in the Nitric key-value store of the local runtime. */
class NitricStoreChatIT extends ChatEndToEndContract {
  @Override
  protected List<String> storeFlags() {
    return List.of("--store=nitric");
  }
}
