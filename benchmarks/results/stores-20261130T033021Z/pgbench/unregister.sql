-- PostgresConnectionRegistry.unregister of a registered connection: each client deletes the rows of its own range in turn
\set k 100000000000 + :client_id * 100000000 + :n
DELETE FROM "nwsbench_9270eba9da87".connections WHERE socket = :socket AND connection_id = :k RETURNING expires_at > :now;
\set n :n + 1
