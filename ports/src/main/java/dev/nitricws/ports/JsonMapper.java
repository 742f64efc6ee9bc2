package dev.nitricws.ports;

/**
 * Turns objects into JSON and back, for the JSON sends of {@link Websocket} and the JSON shorthands
 * of {@link MessageContext}. Give one to {@code WebsocketApp.builder(...).jsonMapper(mapper)}; the
 * {@code json} module's {@code JacksonJsonMapper} is one. Implementations must be thread-safe.
 */
public interface JsonMapper {

  /**
   * {@code value} as UTF-8 JSON, in a new array the caller owns (a broadcast sends that one array
   * to every connection, so the mapper must not keep or reuse it).
   *
   * @throws IllegalArgumentException naming the value's type and the problem (keeping the cause)
   *     when {@code value} cannot be written as JSON
   */
  byte[] toJson(Object value);

  /**
   * The UTF-8 JSON {@code json} read as a {@code type}.
   *
   * @throws IllegalArgumentException naming {@code type} and the problem (keeping the cause) when
   *     {@code json} is not JSON or does not fit {@code type}
   */
  <T> T fromJson(byte[] json, Class<T> type);
}
