package dev.nitricws.bootstrap;

import static java.util.Objects.requireNonNull;

import com.google.inject.Inject;
import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.GroupName;
import dev.nitricws.json.JacksonJsonMapper;
import dev.nitricws.json.TypedMessages;
import dev.nitricws.ports.ConnectContext;
import dev.nitricws.ports.Group;
import dev.nitricws.ports.MessageContext;
import dev.nitricws.ports.SocketHandler;
import dev.nitricws.ports.Websocket;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The example chat: a name and rooms, on the framework's groups and typed messages.
 *
 * <ul>
 *   <li>A client connects with {@code ?name=Ada}, kept as the connection's attribute {@code
 *       name}; without one it is {@code guest-<id>}, made from its id when read (nothing stored).
 *   <li>{@code {"action":"join","room":"x"}} and {@code {"action":"leave","room":"x"}} join and
 *       leave a room; the room's members then get {@code {"action":"members","room":"x",
 *       "names":[...]}}.
 *   <li>{@code {"action":"say","room":"x","text":"..."}} from a member sends {@code
 *       {"action":"said","room":"x","from":"Ada","text":"..."}} to the room.
 *   <li>Anything else that is not JSON (plain text, binary) goes to every client as it came: the
 *       seed's broadcast chat.
 * </ul>
 *
 * <p>JSON that does not parse or fit gets the typed messages' error reply; every send is waited
 * for before the sender's next message is handled, so one sender's messages keep their order and
 * no handler thread waits on a slow client.
 */
final class ChatHandler implements SocketHandler {

  private static final Logger LOG = LoggerFactory.getLogger(ChatHandler.class);
  /** The longest name, room name and message text the chat keeps. */
  static final int MAX_NAME = 64;
  static final int MAX_TEXT = 4_000;
  /** How many names a members list shows at most. */
  static final int MAX_LISTED = 200;
  private static final String NAME = "name";

  /** Join a room. */
  record Join(String room) {
    Join {
      room = roomName(room);
    }
  }

  /** Leave a room. */
  record Leave(String room) {
    Leave {
      room = roomName(room);
    }
  }

  /** Say something in a room the sender is in. */
  record Say(String room, String text) {
    Say {
      room = roomName(room);
      if (text == null || text.isEmpty() || text.length() > MAX_TEXT) {
        throw new IllegalArgumentException("text must have 1 to " + MAX_TEXT + " characters");
      }
    }
  }

  /** What a room's members receive when one of them says something. */
  record Said(String action, String room, String from, String text) {
    Said(String room, String from, String text) {
      this("said", room, from, text);
    }
  }

  /** Who is in a room, sent to its members when someone joins or leaves. */
  record Members(String action, String room, List<String> names) {
    Members(String room, List<String> names) {
      this("members", room, names);
    }
  }

  /** The reply to a message the chat refuses (same shape as the typed messages' own). */
  record Refused(String action, String error, String message) {
    Refused(String error, String message) {
      this(TypedMessages.ERROR_TYPE, error, message);
    }
  }

  private final TypedMessages rooms;

  @Inject
  ChatHandler(JacksonJsonMapper mapper) {
    this.rooms = TypedMessages.builder(requireNonNull(mapper, "mapper"))
        .onAsync("join", Join.class, (m, join) -> m.join(join.room())
            .thenCompose(joined -> announceMembers(m.socket(), join.room())))
        .onAsync("leave", Leave.class, (m, leave) -> m.leave(leave.room())
            .thenCompose(left -> announceMembers(m.socket(), leave.room())))
        .onAsync("say", Say.class, ChatHandler::say)
        .build();
  }

  @Override
  public void onConnect(ConnectContext context) {
    // a guest's name is made from its id when read: an idle guest costs no attribute in the store
    context.query().first(NAME).map(String::strip).filter(n -> !n.isEmpty())
        .ifPresent(name -> context.attribute(NAME, cut(name, MAX_NAME)));
    LOG.debug("{} connected", context.connectionId());
  }

  @Override
  public void onMessage(MessageContext context) throws Exception {
    if (isJsonObject(context.message().asInputStream())) {
      context.answerAfter(rooms.handle(context));
    } else {
      // the bytes as they came: text stays text, binary stays binary; waited for before this
      // client's next message, so its messages reach everyone in the order sent
      context.broadcast(context.bytes())
          .thenAccept(report -> LOG.debug("broadcast from {}: {}", context.connectionId(), report));
    }
  }

  private static CompletionStage<?> say(MessageContext m, Say say) {
    GroupName room = GroupName.of(say.room());
    return m.socket().groupsOf(m.connectionId()).<Object>thenCompose(groups -> {
      if (!groups.contains(room)) {
        return m.replyJson(new Refused("not-in-room", "join room '" + cut(say.room(), 32) + "' before saying something in it"))
            .thenApply(outcome -> (Object) outcome);
      }
      String from = m.attribute(NAME).orElseGet(() -> guestName(m.connectionId()));
      return m.socket().group(say.room()).broadcastJson(new Said(say.room(), from, say.text()))
          .thenApply(report -> (Object) report);
    });
  }

  /** Sends a room's members the names of who is in it (at most {@link #MAX_LISTED}). */
  private static CompletionStage<?> announceMembers(Websocket socket, String roomName) {
    Group room = socket.group(roomName);
    List<String> names = Collections.synchronizedList(new ArrayList<>());
    return room.members(100, page -> CompletableFuture.allOf(page.stream()
            .map(id -> nameOf(socket, id).thenAccept(name -> {
              if (names.size() < MAX_LISTED) {
                names.add(name);
              }
            }).toCompletableFuture())
            .toArray(CompletableFuture[]::new)))
        .thenCompose(count -> {
          List<String> sorted;
          synchronized (names) {
            sorted = names.stream().sorted().toList();
          }
          return room.broadcastJson(new Members(roomName, sorted));
        });
  }

  private static CompletionStage<String> nameOf(Websocket socket, ConnectionId id) {
    return socket.connection(id).thenApply(found -> found.map(c -> c.attributes().get(NAME)).orElse(null))
        .thenApply(name -> name == null ? guestName(id) : name);
  }

  /** The name of a connection that gave none. */
  private static String guestName(ConnectionId id) {
    return "guest-" + cut(id.value(), 6);
  }

  /** Whether the payload's first non-blank byte opens a JSON object. */
  private static boolean isJsonObject(InputStream payload) throws IOException {
    for (int b = payload.read(); b >= 0; b = payload.read()) {
      if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
        return b == '{';
      }
    }
    return false;
  }

  private static String roomName(String room) {
    String name = room == null ? "" : room.strip();
    if (name.isEmpty() || name.length() > MAX_NAME) {
      throw new IllegalArgumentException("room must have 1 to " + MAX_NAME + " characters");
    }
    return name;
  }

  /** {@code text} cut to at most {@code max} characters, never between the two halves of a pair. */
  private static String cut(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    return text.substring(0, Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max);
  }
}
