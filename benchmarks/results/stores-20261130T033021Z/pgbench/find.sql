-- PostgresConnectionRegistry.find of a registered connection
\set k random(100000000000, 100000009999)
SELECT attributes, query, connected_at, expires_at FROM "nwsbench_9270eba9da87".connections WHERE socket = :socket AND connection_id = :k AND expires_at > :now;
