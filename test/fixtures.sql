-- test/fixtures.sql: helpers shared by the regression tests in test/sql.
-- A test that uses them starts with
--
--     \set ECHO none
--     \getenv abs_srcdir PG_ABS_SRCDIR
--     \i :abs_srcdir/fixtures.sql
--     \set ECHO all
--
-- PG_ABS_SRCDIR is pg_regress's --inputdir (test/), made absolute, so the
-- file is found from any directory, a VPATH build's included; ECHO none
-- keeps this file out of every expected output.  Every definition is
-- CREATE OR REPLACE: the tests run one after another in one database, and
-- each includes this file.  pgcrypto and woesid are created by pg_regress
-- (REGRESS_OPTS --load-extension).

-- An independent HS256 signer built on pgcrypto (PostgreSQL's own OpenSSL
-- binding), so hostile but correctly signed tokens can be written out as
-- raw JSON.
CREATE OR REPLACE FUNCTION b64url(bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT translate(rtrim(replace(encode($1, 'base64'), E'\n', ''), '='), '+/', '-_') $$;

-- The test secret: 64 hex digits, as woesid's registry stores them.
CREATE OR REPLACE FUNCTION test_secret() RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff' $$;

-- A compact JWS over raw header and payload bytes.
CREATE OR REPLACE FUNCTION jws_raw(header bytea, payload bytea, secret bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT s || '.' || b64url(hmac(convert_to(s, 'UTF8'), secret, 'sha256'))
    FROM (SELECT b64url(header) || '.' || b64url(payload) AS s) AS signing_input
$$;

CREATE OR REPLACE FUNCTION jws(header text, payload text, secret text DEFAULT test_secret())
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT jws_raw(convert_to(header, 'UTF8'), convert_to(payload, 'UTF8'),
                     convert_to(secret, 'UTF8')) $$;

-- A token with the usual header and the given payload.
CREATE OR REPLACE FUNCTION tok(payload text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT jws('{"alg":"HS256","typ":"JWT"}', payload) $$;

-- The verification time of the deterministic tests: 100 s after iat below.
CREATE OR REPLACE FUNCTION test_at() RETURNS timestamptz
LANGUAGE sql IMMUTABLE
AS $$ SELECT to_timestamp(1700000100) $$;

-- A valid widget payload, with members replaced or added by extra.
CREATE OR REPLACE FUNCTION claims(extra jsonb DEFAULT '{}') RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT (jsonb_build_object('email', ' Ann@Example.COM ', 'name', 'Ann',
                               'account_external_id', 'acc_1',
                               'contact_external_id', 'usr_7',
                               'aud', 'wpk_test',
                               'iat', 1700000000, 'exp', 1700000600) || extra)::text
$$;

-- The reason code of verifying token at test_at() for audience wpk_test.
CREATE OR REPLACE FUNCTION why(token text) RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT coalesce((woesid_verify_jwt(token, test_secret(), 'wpk_test', test_at())).failure, 'ok') $$;

-- Registry tests verify at the statement's time: tokens are signed around
-- now().  A widget payload {"jwt": ...} for audience public_key.
CREATE OR REPLACE FUNCTION now_token(public_key text, secret text, extra jsonb DEFAULT '{}',
                                     header text DEFAULT '{"alg":"HS256","typ":"JWT"}')
RETURNS jsonb
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object('jwt', jws(header,
        (jsonb_build_object('email', 'Ann@Example.com', 'aud', public_key,
                            'contact_external_id', 'usr_7',
                            'iat', extract(epoch FROM now())::bigint,
                            'exp', extract(epoch FROM now())::bigint + 600) || extra)::text,
        secret))
$$;

-- Widget secrets (64 hex digits each).
CREATE OR REPLACE FUNCTION secret_a() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat('a1', 32) $$;
CREATE OR REPLACE FUNCTION secret_b() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat('b2', 32) $$;
CREATE OR REPLACE FUNCTION secret_c() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat('c3', 32) $$;

-- An hmac_email payload for email under secret_a().
CREATE OR REPLACE FUNCTION hmac_payload(email text) RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$ SELECT jsonb_build_object('email', email,
                                'email_hash', woesid_email_hash(email, decode(secret_a(), 'hex'))) $$;
