package dev.nitricws.adapters.postgres;

/**
 * The registry's SQL, with the schema-qualified tables written in once at start-up. Every value is
 * a bound parameter: {@code :socket}, {@code :id}, {@code :group}, {@code :now}, {@code :after},
 * {@code :limit} and the columns of {@code upsert}.
 */
record PostgresStatements(String upsert, String delete, String find, String count, String page, String purge,
    String join, String leave, String groupsOf, String countMembers, String memberPage) {

  /** {@code "schema".connections}; the schema name is checked to be a plain identifier, and is quoted too. */
  static String table(String schema) {
    return qualified(schema, "connections");
  }

  /** {@code "schema".memberships}, the groups' table, checked and quoted as {@link #table} is. */
  static String memberships(String schema) {
    return qualified(schema, "memberships");
  }

  static PostgresStatements forSchema(String schema) {
    String t = table(schema);
    String m = memberships(schema);
    return new PostgresStatements(
        "INSERT INTO " + t + " (socket, connection_id, attributes, query, connected_at, expires_at)"
            + " VALUES (:socket, :id, CAST(:attributes AS jsonb), CAST(:query AS jsonb), :connectedAt, :expiresAt)"
            + " ON CONFLICT (socket, connection_id) DO UPDATE SET attributes = EXCLUDED.attributes,"
            + " query = EXCLUDED.query, connected_at = EXCLUDED.connected_at, expires_at = EXCLUDED.expires_at",
        // the foreign key of the memberships deletes them in this statement too (ON DELETE CASCADE)
        "DELETE FROM " + t + " WHERE socket = :socket AND connection_id = :id RETURNING expires_at > :now",
        "SELECT attributes, query, connected_at, expires_at FROM " + t
            + " WHERE socket = :socket AND connection_id = :id AND expires_at > :now",
        "SELECT count(*) FROM " + t + " WHERE socket = :socket AND expires_at > :now",
        "SELECT connection_id FROM " + t + " WHERE socket = :socket AND connection_id > :after"
            + " AND expires_at > :now ORDER BY connection_id LIMIT :limit",
        "DELETE FROM " + t + " AS c USING (SELECT socket, connection_id FROM " + t
            + " WHERE expires_at <= :now ORDER BY expires_at LIMIT :limit FOR UPDATE SKIP LOCKED) AS d"
            + " WHERE c.socket = d.socket AND c.connection_id = d.connection_id AND c.expires_at <= :now",
        // inserts only for a live entry, which FOR KEY SHARE holds until the commit: an unregister
        // of the same connection waits for it and then deletes the new membership with the entry, or
        // went first, and then there is no entry to select and nothing is inserted
        "INSERT INTO " + m + " AS m (socket, group_key, connection_id, expires_at)"
            + " SELECT socket, :group, connection_id, expires_at FROM " + t
            + " WHERE socket = :socket AND connection_id = :id AND expires_at > :now FOR KEY SHARE"
            + " ON CONFLICT (socket, group_key, connection_id) DO UPDATE SET expires_at = EXCLUDED.expires_at"
            + " RETURNING true",
        "DELETE FROM " + m + " WHERE socket = :socket AND group_key = :group AND connection_id = :id"
            + " RETURNING expires_at > :now",
        "SELECT group_key FROM " + m + " WHERE socket = :socket AND connection_id = :id AND expires_at > :now",
        "SELECT count(*) FROM " + m + " WHERE socket = :socket AND group_key = :group AND expires_at > :now",
        "SELECT connection_id FROM " + m + " WHERE socket = :socket AND group_key = :group"
            + " AND connection_id > :after AND expires_at > :now ORDER BY connection_id LIMIT :limit");
  }

  private static String qualified(String schema, String name) {
    PostgresRegistryConfig.checkSchema(schema);
    return "\"" + schema + "\"." + name;
  }
}
