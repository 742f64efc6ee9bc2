package dev.nitricws.adapters.nitric;

import static java.util.Objects.requireNonNull;

import dev.nitricws.domain.LogText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How the app proves itself to a remote runtime and protects the channel: a shared token sent as
 * {@code authorization: Bearer <token>} on every call, and TLS, trusting the system's CAs or the
 * PEM certificates of one file. Read once from {@code NITRICWS_RUNTIME_TOKEN}, {@code
 * NITRICWS_RUNTIME_TLS} ({@code true} / {@code false}) and {@code NITRICWS_RUNTIME_CA}. The token
 * never appears in {@link #toString()} or in a message.
 *
 * @param token the shared runtime token, if any
 * @param tls whether the channel speaks TLS
 * @param trustedCertificates with TLS, a PEM file of the certificates to trust instead of the system's
 */
public record RuntimeCredentials(Optional<String> token, boolean tls, Optional<Path> trustedCertificates) {

  /** The variable holding the runtime token. */
  public static final String TOKEN = "NITRICWS_RUNTIME_TOKEN";
  /** The variable switching TLS on. */
  public static final String TLS = "NITRICWS_RUNTIME_TLS";
  /** The variable naming a PEM file of certificates to trust. */
  public static final String CA = "NITRICWS_RUNTIME_CA";

  private static final RuntimeCredentials NONE = new RuntimeCredentials(Optional.empty(), false, Optional.empty());

  public RuntimeCredentials {
    requireNonNull(token, "token");
    requireNonNull(trustedCertificates, "trustedCertificates");
    token.ifPresent(RuntimeCredentials::checkToken);
    if (trustedCertificates.isPresent() && !tls) {
      throw new IllegalArgumentException(CA + " names certificates to trust, which needs " + TLS + "=true");
    }
    trustedCertificates.ifPresent(file -> {
      if (!Files.isReadable(file)) {
        throw new IllegalArgumentException(CA + ": cannot read the certificate file " + file);
      }
    });
  }

  /** Plaintext, no token: what the Nitric CLI and a deployed sidecar expect. */
  public static RuntimeCredentials none() {
    return NONE;
  }

  /** The credentials the process environment names. */
  public static RuntimeCredentials fromEnvironment() {
    return from(System.getenv());
  }

  /** The credentials {@code env} names; unset or blank variables mean none. */
  public static RuntimeCredentials from(Map<String, String> env) {
    requireNonNull(env, "env");
    String tls = value(env, TLS).orElse("false").toLowerCase(Locale.ROOT);
    if (!tls.equals("true") && !tls.equals("false")) {
      throw new IllegalArgumentException(TLS + " must be true or false, got '" + LogText.escape(tls) + "'");
    }
    return new RuntimeCredentials(value(env, TOKEN), tls.equals("true"), value(env, CA).map(Path::of));
  }

  /** These credentials, sending {@code token} on every call. */
  public RuntimeCredentials withToken(String token) {
    return new RuntimeCredentials(Optional.of(requireNonNull(token, "token")), tls, trustedCertificates);
  }

  /** These credentials over TLS, trusting the PEM certificates in {@code trusted} (null: the system's). */
  public RuntimeCredentials withTls(Path trusted) {
    return new RuntimeCredentials(token, true, Optional.ofNullable(trusted));
  }

  @Override
  public String toString() {
    return "RuntimeCredentials[token=" + (token.isPresent() ? "set" : "none") + ", tls="
        + (tls ? "on" + trustedCertificates.map(f -> " (trusting " + f + ")").orElse("") : "off") + "]";
  }

  /** A token must be a valid metadata value; the message never shows it. */
  static void checkToken(String token) {
    if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException(TOKEN + " must be 1 or more printable ASCII characters without spaces");
    }
  }

  private static Optional<String> value(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
  }
}
