package dev.nitricws.domain;

import java.util.concurrent.CompletionStage;

/**
 * Sends one prepared message to one connection; what the broadcast service fans out. Must not
 * block: it returns as soon as the send is started.
 */
@FunctionalInterface
public interface Delivery {

  /** Starts the send to {@code id}; the stage says how it ended. */
  CompletionStage<SendOutcome> deliverTo(ConnectionId id);
}
