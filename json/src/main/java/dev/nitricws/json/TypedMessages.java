package dev.nitricws.json;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidDefinitionException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nitricws.domain.LogText;
import dev.nitricws.ports.MessageContext;
import dev.nitricws.ports.SocketHandler;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incoming JSON objects routed by a type field ({@value #DEFAULT_TYPE_FIELD} unless {@link
 * Builder#typeField} says otherwise, like API Gateway's {@code $request.body.action}) to handlers
 * that take the message as a record:
 *
 * <pre>{@code
 * record Say(String text) {}
 * TypedMessages messages = TypedMessages.builder(mapper)
 *     .on("say", Say.class, (m, say) -> m.broadcastJson(say))
 *     .build();
 * SocketHandler handler = SocketHandler.builder().onMessageAsync(messages).build();
 * }</pre>
 *
 * <p>A message that is not a JSON object, has no string type field, names a type with no handler
 * (and there is no {@link Builder#otherwise} fallback), or does not fit its record (a field of the
 * wrong type, or a record constructor that throws) is answered on the same connection with
 * {@code {"action":"error","error":"<code>","message":"<what was wrong>"}} (the type field's
 * name in place of {@code action}; codes in {@link Refusal}), logged at debug level, and not passed
 * to the socket's error hook: it is the client's mistake, not the app's. The message quotes at
 * most 64 characters of what the client sent. What a handler itself throws is the app's and goes
 * to the error hook as usual.
 *
 * <p>Unknown properties follow the mapper: {@link JacksonJsonMapper}'s default ignores them, so a
 * client may send more than a record holds; with {@code FAIL_ON_UNKNOWN_PROPERTIES} on they get an
 * {@code invalid-message} reply. The type field itself is never unknown: it is dropped before the
 * record is read unless the record has a property of that name. A property the client leaves out
 * is null (0, false for primitives): a record that needs it refuses it in its constructor.
 *
 * <p>Thread-safe; handlers run on the app's handler threads, one message at a time per connection.
 */
public final class TypedMessages implements SocketHandler.AsyncCallback<MessageContext> {

  /** The type field unless {@link Builder#typeField} says otherwise. */
  public static final String DEFAULT_TYPE_FIELD = "action";
  /** The type of the replies that refuse a message. */
  public static final String ERROR_TYPE = "error";

  private static final Logger LOG = LoggerFactory.getLogger(TypedMessages.class);
  /** How much of one thing the client sent (a type, a field name) a reply quotes. */
  private static final int QUOTED = JacksonJsonMapper.QUOTED_INPUT;
  /** How long the detail of a reply's message may be. */
  private static final int DETAIL = 200;

  /** Why a message was refused: the {@code error} field of the reply. */
  public enum Refusal {
    /** The payload is not JSON, or not a JSON object. */
    INVALID_JSON("invalid-json"),
    /** The object has no type field, or its value is not a string. */
    MISSING_TYPE("missing-type"),
    /** No handler takes that type, and there is no fallback. */
    UNKNOWN_TYPE("unknown-type"),
    /** The object does not fit the type's record: a field of the wrong type, or the record's constructor refused it. */
    INVALID_MESSAGE("invalid-message");

    private final String code;

    Refusal(String code) {
      this.code = code;
    }

    /** The code as the reply carries it, e.g. {@code invalid-json}. */
    public String code() {
      return code;
    }
  }

  /** A handler of one type of message. */
  @FunctionalInterface
  public interface Handler<T> {
    void handle(MessageContext context, T message) throws Exception;
  }

  /**
   * A handler of one type of message that returns the work it started: the connection's next
   * message waits for it (see {@link SocketHandler.AsyncCallback}); null means nothing to wait for.
   */
  @FunctionalInterface
  public interface AsyncHandler<T> {
    CompletionStage<?> handle(MessageContext context, T message) throws Exception;
  }

  /** What to do with a message whose type has no handler; gets the type as the client sent it. */
  @FunctionalInterface
  public interface Fallback {
    void handle(MessageContext context, String type) throws Exception;
  }

  private final ObjectMapper mapper;
  private final ObjectReader reader;
  private final String typeField;
  private final Map<String, Route> routes;
  private final Fallback fallback;
  private final String known;

  private TypedMessages(Builder b) {
    this.mapper = b.mapper;
    this.reader = b.mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    this.typeField = b.typeField;
    Map<String, Route> map = new LinkedHashMap<>();
    b.routes.forEach((type, pending) -> map.put(type, new Route(pending.type, hasProperty(b.mapper, pending.type,
        b.typeField), pending.invoker)));
    this.routes = Map.copyOf(map);
    this.fallback = b.fallback;
    this.known = quote(String.join(", ", map.keySet()), DETAIL);
  }

  /** Starts routing messages read, and refusals written, with {@code mapper}: give the app the same one. */
  public static Builder builder(JacksonJsonMapper mapper) {
    return new Builder(requireNonNull(mapper, "mapper").objectMapper());
  }

  /** The type field messages are routed by. */
  public String typeField() {
    return typeField;
  }

  /**
   * Reads the message, and passes it to the handler of its type (returning what an async handler
   * returns), to the fallback, or refuses it with an error reply (awaited like any reply).
   */
  @Override
  public CompletionStage<?> handle(MessageContext context) throws Exception {
    JsonNode tree;
    try {
      tree = reader.readTree(context.message().asInputStream());
    } catch (IOException e) {
      return refuse(context, Refusal.INVALID_JSON, "not JSON: " + JacksonJsonMapper.problem(e) + where(e));
    }
    if (tree == null || !tree.isObject()) {
      return refuse(context, Refusal.INVALID_JSON, "a message is one JSON object with a string field '" + typeField + "'");
    }
    JsonNode typeNode = tree.get(typeField);
    if (typeNode == null || !typeNode.isTextual()) {
      return refuse(context, Refusal.MISSING_TYPE, "the message has no string field '" + typeField + "'");
    }
    String type = typeNode.textValue();
    Route route = routes.get(type);
    if (route == null) {
      if (fallback != null) {
        fallback.handle(context, type);
        return null;
      }
      return refuse(context, Refusal.UNKNOWN_TYPE, "no handler for " + typeField + " '" + quote(type, QUOTED)
          + "'; known: " + known);
    }
    Object message;
    try {
      ObjectNode object = (ObjectNode) tree;
      if (!route.keepsTypeField) {
        object.remove(typeField);
      }
      message = mapper.treeToValue(object, route.type);
    } catch (InvalidDefinitionException e) {
      throw new IllegalStateException("cannot read '" + quote(type, QUOTED) + "' messages as " + route.type.getName()
          + ": " + JacksonJsonMapper.problem(e), e);
    } catch (JsonProcessingException | RuntimeException e) {
      return refuse(context, Refusal.INVALID_MESSAGE, "'" + quote(type, QUOTED) + "' message: " + Misfit.describe(e));
    }
    return route.invoker.handle(context, message);
  }

  /** Answers {@code context}'s sender with an error reply. */
  private CompletionStage<?> refuse(MessageContext context, Refusal refusal, String message) throws JsonProcessingException {
    LOG.debug("message of connection {} on socket '{}' refused: {}", context.connectionId(), context.socket().name(),
        refusal.code());
    ObjectNode reply = mapper.createObjectNode()
        .put(typeField, ERROR_TYPE)
        .put("error", refusal.code())
        .put("message", message);
    context.reply(mapper.writeValueAsBytes(reply));
    return null;
  }

  /** " (line L, column C)" of a parse error, when Jackson knows it. */
  private static String where(IOException e) {
    if (e instanceof JsonProcessingException j && j.getLocation() != null && j.getLocation().getLineNr() > 0) {
      return " (line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")";
    }
    return "";
  }

  /** Client text as a reply quotes it: cut to {@code max} characters, control characters escaped. */
  static String quote(String text, int max) {
    return LogText.escape(text, max);
  }

  /** Whether Jackson reads a property named {@code name} into {@code type}. */
  private static boolean hasProperty(ObjectMapper mapper, Class<?> type, String name) {
    BeanDescription description = mapper.getDeserializationConfig().introspect(mapper.constructType(type));
    return description.findProperties().stream().anyMatch(p -> p.getName().equals(name));
  }

  /** Calls one handler with the message read for it. */
  @FunctionalInterface
  private interface Invoker {
    CompletionStage<?> handle(MessageContext context, Object message) throws Exception;
  }

  private record Pending(Class<?> type, Invoker invoker) {}

  private record Route(Class<?> type, boolean keepsTypeField, Invoker invoker) {}

  /** Routes and their handlers; {@link #build()} needs at least one. */
  public static final class Builder {
    private final ObjectMapper mapper;
    private final Map<String, Pending> routes = new LinkedHashMap<>();
    private String typeField = DEFAULT_TYPE_FIELD;
    private Fallback fallback;

    private Builder(ObjectMapper mapper) {
      this.mapper = mapper;
    }

    /** The field that names a message's type (default {@value TypedMessages#DEFAULT_TYPE_FIELD}); also the type field of error replies. */
    public Builder typeField(String name) {
      requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("typeField must not be empty");
      }
      this.typeField = name;
      return this;
    }

    /** Messages of {@code type} are read as {@code messageType} and passed to {@code handler}. */
    public <T> Builder on(String type, Class<T> messageType, Handler<? super T> handler) {
      requireNonNull(handler, "handler");
      return route(type, messageType, (context, message) -> {
        handler.handle(context, messageType.cast(message));
        return null;
      });
    }

    /**
     * Messages of {@code type} are read as {@code messageType} and passed to {@code handler}, whose
     * returned work the connection's next message waits for.
     */
    public <T> Builder onAsync(String type, Class<T> messageType, AsyncHandler<? super T> handler) {
      requireNonNull(handler, "handler");
      return route(type, messageType, (context, message) -> handler.handle(context, messageType.cast(message)));
    }

    /** Messages whose type has no handler go to {@code fallback} instead of getting an {@code unknown-type} reply. */
    public Builder otherwise(Fallback fallback) {
      this.fallback = requireNonNull(fallback, "fallback");
      return this;
    }

    private Builder route(String type, Class<?> messageType, Invoker invoker) {
      requireNonNull(type, "type");
      requireNonNull(messageType, "messageType");
      if (type.isEmpty()) {
        throw new IllegalArgumentException("a message type must not be empty");
      }
      if (routes.putIfAbsent(type, new Pending(messageType, invoker)) != null) {
        throw new IllegalStateException("message type '" + type + "' already has a handler");
      }
      return this;
    }

    /** The router; fails if no handler was given. */
    public TypedMessages build() {
      if (routes.isEmpty()) {
        throw new IllegalStateException("typed messages need at least one handler; call on(type, recordClass, handler)");
      }
      return new TypedMessages(this);
    }
  }
}
