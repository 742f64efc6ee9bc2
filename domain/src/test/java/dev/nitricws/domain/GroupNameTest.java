package dev.nitricws.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GroupNameTest {

  @Test
  void namedGroupsAndUsersHaveKeysOfTheirOwn() {
    assertThat(GroupName.of("ada").key()).isEqualTo("g:ada");
    assertThat(GroupName.user("ada").key()).isEqualTo("u:ada");
    assertThat(GroupName.of("ada")).isNotEqualTo(GroupName.user("ada"));
    assertThat(GroupName.user("ada").isUser()).isTrue();
    assertThat(GroupName.of("u:ada").isUser()).isFalse();
    assertThat(GroupName.of("u:ada").name()).isEqualTo("u:ada");
    assertThat(new GroupName(GroupName.user("a b").key())).isEqualTo(GroupName.user("a b"));
  }

  @Test
  void badNamesAreRefusedWithTheProblemNamed() {
    assertThatThrownBy(() -> GroupName.of("")).hasMessageContaining("group name must have 1 to 256 characters, got 0");
    assertThatThrownBy(() -> GroupName.user("x".repeat(257))).hasMessageContaining("user id must have 1 to 256");
    assertThatThrownBy(() -> GroupName.of("a\u0000b")).hasMessageContaining("group name has U+0000 at index 1");
    assertThatThrownBy(() -> GroupName.of("a\uD800")).hasMessageContaining("unpaired surrogate");
    assertThatThrownBy(() -> new GroupName("x:room")).hasMessageContaining("must start with 'g:' or 'u:'");
    assertThatThrownBy(() -> GroupName.of(null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void toStringCutsAndEscapesTheName() {
    assertThat(GroupName.of("lobby")).hasToString("group 'lobby'");
    assertThat(GroupName.user("a\nb").toString()).doesNotContain("\n").startsWith("user '");
  }
}
