package dev.nitricws.runtime.gateway;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which browser origins may open a websocket: any (no list, or {@code *}), or exactly the listed
 * {@code scheme://host[:port]} values, compared without regard to case. A request without an
 * Origin header (not from a browser) is always allowed: the check guards against other sites'
 * pages, which browsers always mark with their origin. Immutable.
 */
public final class OriginPolicy {

  /** Any origin may connect. */
  public static final OriginPolicy ANY = new OriginPolicy(Set.of(), true);

  private static final Pattern ORIGIN =
      Pattern.compile("[a-z][a-z0-9+.-]*://[^/?#@\\s:]+(:(\\d{1,5}))?", Pattern.CASE_INSENSITIVE);

  private final Set<String> allowed;
  private final boolean any;

  private OriginPolicy(Set<String> allowed, boolean any) {
    this.allowed = allowed;
    this.any = any;
  }

  /**
   * The policy for these entries; empty or containing {@code *} allows any origin.
   *
   * @throws IllegalArgumentException naming an entry that is not {@code *} or scheme://host[:port]
   */
  public static OriginPolicy of(List<String> entries) {
    requireNonNull(entries, "entries");
    Set<String> allowed = new TreeSet<>();
    boolean any = entries.isEmpty();
    for (String entry : entries) {
      requireNonNull(entry, "allowed origin");
      String origin = entry.trim();
      if (origin.equals("*")) {
        any = true;
        continue;
      }
      var matcher = ORIGIN.matcher(origin);
      if (!matcher.matches() || (matcher.group(2) != null && Integer.parseInt(matcher.group(2)) > 65535)) {
        throw new IllegalArgumentException("allowed origin '" + entry
            + "' must be * or scheme://host[:port], with no path, e.g. https://chat.example.com");
      }
      allowed.add(origin.toLowerCase(Locale.ROOT));
    }
    return any ? ANY : new OriginPolicy(Set.copyOf(allowed), false);
  }

  /** Whether a request with this Origin header (null: none) may open a websocket. */
  boolean allows(String origin) {
    return any || origin == null || allowed.contains(origin.trim().toLowerCase(Locale.ROOT));
  }

  @Override
  public String toString() {
    return any ? "*" : String.join(",", new TreeSet<>(allowed));
  }
}
