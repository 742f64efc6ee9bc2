-- PostgresConnectionRegistry.register: the upsert of a new connection
\set k random(100000000000, 999999999999)
INSERT INTO "nwsbench_9270eba9da87".connections (socket, connection_id, attributes, query, connected_at, expires_at) VALUES (:socket, :k, CAST(:attributes AS jsonb), CAST(:query AS jsonb), :connected, :expires) ON CONFLICT (socket, connection_id) DO UPDATE SET attributes = EXCLUDED.attributes, query = EXCLUDED.query, connected_at = EXCLUDED.connected_at, expires_at = EXCLUDED.expires_at;
