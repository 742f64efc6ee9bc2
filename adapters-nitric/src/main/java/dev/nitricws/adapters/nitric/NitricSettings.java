package dev.nitricws.adapters.nitric;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Where the Nitric runtime is and which lifecycle phase the app runs in, read once from the
 * environment: {@code SERVICE_ADDRESS} ({@code host:port}, default {@value #DEFAULT_ADDRESS}) and
 * {@code NITRIC_ENVIRONMENT} ({@code run}, {@code build} or {@code cloud}; default {@code run}).
 */
public record NitricSettings(String host, int port, Environment environment) {

  /** The variable naming the runtime's gRPC address. */
  public static final String SERVICE_ADDRESS = "SERVICE_ADDRESS";
  /** The variable naming the lifecycle phase. */
  public static final String NITRIC_ENVIRONMENT = "NITRIC_ENVIRONMENT";
  /** The address used when {@value #SERVICE_ADDRESS} is not set. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1:50051";

  /** The lifecycle phase the Nitric CLI or cloud runs the app in. */
  public enum Environment {
    /** {@code nitric start} / {@code nitric run}, or this project's local runtime. */
    RUN,
    /** {@code nitric up} collecting the app's declarations to build the deployment. */
    BUILD,
    /** Deployed. */
    CLOUD;

    /** The phase named {@code value} (case-insensitive). */
    public static Environment parse(String value) {
      requireNonNull(value, "value");
      for (Environment e : values()) {
        if (e.name().equalsIgnoreCase(value.strip())) {
          return e;
        }
      }
      throw new IllegalArgumentException(NITRIC_ENVIRONMENT + " '" + value + "' is not one of "
          + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).toList());
    }
  }

  public NitricSettings {
    requireNonNull(host, "host");
    requireNonNull(environment, "environment");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be between 1 and 65535, got " + port);
    }
  }

  /** Settings from the process environment. */
  public static NitricSettings fromEnvironment() {
    return from(System.getenv());
  }

  /** Settings from {@code env} (variable name to value); unset or blank variables take their defaults. */
  public static NitricSettings from(Map<String, String> env) {
    requireNonNull(env, "env");
    String address = valueOr(env, SERVICE_ADDRESS, DEFAULT_ADDRESS);
    String environment = valueOr(env, NITRIC_ENVIRONMENT, "run");
    return address(address, Environment.parse(environment));
  }

  /**
   * Settings for {@code address} ({@code host:port}, an IPv6 host in brackets: {@code [::1]:50051}).
   */
  public static NitricSettings address(String address, Environment environment) {
    requireNonNull(address, "address");
    String a = address.strip();
    int colon = a.lastIndexOf(':');
    if (colon <= 0 || colon == a.length() - 1) {
      throw new IllegalArgumentException(SERVICE_ADDRESS + " '" + address + "' is not host:port");
    }
    String host = a.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException(SERVICE_ADDRESS + " '" + address
          + "' is not host:port (write an IPv6 host in brackets: [::1]:50051)");
    }
    int port;
    try {
      port = Integer.parseInt(a.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(SERVICE_ADDRESS + " '" + address + "' has no numeric port", e);
    }
    return new NitricSettings(host, port, environment);
  }

  /** {@code host:port}, as the variable would give it. */
  public String serviceAddress() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static String valueOr(Map<String, String> env, String name, String fallback) {
    String v = env.get(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}
