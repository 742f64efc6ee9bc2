package dev.nitricws.domain;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Nitric's rule for resource names (websockets, key-value stores): lower kebab case, {@value
 * #RULE}, at most {@value #MAX_LENGTH} characters. The Nitric CLI refuses any other name when it
 * collects an app for deployment, and cloud providers build their own resource names from it.
 */
public final class ResourceName {

  /** The rule, as a regular expression. */
  public static final String RULE = "^[a-z0-9]+(-[a-z0-9]+)*$";
  /** The longest name accepted. */
  public static final int MAX_LENGTH = 64;

  private static final Pattern PATTERN = Pattern.compile(RULE);

  private ResourceName() {}

  /**
   * Returns {@code name} when it follows the rule.
   *
   * @param what what the name names, for the message (e.g. "socket name")
   * @throws IllegalArgumentException naming the rule and a name that would follow it
   */
  public static String check(String name, String what) {
    requireNonNull(name, what);
    if (name.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(what + " '" + Text.preview(name) + "' is " + name.length()
          + " characters long; Nitric resource names have at most " + MAX_LENGTH);
    }
    if (!PATTERN.matcher(name).matches()) {
      String suggestion = suggest(name);
      throw new IllegalArgumentException(what + " '" + Text.preview(name) + "' breaks Nitric's naming rule "
          + RULE + " (lower kebab case)" + (suggestion.isEmpty() ? "" : "; try '" + suggestion + "'"));
    }
    return name;
  }

  /**
   * A name in lower kebab case made from {@code name}: words split at case changes, digits
   * following letters stay with them, anything but letters and digits separates words
   * ({@code "Chat_Room"} and {@code "chatRoom"} give {@code "chat-room"}). Empty when nothing is left.
   */
  public static String suggest(String name) {
    requireNonNull(name, "name");
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum) {
        flush(word, words);
        continue;
      }
      boolean upper = c >= 'A' && c <= 'Z';
      if (upper && !word.isEmpty()) {
        char previous = name.charAt(i - 1);
        boolean nextLower = i + 1 < name.length() && name.charAt(i + 1) >= 'a' && name.charAt(i + 1) <= 'z';
        boolean previousUpper = previous >= 'A' && previous <= 'Z';
        if (!previousUpper || nextLower) {
          flush(word, words);
        }
      }
      word.append(c);
    }
    flush(word, words);
    String joined = String.join("-", words).toLowerCase(Locale.ROOT);
    return joined.length() > MAX_LENGTH ? joined.substring(0, MAX_LENGTH).replaceAll("-+$", "") : joined;
  }

  private static void flush(StringBuilder word, List<String> words) {
    if (!word.isEmpty()) {
      words.add(word.toString());
      word.setLength(0);
    }
  }
}
