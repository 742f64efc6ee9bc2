-- Group memberships (ConnectionGroups): one row per (socket, group key, connection id).
-- Flyway runs this once, with search_path set to the configured schema; IF NOT EXISTS lets it
-- run again on a schema where the table was created by hand.
--
-- group_key is GroupName.key(): 'g:<name>' for a named group, 'u:<user id>' for a user's, stored
-- as it is (a bound parameter, no escaping needed).
-- expires_at is the expiry of the entry the connection joined under, copied by the join: a
-- membership counts only while it has not passed, so a later register of the same id (after the
-- entry expired) never revives the memberships of the old entry.
-- The foreign key removes the memberships in the same statement as their entry (unregister, the
-- expiry purge), and makes a membership of a connection without an entry impossible.
CREATE TABLE IF NOT EXISTS memberships (
    socket        text COLLATE "C" NOT NULL,
    group_key     text COLLATE "C" NOT NULL,
    connection_id text COLLATE "C" NOT NULL,
    expires_at    timestamptz NOT NULL,
    -- serves countMembers and the keyset pages of scanMembers
    --   WHERE socket = ? AND group_key = ? AND connection_id > ? AND expires_at > ? ORDER BY connection_id
    -- as index-only scans (expires_at is included)
    CONSTRAINT memberships_pkey PRIMARY KEY (socket, group_key, connection_id) INCLUDE (expires_at),
    CONSTRAINT memberships_connection_fkey FOREIGN KEY (socket, connection_id)
        REFERENCES connections (socket, connection_id) ON DELETE CASCADE
);

-- The connection's side: groupsOf, and the cascade when its entry is deleted.
CREATE INDEX IF NOT EXISTS memberships_connection_idx ON memberships (socket, connection_id);
