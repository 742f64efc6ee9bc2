-- The connections of every socket, one row per (socket, connection id).
-- Flyway runs this with search_path set to the configured schema, so names are unqualified.
--
-- COLLATE "C" orders ids bytewise: the primary key index then serves the keyset page query
--   WHERE socket = ? AND connection_id > ? ORDER BY connection_id LIMIT ?
-- whatever the database's default collation, and the order never depends on the locale.
CREATE TABLE connections (
    socket        text COLLATE "C" NOT NULL,
    connection_id text COLLATE "C" NOT NULL,
    -- {"name": "value", ...}
    attributes    jsonb NOT NULL,
    -- [["name", ["value", ...]], ...]: keeps repeated keys and the order of values
    query         jsonb NOT NULL,
    connected_at  timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    CONSTRAINT connections_pkey PRIMARY KEY (socket, connection_id),
    CONSTRAINT connections_attributes_is_object CHECK (jsonb_typeof(attributes) = 'object'),
    CONSTRAINT connections_query_is_array CHECK (jsonb_typeof(query) = 'array'),
    CONSTRAINT connections_expire_after_connect CHECK (expires_at >= connected_at)
);

-- The purge of expired rows reads them oldest first through this index.
CREATE INDEX connections_expires_at_idx ON connections (expires_at);
