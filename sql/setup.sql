-- Helpers for the regression tests: an independent HS256 signer built on
-- pgcrypto (PostgreSQL's own OpenSSL binding), so hostile but correctly
-- signed tokens can be written out as raw JSON.
CREATE EXTENSION pgcrypto;

CREATE FUNCTION b64url(bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT translate(rtrim(replace(encode($1, 'base64'), E'\n', ''), '='), '+/', '-_') $$;

-- The test secret: 64 hex digits, as woesid's registry stores them.
CREATE FUNCTION test_secret() RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff' $$;

-- A compact JWS over raw header and payload bytes.
CREATE FUNCTION jws_raw(header bytea, payload bytea, secret bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT s || '.' || b64url(hmac(convert_to(s, 'UTF8'), secret, 'sha256'))
    FROM (SELECT b64url(header) || '.' || b64url(payload) AS s) AS signing_input
$$;

CREATE FUNCTION jws(header text, payload text, secret text DEFAULT test_secret())
RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT jws_raw(convert_to(header, 'UTF8'), convert_to(payload, 'UTF8'),
                     convert_to(secret, 'UTF8')) $$;

-- A token with the usual header and the given payload.
CREATE FUNCTION tok(payload text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT jws('{"alg":"HS256","typ":"JWT"}', payload) $$;

-- The verification time of the deterministic tests: 100 s after iat below.
CREATE FUNCTION test_at() RETURNS timestamptz
LANGUAGE sql IMMUTABLE
AS $$ SELECT to_timestamp(1700000100) $$;

-- A valid widget payload, with members replaced or added by extra.
CREATE FUNCTION claims(extra jsonb DEFAULT '{}') RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT (jsonb_build_object('email', ' Ann@Example.COM ', 'name', 'Ann',
                               'account_external_id', 'acc_1',
                               'contact_external_id', 'usr_7',
                               'aud', 'wpk_test',
                               'iat', 1700000000, 'exp', 1700000600) || extra)::text
$$;

-- The reason code of verifying token at test_at() for audience wpk_test.
CREATE FUNCTION why(token text) RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT coalesce((woesid_verify_jwt(token, test_secret(), 'wpk_test', test_at())).failure, 'ok') $$;

SELECT tok(claims()) AS sample_token;
SELECT why(tok(claims()));
