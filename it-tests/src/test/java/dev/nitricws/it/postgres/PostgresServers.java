package dev.nitricws.it.postgres;

import dev.nitricws.adapters.postgres.PostgresRegistryConfig;
import dev.nitricws.it.support.ServerSource;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The PostgreSQL server of the integration tests, one per test JVM: a container started by
 * Testcontainers when a container engine answers ({@code NITRICWS_POSTGRES_IMAGE}, default the
 * official {@code postgres:15}), otherwise the server given by {@code NITRICWS_POSTGRES_URL}
 * (e.g. {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}; a {@code password}
 * parameter is taken out of the URL and passed as the password setting). Fails, never skips,
 * when there is neither.
 *
 * <p>Tests never share tables: each run works in schemas of its own ({@link #freshSchema()}) and
 * drops them afterwards.
 */
public final class PostgresServers {

  static final String URL_VARIABLE = "NITRICWS_POSTGRES_URL";
  static final String IMAGE_VARIABLE = "NITRICWS_POSTGRES_IMAGE";

  private static final Pattern URL = Pattern.compile("jdbc:postgresql://(\\[[^\\]]+]|[^/:?]+)(?::(\\d+))?/(.*)");

  private static Server server;

  private PostgresServers() {}

  /** Where the tests' server is: a URL that holds no password, the user and the password (null: none). */
  public record Server(String jdbcUrl, String user, String password) {

    /** A registry configuration for this server and {@code schema}, with every other default. */
    public PostgresRegistryConfig config(String schema) {
      return builder(schema).build();
    }

    /** A builder of {@link #config}, to change other settings. */
    public PostgresRegistryConfig.Builder builder(String schema) {
      return PostgresRegistryConfig.builder().jdbcUrl(jdbcUrl).user(user).password(password).schema(schema);
    }

    /** The host of the URL. */
    String host() {
      return parts().group(1);
    }

    /** The port of the URL (5432 when it names none). */
    int port() {
      String port = parts().group(2);
      return port == null ? 5432 : Integer.parseInt(port);
    }

    /** The same database reached through {@code 127.0.0.1:port} (e.g. a proxy in front of it). */
    String jdbcUrlVia(int port) {
      return "jdbc:postgresql://127.0.0.1:" + port + "/" + parts().group(3);
    }

    /** The first column of the first row of {@code sql} run with {@code parameters}. */
    Object queryOne(String sql, Object... parameters) {
      Properties properties = new Properties();
      if (user != null) {
        properties.setProperty("user", user);
      }
      if (password != null) {
        properties.setProperty("password", password);
      }
      try (var connection = DriverManager.getConnection(jdbcUrl, properties);
          PreparedStatement statement = connection.prepareStatement(sql)) {
        for (int i = 0; i < parameters.length; i++) {
          statement.setObject(i + 1, parameters[i]);
        }
        if (!statement.execute()) {
          return null;
        }
        try (ResultSet rs = statement.getResultSet()) {
          return rs.next() ? rs.getObject(1) : null;
        }
      } catch (SQLException e) {
        throw new IllegalStateException("test query failed on " + jdbcUrl + ": " + e.getMessage(), e);
      }
    }

    /** A count query's result. */
    long count(String sql, Object... parameters) {
      return ((Number) queryOne(sql, parameters)).longValue();
    }

    /** Drops {@code schema} and everything in it (tests' own schemas only). */
    public void dropSchema(String schema) {
      PostgresRegistryConfig.checkSchema(schema);
      queryOne("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
    }

    private Matcher parts() {
      Matcher m = URL.matcher(jdbcUrl);
      if (!m.matches()) {
        throw new IllegalStateException("cannot read host and port from " + jdbcUrl);
      }
      return m;
    }
  }

  /** The server, started or looked up on first use. */
  public static synchronized Server server() {
    if (server == null) {
      server = ServerSource.useContainers() ? container() : given();
    }
    return server;
  }

  /** A schema name no other run has used: {@code nws_it_} and 16 random hex digits. */
  public static String freshSchema() {
    return "nws_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  private static Server container() {
    String image = ServerSource.image(IMAGE_VARIABLE, "postgres:15");
    PostgreSQLContainer<?> container = new PostgreSQLContainer<>(
        DockerImageName.parse(image).asCompatibleSubstituteFor("postgres"));
    // a password of this run's own, so tests can check it never shows up in messages or logs
    container.withPassword("it-" + UUID.randomUUID().toString().replace("-", ""));
    if (image.startsWith("localhost/")) {
      container.withImagePullPolicy(name -> false); // built on this machine; there is no registry to pull from
    }
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "stop-postgres-container"));
    ServerSource.announce("postgres", "container " + image + " at " + container.getJdbcUrl());
    return new Server(container.getJdbcUrl(), container.getUsername(), container.getPassword());
  }

  private static Server given() {
    String raw = ServerSource.given(URL_VARIABLE, "postgres");
    String password = null;
    int q = raw.indexOf('?');
    String url = raw;
    if (q >= 0) {
      List<String> kept = new ArrayList<>();
      for (String parameter : raw.substring(q + 1).split("&")) {
        if (parameter.toLowerCase().startsWith("password=")) {
          password = URLDecoder.decode(parameter.substring("password=".length()), StandardCharsets.UTF_8);
        } else if (!parameter.isEmpty()) {
          kept.add(parameter);
        }
      }
      url = raw.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    }
    ServerSource.announce("postgres", "given server " + url);
    return new Server(url, null, password);
  }
}
