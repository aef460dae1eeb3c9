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

-- The expiry check (expiry.sql): a jwt widget whose short-lived tokens are
-- signed here with pgcrypto, as a customer's backend would sign them; no
-- clock skew in this database (the pooler's server connections start
-- after this, so they all have it), so a token ends exactly at its exp.
-- Its client connects as app_exp, through a pool of one server connection.
CREATE EXTENSION pgcrypto;
ALTER DATABASE woesid_pool SET woesid.clock_skew = 0;
CREATE ROLE app_exp LOGIN;
GRANT SELECT ON conversation TO app_exp;
SELECT woesid_register_widget('wpk_pool_jwt', 'jwt',
    '4a7f0c2e9b1d3f5a7c9e0b2d4f6a8c0e1b3d5f7a9c0e2b4d6f8a0c1e3b5d7f9a') IS NOT NULL AS registered;

CREATE FUNCTION pool_b64url(bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
RETURN translate(rtrim(replace(encode($1, 'base64'), E'\n', ''), '='), '+/', '-_');

-- A widget JWT for wpk_pool_jwt that expires seconds after the statement's
-- start, as the body the browser sends ({"jwt": ...}).
CREATE FUNCTION pool_jwt_body(email text, seconds numeric) RETURNS text
LANGUAGE sql STABLE
RETURN (SELECT json_build_object('jwt', s || '.' || pool_b64url(hmac(convert_to(s, 'UTF8'),
            convert_to('4a7f0c2e9b1d3f5a7c9e0b2d4f6a8c0e1b3d5f7a9c0e2b4d6f8a0c1e3b5d7f9a', 'UTF8'),
            'sha256')))::text
        FROM (SELECT pool_b64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8')) || '.' ||
                     pool_b64url(convert_to(jsonb_build_object(
                         'email', email, 'aud', 'wpk_pool_jwt',
                         'iat', floor(extract(epoch FROM statement_timestamp())) - 1,
                         'exp', extract(epoch FROM statement_timestamp()) + seconds)::text,
                         'UTF8')) AS s) AS t);
