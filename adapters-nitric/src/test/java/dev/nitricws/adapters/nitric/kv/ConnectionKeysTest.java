package dev.nitricws.adapters.nitric.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.SocketName;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The key layout: escaping, round trips, the characters keys may hold, prefixes and sort order,
 * for connections and for group memberships.
 */
class ConnectionKeysTest {

  private static final SocketName CHAT = SocketName.of("chat");
  private static final Instant EXPIRES = Instant.ofEpochMilli(1_772_366_400_000L);
  /** What Firestore, Azure Table, DynamoDB and the local runtime's regex scan all accept. */
  private static final Pattern ALLOWED = Pattern.compile("[A-Za-z0-9._-]+");

  private static final List<String> HOSTILE = List.of(
      "c1",
      "7f3c2a9e-4b1d-4c8e-9a6f-2d5b8e1c0f47",
      "Jx2kQ-abc_DEF=",
      ".", "..", "...", "__", "__name__", "_", "_5F", "_2E", "a.b", "a_b",
      "slash/back\\slash#hash?query%25",
      "quote' double\" `tick`",
      "'; DROP TABLE connections; --",
      "sp ace and\u00a0nbsp",
      "日本語 ключ émoji 🙂👍🏽 مرحبا",
      "\ud83d\ude00".repeat(128),
      "z".repeat(256),
      "\u00ff\u0100\u07ff\u0800\uffef\ud800\udc00\udbff\udfff");

  @Test
  void lettersDigitsAndDashStayAndEveryOtherCharacterIsUnderscoreAndTwoUpperHexDigitsPerUtf8Byte() {
    assertThat(ConnectionKeys.escape("Abc-09")).isEqualTo("Abc-09");
    assertThat(ConnectionKeys.escape("a.b_c")).isEqualTo("a_2Eb_5Fc");
    assertThat(ConnectionKeys.escape("c/1 x")).isEqualTo("c_2F1_20x");
    assertThat(ConnectionKeys.escape("é")).isEqualTo("_C3_A9");
    assertThat(ConnectionKeys.escape("🙂")).isEqualTo("_F0_9F_99_82");
  }

  @Test
  void theKeysOfAConnectionAreItsEntryAndItsMemberWithTheExpiryInEpochMillis() {
    ConnectionId id = ConnectionId.of("c/1.x");

    assertThat(ConnectionKeys.entryKey(CHAT, id)).isEqualTo("chat.e.c_2F1_2Ex");
    assertThat(ConnectionKeys.memberKey(CHAT, id, EXPIRES)).isEqualTo("chat.m.c_2F1_2Ex.1772366400000");
    assertThat(ConnectionKeys.memberPrefix(CHAT)).isEqualTo("chat.m.");
  }

  @Test
  void hostileIdsRoundTripThroughTheirMemberKeys() {
    for (String text : allIds()) {
      ConnectionId id = ConnectionId.of(text);
      String key = ConnectionKeys.memberKey(CHAT, id, EXPIRES);

      ConnectionKeys.Member member = ConnectionKeys.parseMember(ConnectionKeys.memberPrefix(CHAT), key);

      assertThat(member.id()).as("id of %s", key).isEqualTo(id);
      assertThat(member.expiresAt()).isEqualTo(EXPIRES);
      assertThat(member.escapedId()).isEqualTo(ConnectionKeys.escape(text));
      assertThat(ConnectionKeys.unescape(member.escapedId())).isEqualTo(text);
    }
  }

  @Test
  void everyKeyHoldsOnlyCharactersEveryProviderAccepts() {
    for (String text : allIds()) {
      ConnectionId id = ConnectionId.of(text);
      for (String key : List.of(ConnectionKeys.entryKey(CHAT, id), ConnectionKeys.memberKey(CHAT, id, EXPIRES))) {
        assertThat(key).as("key of %s", text).matches(ALLOWED);
        // Firestore document ids: not '.' or '..', not __.*__; keys start with the socket name
        assertThat(key).isNotIn(".", "..").doesNotStartWith("_").doesNotStartWith(".");
      }
    }
  }

  @Test
  void aMemberPrefixMatchesOneSocketsMemberKeysOnlyAndAnIdPrefixOneIdsKeysOnly() {
    List<SocketName> sockets = List.of(CHAT, SocketName.of("chat-room"), SocketName.of("chatroom"),
        SocketName.of("cha"), SocketName.of("m"), SocketName.of("e"));
    List<String> ids = List.of("a", "a-b", "ab", "a.b", "a_2Eb", "b", "chat", "m");
    for (SocketName socket : sockets) {
      for (String idText : ids) {
        ConnectionId id = ConnectionId.of(idText);
        String entry = ConnectionKeys.entryKey(socket, id);
        String member = ConnectionKeys.memberKey(socket, id, EXPIRES);
        for (SocketName other : sockets) {
          assertThat(member.startsWith(ConnectionKeys.memberPrefix(other))).as("%s under %s", member, other)
              .isEqualTo(other.equals(socket));
          assertThat(entry).doesNotStartWith(ConnectionKeys.memberPrefix(other));
        }
        for (String otherId : ids) {
          String idPrefix = ConnectionKeys.memberPrefix(socket) + ConnectionKeys.escape(otherId) + ".";
          assertThat(member.startsWith(idPrefix)).as("%s under %s", member, idPrefix).isEqualTo(otherId.equals(idText));
        }
      }
    }
  }

  @Test
  void sortedMemberKeysOfOneIdSitNextToEachOther() {
    Random random = new Random(42);
    List<String> keys = new ArrayList<>();
    Map<String, String> idOfKey = new HashMap<>();
    for (String text : allIds()) {
      for (int i = 0; i < 3; i++) {
        // expiries of different lengths and orders, as renewals leave them
        String key = ConnectionKeys.memberKey(CHAT, ConnectionId.of(text),
            Instant.ofEpochMilli((long) (random.nextDouble() * 1e13)));
        keys.add(key);
        idOfKey.put(key, text);
      }
    }
    keys.sort(null);

    List<String> runs = new ArrayList<>();
    for (String key : keys) {
      String id = idOfKey.get(key);
      if (runs.isEmpty() || !runs.get(runs.size() - 1).equals(id)) {
        runs.add(id);
      }
    }
    assertThat(runs).as("each id's keys form one run").doesNotHaveDuplicates();
  }

  @Test
  void onlyKeysWrittenThisWayAreReadBack() {
    String prefix = ConnectionKeys.memberPrefix(CHAT);
    List<String> foreign = List.of(
        "chat.e.c1",               // an entry
        "chatroom.m.c1.1",         // another socket
        "chat.m.c1",               // no expiry
        "chat.m.c1.12.5",          // two dots
        "chat.m.c1.",              // empty expiry
        "chat.m.c1.012",           // not written this way
        "chat.m.c1.+12",
        "chat.m.c1.soon",
        "chat.m.c_c3_a9.1",        // lower-case hex
        "chat.m._41.1",            // 'A' needs no escape
        "chat.m.c_2.1",            // cut escape
        "chat.m.c_FF.1",           // not UTF-8
        "chat.m._ED_A0_80.1",      // a surrogate written as UTF-8
        "chat.m._01.1",            // a control character: not an id
        "chat.m.c/1.1",            // a character keys never hold
        "chat.m..1");              // empty id
    for (String key : foreign) {
      assertThatThrownBy(() -> ConnectionKeys.parseMember(prefix, key)).as(key)
          .isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(ConnectionKeys.parseMember(prefix, "chat.m.c1.-5").expiresAt()).isEqualTo(Instant.ofEpochMilli(-5));
  }

  @Test
  void aKeyLongerThanTheTightestProviderLimitIsRefusedNamingTheIdItsLengthAndTheLimit() {
    ConnectionId fits = ConnectionId.of("é".repeat(167) + "a");
    ConnectionId tooLong = ConnectionId.of("é".repeat(167) + "ab");
    String longest = ConnectionKeys.memberKey(CHAT, fits, EXPIRES);
    assertThat(longest).hasSize(ConnectionKeys.MAX_KEY_LENGTH);

    assertThat(ConnectionKeys.requireShortEnough(longest, fits)).isSameAs(longest);
    assertThatThrownBy(() -> ConnectionKeys.requireShortEnough(ConnectionKeys.memberKey(CHAT, tooLong, EXPIRES), tooLong))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connection id '" + "é".repeat(40) + "...'")
        .hasMessageContaining("169 characters")
        .hasMessageContaining("key of 1025 bytes")
        .hasMessageContaining("at most 1024 bytes");
  }

  // ---------------------------------------------------------------- groups

  @Test
  void aMembershipIsAGroupMemberKeyAndAJoinedKeyBothCarryingTheEntrysExpiryAndTheConnectionHasAGroupsFlag() {
    ConnectionId id = ConnectionId.of("c/1.x");
    String lobby = ConnectionKeys.groupPart(GroupName.of("lobby"));

    assertThat(lobby).isEqualTo("g-lobby");
    assertThat(ConnectionKeys.groupPart(GroupName.user("ada@example.com"))).isEqualTo("u-ada_40example_2Ecom");
    assertThat(ConnectionKeys.groupMemberPrefix(CHAT, lobby)).isEqualTo("chat.g.g-lobby.");
    assertThat(ConnectionKeys.groupMemberKey(CHAT, lobby, id, EXPIRES)).isEqualTo("chat.g.g-lobby.c_2F1_2Ex.1772366400000");
    assertThat(ConnectionKeys.joinedPrefix(CHAT, id)).isEqualTo("chat.j.c_2F1_2Ex.");
    assertThat(ConnectionKeys.joinedGroupPrefix(CHAT, id, lobby)).isEqualTo("chat.j.c_2F1_2Ex.g-lobby.");
    assertThat(ConnectionKeys.joinedKey(CHAT, id, lobby, EXPIRES)).isEqualTo("chat.j.c_2F1_2Ex.g-lobby.1772366400000");
    assertThat(ConnectionKeys.groupsFlagKey(CHAT, id)).isEqualTo("chat.f.c_2F1_2Ex");
  }

  @Test
  void aGroupTooLongToWriteIsItsSha256AndTheLongestGroupsStayWithinTheirShare() throws Exception {
    String fits = "x".repeat(ConnectionKeys.MAX_GROUP_PART - 2);
    assertThat(ConnectionKeys.groupPart(GroupName.of(fits))).isEqualTo("g-" + fits);
    GroupName tooLong = GroupName.of(fits + "x");
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(("g:" + fits + "x").getBytes(StandardCharsets.UTF_8)));
    assertThat(ConnectionKeys.groupPart(tooLong)).isEqualTo("h-" + sha);

    for (GroupName longest : List.of(GroupName.of("x".repeat(GroupName.MAX_LENGTH)),
        GroupName.user("\ud83d\ude00".repeat(GroupName.MAX_LENGTH / 2)), GroupName.of("\u65e5".repeat(GroupName.MAX_LENGTH)),
        GroupName.of("%".repeat(GroupName.MAX_LENGTH)))) {
      String part = ConnectionKeys.groupPart(longest);
      assertThat(part).as("part of %s", longest).startsWith("h-").hasSize(ConnectionKeys.MAX_GROUP_PART).matches(ALLOWED);
      assertThat(ConnectionKeys.parseGroupPart(part)).isEmpty();
    }
    assertThat(ConnectionKeys.groupPart(GroupName.of("x".repeat(GroupName.MAX_LENGTH))))
        .isNotEqualTo(ConnectionKeys.groupPart(GroupName.user("x".repeat(GroupName.MAX_LENGTH))));
  }

  @Test
  void hostileGroupNamesRoundTripThroughTheirKeysWhichHoldOnlyAllowedCharacters() {
    ConnectionId id = ConnectionId.of("c/1.x");
    for (String text : allIds()) {
      for (GroupName group : List.of(GroupName.of(text), GroupName.user(text))) {
        String part = ConnectionKeys.groupPart(group);
        String joined = ConnectionKeys.joinedKey(CHAT, id, part, EXPIRES);
        String member = ConnectionKeys.groupMemberKey(CHAT, part, id, EXPIRES);

        ConnectionKeys.Joined read = ConnectionKeys.parseJoined(ConnectionKeys.joinedPrefix(CHAT, id), joined);
        assertThat(read.groupPart()).isEqualTo(part);
        assertThat(read.expiresAt()).isEqualTo(EXPIRES);
        assertThat(read.group()).as("group of %s", joined).isEqualTo(part.startsWith("h-") ? Optional.empty() : Optional.of(group));
        ConnectionKeys.Member m = ConnectionKeys.parseMember(ConnectionKeys.groupMemberPrefix(CHAT, part), member);
        assertThat(m.id()).isEqualTo(id);
        assertThat(m.expiresAt()).isEqualTo(EXPIRES);
        for (String key : List.of(joined, member, ConnectionKeys.groupsFlagKey(CHAT, id))) {
          assertThat(key).as("key of %s", group).matches(ALLOWED).doesNotStartWith("_").doesNotStartWith(".");
          assertThat(key.length()).isLessThanOrEqualTo(ConnectionKeys.MAX_KEY_LENGTH);
        }
      }
    }
  }

  @Test
  void aGroupPrefixMatchesOneGroupOfOneSocketAndAJoinedPrefixOneConnectionOrOneOfItsGroups() {
    List<SocketName> sockets = List.of(CHAT, SocketName.of("chat-room"), SocketName.of("cha"), SocketName.of("g"),
        SocketName.of("j"));
    List<GroupName> groups = List.of(GroupName.of("a"), GroupName.of("ab"), GroupName.of("a-b"), GroupName.of("a.b"),
        GroupName.of("a_"), GroupName.of("*"), GroupName.user("a"), GroupName.user("ab"),
        GroupName.of("a".repeat(GroupName.MAX_LENGTH)), GroupName.of("b".repeat(GroupName.MAX_LENGTH)));
    List<ConnectionId> ids = List.of(ConnectionId.of("a"), ConnectionId.of("ab"), ConnectionId.of("a-b"),
        ConnectionId.of("g-a"), ConnectionId.of("a.b"));
    List<String> keys = new ArrayList<>();
    Map<String, String> owner = new HashMap<>();
    for (SocketName socket : sockets) {
      for (ConnectionId id : ids) {
        keys.add(ConnectionKeys.entryKey(socket, id));
        keys.add(ConnectionKeys.memberKey(socket, id, EXPIRES));
        keys.add(ConnectionKeys.groupsFlagKey(socket, id));
        for (GroupName group : groups) {
          String part = ConnectionKeys.groupPart(group);
          String member = ConnectionKeys.groupMemberKey(socket, part, id, EXPIRES);
          String joined = ConnectionKeys.joinedKey(socket, id, part, EXPIRES);
          keys.add(member);
          keys.add(joined);
          owner.put(member, socket + "|" + group.key());
          owner.put(joined, socket + "|" + id.value() + "|" + group.key());
        }
      }
    }
    for (SocketName socket : sockets) {
      for (GroupName group : groups) {
        String prefix = ConnectionKeys.groupMemberPrefix(socket, ConnectionKeys.groupPart(group));
        assertThat(keys.stream().filter(k -> k.startsWith(prefix)))
            .as("keys under %s", prefix).hasSize(ids.size())
            .allSatisfy(k -> assertThat(owner.get(k)).isEqualTo(socket + "|" + group.key()));
      }
      for (ConnectionId id : ids) {
        String prefix = ConnectionKeys.joinedPrefix(socket, id);
        assertThat(keys.stream().filter(k -> k.startsWith(prefix)))
            .as("keys under %s", prefix).hasSize(groups.size())
            .allSatisfy(k -> assertThat(owner.get(k)).startsWith(socket + "|" + id.value() + "|"));
        for (GroupName group : groups) {
          String one = ConnectionKeys.joinedGroupPrefix(socket, id, ConnectionKeys.groupPart(group));
          assertThat(keys.stream().filter(k -> k.startsWith(one))).as("keys under %s", one)
              .containsExactly(ConnectionKeys.joinedKey(socket, id, ConnectionKeys.groupPart(group), EXPIRES));
        }
      }
      assertThat(keys.stream().filter(k -> k.startsWith(ConnectionKeys.memberPrefix(socket))))
          .hasSize(ids.size());
    }
  }

  @Test
  void onlyGroupsWrittenThisWayAreReadBack() {
    String prefix = ConnectionKeys.joinedPrefix(CHAT, ConnectionId.of("c1"));
    List<String> foreign = List.of(
        "chat.j.c1.g-a",                          // no expiry
        "chat.j.c1.x-a.1",                        // no such kind
        "chat.j.c1.g-.1",                         // empty name
        "chat.j.c1.g-_41.1",                      // 'A' needs no escape
        "chat.j.c1.g-a.b.1",                      // two dots
        "chat.j.c1.h-abc.1",                      // a short hash
        "chat.j.c1.h-" + "A".repeat(64) + ".1",   // upper-case hash
        "chat.j.c1.g-" + "x".repeat(65) + ".1",   // long enough to be hashed
        "chat.j.c2.g-a.1");                       // another connection
    for (String key : foreign) {
      assertThatThrownBy(() -> ConnectionKeys.parseJoined(prefix, key)).as(key)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void anIdTooLongForAMembershipKeyIsRefusedNamingItsLength() {
    ConnectionId id = ConnectionId.of("\u65e5".repeat(111) + "a");
    assertThat(ConnectionKeys.memberKey(CHAT, id, EXPIRES)).hasSizeLessThanOrEqualTo(ConnectionKeys.MAX_KEY_LENGTH);
    String joined = ConnectionKeys.joinedKey(CHAT, id, ConnectionKeys.groupPart(GroupName.of("lobby")), EXPIRES);

    assertThatThrownBy(() -> ConnectionKeys.requireShortEnough(joined, id))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("112 characters")
        .hasMessageContaining("key of 1029 bytes")
        .hasMessageContaining("at most 1024 bytes");
  }

  /** The hostile ids and a few hundred random ones of any code point an id may hold. */
  private static List<String> allIds() {
    List<String> all = new ArrayList<>(HOSTILE);
    Random random = new Random(7);
    while (all.size() < HOSTILE.size() + 300) {
      StringBuilder id = new StringBuilder();
      int length = 1 + random.nextInt(24);
      while (id.length() < length) {
        int cp = switch (random.nextInt(4)) {
          case 0 -> 0x20 + random.nextInt(0x5f);
          case 1 -> 0xa0 + random.nextInt(0x700);
          case 2 -> 0x800 + random.nextInt(0xd800 - 0x800);
          default -> 0x10000 + random.nextInt(0x100000);
        };
        id.appendCodePoint(cp);
      }
      String text = id.toString().strip();
      if (!text.isEmpty() && text.length() <= ConnectionId.MAX_LENGTH) {
        all.add(text);
      }
    }
    return all;
  }
}
