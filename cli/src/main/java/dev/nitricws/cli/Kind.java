package dev.nitricws.cli;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;
import picocli.CommandLine.TypeConversionException;

/**
 * A kind of command-line value: its name, the forms it takes, and its parser, which fails with
 * {@link InvalidValue}. Both entry points, {@code parse(flag, text)} and the picocli converter,
 * go through here, so both word a refusal the same way.
 */
record Kind<T>(String name, String forms, Function<String, T> parser) {

  /**
   * The value of {@code text} given to {@code flag}.
   *
   * @throws IllegalArgumentException {@code --flag takes a duration such as <forms>; got '<text>' (<reason>)}
   */
  T parse(String flag, String text) {
    requireNonNull(flag, "flag");
    try {
      return parser.apply(text);
    } catch (InvalidValue e) {
      throw new IllegalArgumentException(
          flag + " takes a " + name + " such as " + forms + "; got '" + text + "'" + e.detail(), e);
    }
  }

  /**
   * The value of {@code text}, for a picocli converter.
   *
   * @throws TypeConversionException {@code '<text>' is not a duration (<reason>): use <forms>}, after
   *     which picocli names the option
   */
  T convert(String text) {
    try {
      return parser.apply(text);
    } catch (InvalidValue e) {
      throw new TypeConversionException("'" + text + "' is not a " + name + e.detail() + ": use " + forms);
    }
  }
}
