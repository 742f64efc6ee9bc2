package dev.nitricws.bootstrap;

import com.google.inject.AbstractModule;
import dev.nitricws.ports.SocketHandler;

/** The example application: the seed's broadcast chat. Replace it to serve your own handler. */
public final class ChatModule extends AbstractModule {
  @Override
  protected void configure() {
    bind(SocketHandler.class).to(ChatHandler.class);
  }
}
