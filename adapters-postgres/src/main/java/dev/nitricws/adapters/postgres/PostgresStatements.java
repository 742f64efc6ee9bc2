package dev.nitricws.adapters.postgres;

/**
 * The registry's SQL, with the schema-qualified table written in once at start-up. Every value is
 * a bound parameter: {@code :socket}, {@code :id}, {@code :now}, {@code :after}, {@code :limit} and
 * the columns of {@code upsert}.
 */
record PostgresStatements(String upsert, String delete, String find, String count, String page, String purge) {

  /** {@code "schema".connections}; the schema name is checked to be a plain identifier, and is quoted too. */
  static String table(String schema) {
    PostgresRegistryConfig.checkSchema(schema);
    return "\"" + schema + "\".connections";
  }

  static PostgresStatements forSchema(String schema) {
    String t = table(schema);
    return new PostgresStatements(
        "INSERT INTO " + t + " (socket, connection_id, attributes, query, connected_at, expires_at)"
            + " VALUES (:socket, :id, CAST(:attributes AS jsonb), CAST(:query AS jsonb), :connectedAt, :expiresAt)"
            + " ON CONFLICT (socket, connection_id) DO UPDATE SET attributes = EXCLUDED.attributes,"
            + " query = EXCLUDED.query, connected_at = EXCLUDED.connected_at, expires_at = EXCLUDED.expires_at",
        "DELETE FROM " + t + " WHERE socket = :socket AND connection_id = :id RETURNING expires_at > :now",
        "SELECT attributes, query, connected_at, expires_at FROM " + t
            + " WHERE socket = :socket AND connection_id = :id AND expires_at > :now",
        "SELECT count(*) FROM " + t + " WHERE socket = :socket AND expires_at > :now",
        "SELECT connection_id FROM " + t + " WHERE socket = :socket AND connection_id > :after"
            + " AND expires_at > :now ORDER BY connection_id LIMIT :limit",
        "DELETE FROM " + t + " AS c USING (SELECT socket, connection_id FROM " + t
            + " WHERE expires_at <= :now ORDER BY expires_at LIMIT :limit FOR UPDATE SKIP LOCKED) AS d"
            + " WHERE c.socket = d.socket AND c.connection_id = d.connection_id AND c.expires_at <= :now");
  }
}
