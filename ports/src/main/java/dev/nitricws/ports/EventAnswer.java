package dev.nitricws.ports;

/** The answer to one socket event: for a connect, whether the connection is accepted. */
public enum EventAnswer {
  /** Accept the connect (and the answer to every disconnect and message). */
  ACCEPT,
  /** Refuse the connect; the gateway refuses the websocket upgrade. */
  REJECT;

  /** Whether this answer refuses the connection. */
  public boolean rejects() {
    return this == REJECT;
  }
}
