package dev.nitricws.cli;

/**
 * A command-line value {@link Durations} or {@link Sizes} refuses; the message says why, or is
 * null when the text is not of the kind at all. Both entry points, the static {@code parse(flag,
 * text)} and the picocli converter, word it from here.
 */
final class InvalidValue extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  InvalidValue(String reason) {
    super(reason);
  }

  /** {@code --flag takes a duration such as <forms>; got '<text>' (<reason>)}. */
  IllegalArgumentException forFlag(String flag, String kind, String forms, String text) {
    return new IllegalArgumentException(flag + " takes a " + kind + " such as " + forms + "; got '" + text + "'"
        + detail(), this);
  }

  /** {@code '<text>' is not a duration (<reason>): use <forms>}, after which picocli names the option. */
  String forConverter(String kind, String forms, String text) {
    return "'" + text + "' is not a " + kind + detail() + ": use " + forms;
  }

  private String detail() {
    return getMessage() == null ? "" : " (" + getMessage() + ")";
  }
}
