package dev.nitricws.ports;

/** A connection that went away; it is no longer in the registry. */
public interface DisconnectContext extends SocketContext {}
