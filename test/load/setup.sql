-- test/load/setup.sql: database of the load test (run.sh), run as the
-- superuser.  psql variables: secret, wrong (a secret no widget has),
-- visitors (how many).  The pgbench role "loader" can read the visitors'
-- payloads and the samples, and the conversation table only through RLS.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION woesid;
CREATE EXTENSION pgcrypto;
CREATE ROLE loader LOGIN NOSUPERUSER NOBYPASSRLS;

CREATE FUNCTION b64url(bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT translate(rtrim(replace(encode($1, 'base64'), E'\n', ''), '='), '+/', '-_') $$;
CREATE FUNCTION jws(header text, payload text, key text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT s || '.' || b64url(hmac(convert_to(s, 'UTF8'), convert_to(key, 'UTF8'), 'sha256'))
    FROM (SELECT b64url(convert_to(header, 'UTF8')) || '.' || b64url(convert_to(payload, 'UTF8')) AS s) AS t
$$;
-- A widget JWT for email valid for 14 minutes (the run is far shorter).
CREATE FUNCTION widget_token(email text, key text, aud text DEFAULT 'wpk_load_jwt') RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT jws('{"alg":"HS256","typ":"JWT"}',
                 jsonb_build_object('email', email, 'aud', aud,
                                    'iat', extract(epoch FROM now())::bigint - 60,
                                    'exp', extract(epoch FROM now())::bigint + 780)::text, key) $$;
CREATE FUNCTION hmac_payload(email text, key text, sent_email text DEFAULT NULL) RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$ SELECT jsonb_build_object('email', coalesce(sent_email, email),
                                'email_hash', woesid_email_hash(email, decode(key, 'hex')),
                                'name', 'Visitor') $$;

SELECT woesid_register_widget('wpk_load_hmac', 'hmac_email', :'secret');
SELECT woesid_register_widget('wpk_load_jwt', 'jwt', :'secret');
SELECT woesid_register_widget('wpk_load_off', 'off');

-- Visitor v owns 3 + v % 7 conversations; its identify payloads: hmac_email
-- valid, forged (another visitor's email with v's hash), and jwt.
CREATE TABLE visitor AS
SELECT v AS id, 'visitor' || v || '@example.com' AS email, 3 + v % 7 AS conversations,
       hmac_payload('visitor' || v || '@example.com', :'secret') AS payload,
       hmac_payload('visitor' || v || '@example.com', :'secret',
                    'visitor' || (v % :visitors + 1) || '@example.com') AS forged,
       jsonb_build_object('jwt', widget_token('visitor' || v || '@example.com', :'secret')) AS jwt_payload
FROM generate_series(1, :visitors) AS v;
ALTER TABLE visitor ADD PRIMARY KEY (id);

CREATE TABLE conversation (
    id             bigserial PRIMARY KEY,
    customer_email text NOT NULL,
    body           text NOT NULL
);
INSERT INTO conversation (customer_email, body)
SELECT v.email, 'message ' || i FROM visitor AS v, generate_series(1, v.conversations) AS i;
CREATE INDEX ON conversation (customer_email);
ALTER TABLE conversation ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_conversations ON conversation
    USING (customer_email = (SELECT woesid_current_email()));

-- Samples for the hostile and plain scripts: fn is the call, want the
-- outcome ("ok <email>" or a reason code).  The pure verifiers take the
-- secret as an argument, so the samples carry it.
CREATE TABLE sample (
    id      serial PRIMARY KEY,
    hostile boolean NOT NULL,
    fn      text NOT NULL,
    token   text,
    payload jsonb,
    widget  text,
    secret  text,
    want    text NOT NULL
);
-- plain verifications
INSERT INTO sample (hostile, fn, token, secret, want)
SELECT false, 'jwt', widget_token('plain' || i || '@example.com', :'secret'), :'secret', 'ok plain' || i || '@example.com'
FROM generate_series(1, 20) AS i;
INSERT INTO sample (hostile, fn, token, secret, want)
SELECT false, 'hmac', hmac_payload('Plain' || i || '@Example.com', :'secret')::text, :'secret', 'ok plain' || i || '@example.com'
FROM generate_series(1, 20) AS i;
INSERT INTO sample (hostile, fn, payload, widget, want)
SELECT false, 'identify', jsonb_build_object('jwt', widget_token('id' || i || '@example.com', :'secret')), 'wpk_load_jwt', 'ok id' || i || '@example.com'
FROM generate_series(1, 20) AS i;
INSERT INTO sample (hostile, fn, payload, widget, want)
SELECT false, 'identify', hmac_payload('idh' || i || '@example.com', :'secret'), 'wpk_load_hmac', 'ok idh' || i || '@example.com'
FROM generate_series(1, 20) AS i;
-- hostile: garbage, alg none, oversized, forged, through both paths
INSERT INTO sample (hostile, fn, token, secret, want)
SELECT true, 'jwt', t, :'secret', w
FROM (VALUES ('garbage', 'malformed'), ('a.b.c', 'malformed'), ('....', 'malformed'),
             (repeat('A', 9000) || '.e30.AAAA', 'malformed'),
             (b64url('{"alg":"HS256"}') || '.' || b64url(convert_to(repeat('x', 20000), 'UTF8')) || '.AAAA', 'malformed'),
             (b64url(convert_to(repeat('[', 100) || repeat(']', 100), 'UTF8')) || '.e30.AAAA', 'malformed'),
             (b64url('{"alg":"none"}') || '.' || b64url(convert_to('{"email":"boss@example.com","aud":"wpk_load_jwt"}', 'UTF8')) || '.', 'unsupported_algorithm'),
             (jws('{"alg":"none"}', '{"email":"boss@example.com"}', :'secret'), 'unsupported_algorithm'),
             (jws('{"alg":"HS256","crit":["x"]}', '{"email":"boss@example.com"}', :'secret'), 'unsupported_header'),
             (widget_token('boss@example.com', :'wrong'), 'bad_signature'),
             (widget_token('boss@example.com', :'secret', 'wpk_other'), 'audience_mismatch'),
             ('', 'missing')) AS s(t, w);
INSERT INTO sample (hostile, fn, token, secret, want)
SELECT true, 'hmac', p, :'secret', w
FROM (VALUES (hmac_payload('victim@example.com', :'secret', 'boss@example.com')::text, 'bad_signature'),
             (hmac_payload('boss@example.com', :'wrong')::text, 'bad_signature'),
             ('{"email":"boss@example.com","email_hash":"' || repeat('g', 64) || '"}', 'malformed'),
             ('{"email":"boss@example.com"}', 'missing'),
             ('not json', 'malformed'),
             ('{"email":"a@b.c","email_hash":"' || repeat('0', 64) || '","pad":"' || repeat('x', 10000) || '"}', 'malformed')) AS s(p, w);
INSERT INTO sample (hostile, fn, payload, widget, want)
SELECT true, 'identify', p::jsonb, k, w
FROM (VALUES ('{"jwt":"garbage"}', 'wpk_load_jwt', 'malformed'),
             ('{"jwt":"' || repeat('A', 9000) || '.e30.AAAA"}', 'wpk_load_jwt', 'malformed'),
             (jsonb_build_object('jwt', b64url('{"alg":"none"}') || '.' || b64url(convert_to('{"email":"boss@example.com"}', 'UTF8')) || '.')::text, 'wpk_load_jwt', 'unsupported_algorithm'),
             (jsonb_build_object('jwt', widget_token('boss@example.com', :'wrong'))::text, 'wpk_load_jwt', 'bad_signature'),
             ('{}', 'wpk_load_jwt', 'missing'),
             (hmac_payload('victim@example.com', :'secret', 'boss@example.com')::text, 'wpk_load_hmac', 'bad_signature'),
             ('{"email":"boss@example.com"}', 'wpk_load_hmac', 'missing'),
             ('{"email":"boss@example.com"}', 'wpk_load_off', 'not_signed'),
             ('{"jwt":"x"}', 'wpk_no_such_widget', 'unknown_widget')) AS s(p, k, w);

-- Raises (making pgbench count an error) when a check fails.
CREATE FUNCTION load_check(ok boolean, what text) RETURNS int
LANGUAGE plpgsql
AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION 'load check failed: %', what;
    END IF;
    RETURN 1;
END
$$;

GRANT SELECT ON visitor, conversation, sample TO loader;
ANALYZE;
SELECT (SELECT min(id) FROM sample WHERE hostile) AS hostile_min,
       (SELECT max(id) FROM sample WHERE hostile) AS hostile_max,
       (SELECT max(id) FROM sample WHERE NOT hostile) AS plain_max \gset
