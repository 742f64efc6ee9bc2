package dev.nitricws.adapters.postgres;

import dev.nitricws.domain.ConnectionStoreException;
import java.sql.SQLException;

/**
 * The text of the registry's failures: every message starts with the database (URL and schema)
 * and gives the database's or driver's own words rather than JDBI's wrapper.
 */
final class PostgresFailures {

  private PostgresFailures() {}

  /** {@code "postgres registry on <url> (schema <schema>): "}, the start of every message. */
  static String where(PostgresRegistryConfig config) {
    return "postgres registry on " + config.describe() + ": ";
  }

  /** A store failure: {@code "<where><what>: <reason>"}, keeping {@code cause}. */
  static ConnectionStoreException failure(PostgresRegistryConfig config, String what, Throwable cause) {
    return new ConnectionStoreException(where(config) + what + ": " + reason(cause), cause);
  }

  /**
   * What went wrong, for a message: the database's or driver's own words (with the SQL state)
   * rather than JDBI's wrapper, which repeats the statement and its bound values.
   */
  static String reason(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        String state = sql.getSQLState() == null ? "" : " [SQL state " + sql.getSQLState() + "]";
        Throwable under = sql.getCause();
        String detail = under != null && under.getMessage() != null && !under.getMessage().equals(sql.getMessage())
            ? " (" + under.getMessage() + ")" : "";
        return oneLine(sql.getMessage() + state + detail);
      }
    }
    return error.getMessage() == null ? error.getClass().getName() : oneLine(error.getMessage());
  }

  /** PostgreSQL's messages run over several lines ("ERROR: ...\n  Where: ..."); logs read better on one. */
  private static String oneLine(String message) {
    return message == null ? null : message.replaceAll("\\s*\\R\\s*", " ");
  }
}
