package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** What the gateway reports about one connection: it connected, it went away, or it sent data. */
public sealed interface SocketEvent {

  /** The socket the event happened on. */
  SocketName socket();

  /** The connection the event is about. */
  ConnectionId connectionId();

  /**
   * The event for a log line, named by kind, connection and socket only (queries, headers and
   * payloads may hold credentials), e.g. {@code connect of connection c1 on socket 'chat'}.
   */
  default String describe() {
    return kind() + " of connection " + connectionId() + " on socket '" + socket() + "'";
  }

  /** {@code connect}, {@code disconnect} or {@code message}. */
  default String kind() {
    return this instanceof Connect ? "connect" : this instanceof Disconnect ? "disconnect" : "message";
  }

  /**
   * A client asks to connect; the application accepts or rejects it. {@code headers} are the
   * upgrade request's headers the gateway passed on (often none).
   */
  record Connect(SocketName socket, ConnectionId connectionId, QueryParameters query, Headers headers)
      implements SocketEvent {
    public Connect {
      requireNonNull(socket, "socket");
      requireNonNull(connectionId, "connectionId");
      requireNonNull(query, "query");
      requireNonNull(headers, "headers");
    }

    /** A connect that carries no headers. */
    public Connect(SocketName socket, ConnectionId connectionId, QueryParameters query) {
      this(socket, connectionId, query, Headers.empty());
    }

    /** Names the query parameters and headers, never a value: tokens travel in them. */
    @Override
    public String toString() {
      return "Connect[socket=" + socket + ", connectionId=" + connectionId + ", query=" + Text.names(query.values().keySet())
          + ", headers=" + Text.names(headers.names()) + "]";
    }
  }

  /** A connection has gone: the client closed it, dropped, or the gateway closed it. */
  record Disconnect(SocketName socket, ConnectionId connectionId) implements SocketEvent {
    public Disconnect {
      requireNonNull(socket, "socket");
      requireNonNull(connectionId, "connectionId");
    }
  }

  /**
   * A client sent one message. The payload is kept as bytes; {@link #text()} decodes it as UTF-8,
   * the encoding of websocket text frames and of JSON.
   */
  final class Message implements SocketEvent {
    private final SocketName socket;
    private final ConnectionId connectionId;
    private final byte[] data;

    public Message(SocketName socket, ConnectionId connectionId, byte[] data) {
      this.socket = requireNonNull(socket, "socket");
      this.connectionId = requireNonNull(connectionId, "connectionId");
      this.data = requireNonNull(data, "data").clone();
    }

    /** A message holding {@code text} encoded as UTF-8. */
    public static Message ofText(SocketName socket, ConnectionId connectionId, String text) {
      return new Message(socket, connectionId, text.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public SocketName socket() {
      return socket;
    }

    @Override
    public ConnectionId connectionId() {
      return connectionId;
    }

    /** A copy of the payload. */
    public byte[] bytes() {
      return data.clone();
    }

    /** The payload as UTF-8 text (invalid sequences become U+FFFD). */
    public String text() {
      return new String(data, StandardCharsets.UTF_8);
    }

    /** Whether the payload is valid UTF-8, i.e. {@link #text()} loses nothing. */
    public boolean isText() {
      try {
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(data));
        return true;
      } catch (CharacterCodingException e) {
        return false;
      }
    }

    /** The payload as a stream, for JSON parsers and the like; no copy is made. */
    public InputStream asInputStream() {
      return new ByteArrayInputStream(data);
    }

    /** The payload size in bytes. */
    public int size() {
      return data.length;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Message m && socket.equals(m.socket)
          && connectionId.equals(m.connectionId) && Arrays.equals(data, m.data);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * socket.hashCode() + connectionId.hashCode()) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Message[socket=" + socket + ", connectionId=" + connectionId + ", size=" + data.length + "]";
    }
  }
}
