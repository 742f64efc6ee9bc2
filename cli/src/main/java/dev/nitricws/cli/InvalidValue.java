package dev.nitricws.cli;

/**
 * A command-line value that {@link Durations} or {@link Sizes} refuses; the message says why, or
 * is null when the text is not of the kind at all.
 */
final class InvalidValue extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  InvalidValue(String reason) {
    super(reason);
  }

  /** The reason in parentheses after a space, or nothing. */
  String detail() {
    return getMessage() == null ? "" : " (" + getMessage() + ")";
  }
}
