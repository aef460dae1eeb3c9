-- test/pgbouncer/setup.sql: the schema of test/pgbouncer/run.sh, run by the
-- bootstrap superuser in database woesid_pool with psql variable "clients".
-- Visitors v0..v<clients-1>@pool.test own 3 conversation rows each (plus
-- rows of visitors no client is); RLS shows the role "app" only the rows
-- of the transaction's verified visitor.
CREATE EXTENSION woesid;
CREATE ROLE app LOGIN;

SELECT woesid_register_widget('wpk_pool', 'hmac_email',
    'd1e0c56f3b8a4f27a9e1b3c5d7f90a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f') IS NOT NULL AS registered;

CREATE TABLE conversation (
    id             bigserial PRIMARY KEY,
    customer_email text NOT NULL,
    body           text NOT NULL
);
INSERT INTO conversation (customer_email, body)
SELECT 'v' || v || '@pool.test', 'message ' || m || ' of visitor ' || v
FROM generate_series(0, :clients - 1) AS v, generate_series(1, 3) AS m;
INSERT INTO conversation (customer_email, body)
SELECT 'nobody' || v || '@pool.test', 'not a client'
FROM generate_series(1, 20) AS v;
ALTER TABLE conversation ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_conversations ON conversation
    USING (customer_email = (SELECT woesid_current_email()));
GRANT SELECT ON conversation TO app;

-- Helpers for the pgbench script (what a customer's backend and the
-- visitor's browser would compute).
CREATE FUNCTION pool_email(client int) RETURNS text
LANGUAGE sql IMMUTABLE
RETURN 'v' || client || '@pool.test';

CREATE FUNCTION pool_payload(client int) RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN jsonb_build_object('email', pool_email(client),
    'email_hash', woesid_email_hash(pool_email(client),
        decode('d1e0c56f3b8a4f27a9e1b3c5d7f90a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f', 'hex')));

-- Another visitor's email under this client's own (valid) hash.
CREATE FUNCTION pool_forged(client int) RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN jsonb_build_object('email', pool_email(client + 1),
    'email_hash', pool_payload(client) ->> 'email_hash');

CREATE FUNCTION pool_check(ok boolean, what text) RETURNS boolean
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'CHECK FAILED: %', what;
    END IF;
    RETURN true;
END
$$;
