package dev.nitricws.runtime;

import dev.nitricws.cli.DurationConverter;
import dev.nitricws.cli.SizeConverter;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One option of the launcher ({@link LocalRuntimeMain}): how it is declared to picocli, and what
 * its value sets on the runtime's builder. The factories give the kinds of value the runtime's
 * settings take, each with its label and converter.
 */
interface Flag {

  /** Adds the option, or options, to the command. */
  void addTo(CommandSpec command);

  /** Sets the parsed value on {@code builder}; an option not given and without a default leaves the builder's. */
  void applyTo(CommandSpec command, LocalRuntimeBuilder builder) throws IOException;

  /** What a value sets on the builder. */
  @FunctionalInterface
  interface Apply<T> {
    void to(LocalRuntimeBuilder builder, T value) throws IOException;
  }

  static Setting<Integer> port(String name, String defaultValue, Apply<Integer> apply, String description) {
    return Setting.of(name, "PORT", int.class, null, defaultValue, apply, description);
  }

  static Setting<String> address(String name, String defaultValue, Apply<String> apply, String description) {
    return Setting.of(name, "ADDRESS", String.class, null, defaultValue, apply, description);
  }

  static Setting<Integer> count(String name, String defaultValue, Apply<Integer> apply, String description) {
    return Setting.of(name, "N", int.class, null, defaultValue, apply, description);
  }

  /** Bytes, or with k or m ({@link SizeConverter}). */
  static Setting<Integer> size(String name, String defaultValue, Apply<Integer> apply, String description) {
    return Setting.of(name, "SIZE", int.class, new SizeConverter(), defaultValue, apply, description);
  }

  /** 500ms, 10s, 90m, 2h, 1d or ISO-8601 ({@link DurationConverter}). */
  static Setting<Duration> duration(String name, String defaultValue, Apply<Duration> apply, String description) {
    return Setting.of(name, "DURATION", Duration.class, new DurationConverter(), defaultValue, apply, description);
  }

  /** A value without a default: the builder keeps its own unless the option is given. */
  static Setting<String> text(String name, String label, Apply<String> apply, String description) {
    return Setting.of(name, label, String.class, null, null, apply, description);
  }

  /** A file or directory, without a default. */
  static Setting<Path> file(String name, String label, Apply<Path> apply, String description) {
    return Setting.of(name, label, Path.class, null, null, apply, description);
  }

  /** Comma-separated values, without a default. */
  static Setting<List<String>> list(String name, String label, Apply<List<String>> apply, String description) {
    return new Setting<>(name, apply, () -> option(name, label, description).type(List.class)
        .auxiliaryTypes(String.class).splitRegex(","));
  }

  /** An option without a value: given, it sets true. */
  static Setting<Boolean> flag(String name, Apply<Boolean> apply, String description) {
    return new Setting<>(name, apply, () -> option(name, "", description).type(boolean.class).arity("0"));
  }

  private static OptionSpec.Builder option(String name, String label, String description) {
    return OptionSpec.builder(name).paramLabel(label).description(description);
  }

  /** An option with one value, of {@code type}, that sets one setting of the builder. */
  record Setting<T>(String name, Apply<T> apply, Supplier<OptionSpec.Builder> option) implements Flag {

    static <T> Setting<T> of(String name, String label, Class<?> type, ITypeConverter<?> converter,
        String defaultValue, Apply<T> apply, String description) {
      return new Setting<>(name, apply, () -> {
        OptionSpec.Builder option = Flag.option(name, label,
            defaultValue == null ? description : description + " Default: ${DEFAULT-VALUE}.");
        option.type(type).defaultValue(defaultValue);
        return converter == null ? option : option.converters(converter);
      });
    }

    @Override
    public void addTo(CommandSpec command) {
      command.addOption(option.get().build());
    }

    @Override
    public void applyTo(CommandSpec command, LocalRuntimeBuilder builder) throws IOException {
      T value = command.findOption(name).getValue();
      if (value != null) {
        apply.to(builder, value);
      }
    }
  }

  /** The TLS certificate chain and its private key: both files or neither. */
  record TlsFiles(String certificateFlag, String keyFlag) implements Flag {

    @Override
    public void addTo(CommandSpec command) {
      command.addArgGroup(ArgGroupSpec.builder().exclusive(false).multiplicity("0..1")
          .addArg(option(certificateFlag, "FILE",
              "Serve the websockets as wss with this PEM certificate chain (with " + keyFlag + ").")
              .type(Path.class).required(true).build())
          .addArg(option(keyFlag, "FILE", "The PEM private key (unencrypted PKCS#8) of " + certificateFlag + ".")
              .type(Path.class).required(true).build())
          .build());
    }

    @Override
    public void applyTo(CommandSpec command, LocalRuntimeBuilder builder) {
      Path certificate = command.findOption(certificateFlag).getValue();
      if (certificate != null) {
        builder.tls(certificate, command.findOption(keyFlag).getValue());
      }
    }
  }
}
