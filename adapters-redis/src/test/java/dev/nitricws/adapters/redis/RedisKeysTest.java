package dev.nitricws.adapters.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nitricws.domain.ConnectionId;
import dev.nitricws.domain.GroupName;
import dev.nitricws.domain.SocketName;
import io.lettuce.core.cluster.SlotHash;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RedisKeysTest {

  private final RedisKeys keys = new RedisKeys("nws:");
  private final SocketName chat = SocketName.of("chat");

  @Test
  void aSocketsKeysAndEachConnectionsRecordOfItsGroupsShareTheSocketsSlot() {
    int socketSlot = SlotHash.getSlot("{chat}");
    assertThat(keys.socket(chat)).containsExactly("nws:{chat}:exp", "nws:{chat}:ids", "nws:{chat}:data");
    for (String id : List.of("plain", "{other}", "x}{y", "}", "*")) {
      String record = keys.groupsOf(chat, ConnectionId.of(id));
      assertThat(record).isEqualTo("nws:{chat}:groups:" + id);
      assertThat(SlotHash.getSlot(record)).as(record).isEqualTo(socketSlot);
    }
  }

  @Test
  void aGroupsMembersShareOneSlotOfTheirOwnWhateverTheName() {
    for (GroupName group : List.of(GroupName.of("lobby"), GroupName.of("{slot}"), GroupName.of("}"),
        GroupName.of("a}b{c}d"), GroupName.of("%7D"), GroupName.user("ada"))) {
      String[] members = keys.group(chat, group.key());
      String tag = "chat/" + RedisKeys.escape(group.key());
      assertThat(members).containsExactly("nws:{" + tag + "}:exp", "nws:{" + tag + "}:ids");
      assertThat(tag).doesNotContain("}");
      assertThat(Arrays.stream(members).map(SlotHash::getSlot)).as(group.toString()).containsOnly(SlotHash.getSlot(tag));
    }
    assertThat(keys.group(chat, "g:lobby")[0]).isEqualTo("nws:{chat/g:lobby}:exp");
  }

  @Test
  void groupsUsersAndSocketsNeverShareAKey() {
    List<GroupName> groups = List.of(GroupName.of("ada"), GroupName.user("ada"), GroupName.of("}"),
        GroupName.of("%7D"), GroupName.of("%257D"), GroupName.of("%"), GroupName.of("%25"));
    Set<String> seen = new HashSet<>();
    for (SocketName socket : List.of(chat, SocketName.of("chat2"), SocketName.of("cha"))) {
      seen.addAll(List.of(keys.socket(socket)));
      for (GroupName group : groups) {
        seen.addAll(List.of(keys.group(socket, group.key())));
      }
    }
    assertThat(seen).hasSize(3 * 3 + 3 * groups.size() * 2);
  }

  @Test
  void escapingKeepsPlainTextAndEncodesOnlyPercentAndClosingBrace() {
    assertThat(RedisKeys.escape("g:caf\u00e9 {x} 100%")).isEqualTo("g:caf\u00e9 {x%7D 100%25");
    assertThat(RedisKeys.escape("g:lobby")).isEqualTo("g:lobby");
  }
}
