package dev.nitricws.adapters.redis;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed Redis URI: {@code redis://[[user:]password@]host[:port][,host[:port]...][/db]}, or
 * {@code rediss://} for TLS. Several hosts are the seed nodes of a Redis Cluster. User and password
 * may be percent-encoded. {@link #toString()} and {@link #masked()} never show the password.
 */
record RedisAddress(boolean tls, String username, String password, List<HostPort> hosts, int database) {

  /** The port Redis listens on when the URI names none. */
  static final int DEFAULT_PORT = 6379;

  private static final String MASK = "****";

  /** One host and port of a URI. */
  record HostPort(String host, int port) {
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  RedisAddress {
    requireNonNull(hosts, "hosts");
    hosts = List.copyOf(hosts);
  }

  /**
   * Parses {@code uri}; {@code cluster} says whether several hosts are allowed (and database 0
   * only). Throws {@link IllegalArgumentException} naming the rule broken, with any password
   * masked.
   */
  static RedisAddress parse(String uri, boolean cluster) {
    requireNonNull(uri, "uri");
    int schemeEnd = uri.indexOf("://");
    String scheme = schemeEnd < 0 ? "" : uri.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
    if (!scheme.equals("redis") && !scheme.equals("rediss")) {
      throw bad(uri, "must start with redis:// (or rediss:// for TLS)");
    }
    boolean tls = scheme.equals("rediss");
    String rest = uri.substring(schemeEnd + 3);

    String username = null;
    String password = null;
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = userInfo.indexOf(':');
      // as in Lettuce: "secret@host" is a password alone, "user:secret@host" a user and a password
      String user = colon < 0 ? "" : decode(uri, userInfo.substring(0, colon), "user name");
      String pass = decode(uri, colon < 0 ? userInfo : userInfo.substring(colon + 1), "password");
      username = user.isEmpty() ? null : user;
      password = pass.isEmpty() ? null : pass;
      if (username != null && password == null) {
        throw bad(uri, "names user '" + username + "' without a password");
      }
    }
    for (char c : new char[] {'?', '#'}) {
      if (rest.indexOf(c) >= 0) {
        throw bad(uri, "has a query or fragment ('" + c + "'); set timeouts and other options in RedisRegistryConfig");
      }
    }

    int slash = rest.indexOf('/');
    String hostList = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash + 1);
    int database = 0;
    if (!path.isEmpty()) {
      if (!path.chars().allMatch(c -> c >= '0' && c <= '9') || path.length() > 5) {
        throw bad(uri, "has database '" + path + "'; the database is a number from 0");
      }
      database = Integer.parseInt(path);
    }

    List<HostPort> hosts = new ArrayList<>();
    for (String part : hostList.split(",", -1)) {
      hosts.add(hostPort(uri, part));
    }
    if (!cluster && hosts.size() > 1) {
      throw bad(uri, "lists " + hosts.size() + " hosts; several hosts are the seed nodes of a Redis Cluster"
          + " (set cluster to true), a standalone server has one");
    }
    if (cluster && database != 0) {
      throw bad(uri, "selects database " + database + "; Redis Cluster has database 0 only");
    }
    return new RedisAddress(tls, username, password, hosts, database);
  }

  private static HostPort hostPort(String uri, String part) {
    String host;
    String port = null;
    if (part.startsWith("[")) {
      int close = part.indexOf(']');
      if (close < 0) {
        throw bad(uri, "has host '" + part + "' with no closing ']'");
      }
      host = part.substring(1, close);
      String after = part.substring(close + 1);
      if (!after.isEmpty()) {
        if (!after.startsWith(":")) {
          throw bad(uri, "has host '" + part + "'; write [ipv6]:port");
        }
        port = after.substring(1);
      }
      if (host.isEmpty() || !host.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
        throw bad(uri, "has IPv6 address '" + host + "' that is not one");
      }
    } else {
      int colon = part.lastIndexOf(':');
      host = colon < 0 ? part : part.substring(0, colon);
      port = colon < 0 ? null : part.substring(colon + 1);
      if (host.isEmpty()) {
        throw bad(uri, "has an empty host" + (part.isEmpty() ? "" : " in '" + part + "'"));
      }
      if (!host.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '-' || c == '_')) {
        throw bad(uri, "has host '" + host + "'; host names use letters, digits, '.', '-' and '_'");
      }
    }
    int portNumber = DEFAULT_PORT;
    if (port != null) {
      if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw bad(uri, "has port '" + port + "'; a port is a number from 1 to 65535");
      }
      portNumber = Integer.parseInt(port);
      if (portNumber < 1 || portNumber > 65_535) {
        throw bad(uri, "has port " + portNumber + "; a port is a number from 1 to 65535");
      }
    }
    return new HostPort(host, portNumber);
  }

  /** Percent-decodes (UTF-8) one part of the user info. */
  private static String decode(String uri, String part, String what) {
    if (part.indexOf('%') < 0) {
      return part;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(part.length());
    for (int i = 0; i < part.length(); i++) {
      char c = part.charAt(i);
      if (c == '%') {
        int hi = i + 2 < part.length() ? Character.digit(part.charAt(i + 1), 16) : -1;
        int lo = i + 2 < part.length() ? Character.digit(part.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          // the part may be the password: never echo it
          throw bad(uri, "has a " + what + " with a '%' that is not followed by two hex digits");
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < part.length()) {
          bytes = part.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        out.writeBytes(bytes);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static IllegalArgumentException bad(String uri, String rule) {
    return new IllegalArgumentException("Redis URI '" + maskRaw(uri) + "' " + rule);
  }

  /**
   * {@code uri} with whatever stands between {@code ://} and the last {@code @} replaced by a mask:
   * safe to show even for a URI that does not parse.
   */
  static String maskRaw(String uri) {
    if (uri == null) {
      return "null";
    }
    int schemeEnd = uri.indexOf("://");
    int at = uri.lastIndexOf('@');
    if (schemeEnd >= 0 && at > schemeEnd) {
      return uri.substring(0, schemeEnd + 3) + MASK + uri.substring(at);
    }
    if (schemeEnd < 0 && at >= 0) {
      return MASK + uri.substring(at);
    }
    return uri;
  }

  /** Whether a password is set. */
  boolean hasPassword() {
    return password != null;
  }

  /** The URI with the password replaced by {@code ****}: safe for logs and messages. */
  String masked() {
    StringBuilder out = new StringBuilder(tls ? "rediss://" : "redis://");
    if (password != null) {
      out.append(username == null ? "" : username).append(':').append(MASK).append('@');
    }
    for (int i = 0; i < hosts.size(); i++) {
      out.append(i == 0 ? "" : ",").append(hosts.get(i));
    }
    if (database != 0) {
      out.append('/').append(database);
    }
    return out.toString();
  }

  @Override
  public String toString() {
    return masked();
  }
}
