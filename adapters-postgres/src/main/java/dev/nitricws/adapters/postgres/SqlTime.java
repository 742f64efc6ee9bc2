package dev.nitricws.adapters.postgres;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Instants to and from {@code timestamptz} columns, with their offset, whatever the JVM's or the
 * server's time zone.
 */
final class SqlTime {

  private SqlTime() {}

  /** The clock's instant to the microsecond, PostgreSQL's precision (expiry times are whole milliseconds). */
  static Argument now(Clock clock) {
    return of(clock.instant().truncatedTo(ChronoUnit.MICROS));
  }

  /** {@code instant} bound as a timestamptz. */
  static Argument of(Instant instant) {
    return new Timestamp(instant.atOffset(ZoneOffset.UTC));
  }

  /** The instant in {@code column} of the current row. */
  static Instant read(ResultSet rs, int column) throws SQLException {
    return rs.getObject(column, OffsetDateTime.class).toInstant();
  }

  /** A timestamptz argument; its text (shown in JDBI's messages) is the instant. */
  private record Timestamp(OffsetDateTime at) implements Argument {
    @Override
    public void apply(int position, PreparedStatement statement, StatementContext ctx) throws SQLException {
      statement.setObject(position, at);
    }

    @Override
    public String toString() {
      return at.toString();
    }
  }
}
