-- test/memory/setup.sql: the mixed corpus of the memory test (run.sh).
-- psql variables: secret, secret2 (a second active key of each widget),
-- wrong (a secret no widget has).  Every sample carries the outcome it must
-- give: 'ok <email>' when verified, else its reason code.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION woesid;
CREATE EXTENSION pgcrypto;

CREATE FUNCTION b64url(bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT translate(rtrim(replace(encode($1, 'base64'), E'\n', ''), '='), '+/', '-_') $$;

-- HS256 compact JWS over raw header and payload text, key = the UTF-8 bytes of key.
CREATE FUNCTION jws(header text, payload text, key text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT s || '.' || b64url(hmac(convert_to(s, 'UTF8'), convert_to(key, 'UTF8'), 'sha256'))
    FROM (SELECT b64url(convert_to(header, 'UTF8')) || '.' || b64url(convert_to(payload, 'UTF8')) AS s) AS t
$$;

-- The same with a binary key (a JWK's k), for the bytea verifiers.
CREATE FUNCTION hs_bytes(payload jsonb, key bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT s || '.' || b64url(hmac(convert_to(s, 'UTF8'), key, 'sha256'))
    FROM (SELECT b64url('{"alg":"HS256","typ":"JWT"}') || '.' || b64url(convert_to(payload::text, 'UTF8')) AS s) AS t
$$;

CREATE FUNCTION hs(payload jsonb, key text, kid text DEFAULT NULL) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT jws(jsonb_strip_nulls(jsonb_build_object('alg', 'HS256', 'typ', 'JWT', 'kid', kid))::text,
                 payload::text, key) $$;

-- A widget payload for email, valid for 20 hours (run.sh raises
-- woesid.jwt_max_lifetime so a long run never outlives its tokens).
CREATE FUNCTION widget_claims(email text, aud text DEFAULT 'wpk_mem_jwt',
                              iat_offset int DEFAULT -60, life int DEFAULT 72000)
RETURNS jsonb LANGUAGE sql STABLE
AS $$ SELECT jsonb_build_object('email', email, 'name', 'N', 'aud', aud,
                                'contact_external_id', 'c_' || md5(email),
                                'account_external_id', 42,
                                'iat', extract(epoch FROM now())::bigint + iat_offset,
                                'exp', extract(epoch FROM now())::bigint + iat_offset + life) $$;

CREATE FUNCTION hmac_payload(email text, key text, sent_email text DEFAULT NULL)
RETURNS jsonb LANGUAGE sql IMMUTABLE
AS $$ SELECT jsonb_build_object('email', coalesce(sent_email, email),
                                'email_hash', woesid_email_hash(email, decode(key, 'hex')),
                                'name', 'Visitor', 'company', 'ACME') $$;

SELECT woesid_register_widget('wpk_mem_jwt', 'jwt', :'secret') AS k1 \gset
SELECT woesid_add_secret('wpk_mem_jwt', :'secret2', 'k2') AS k2 \gset
SELECT woesid_register_widget('wpk_mem_hmac', 'hmac_email', :'secret') AS h1 \gset
SELECT woesid_add_secret('wpk_mem_hmac', :'secret2', 'h2') AS h2 \gset
SELECT woesid_register_widget('wpk_mem_off', 'off');
SELECT woesid_register_widget('wpk_mem_nokey', 'jwt');

-- fn: which call verifies the sample; arg: its token / payload text;
-- key: the secret passed to pure verifiers; widget: for woesid_identify.
CREATE TABLE sample (
    id      int PRIMARY KEY,
    kind    text NOT NULL,
    fn      text NOT NULL,
    arg     text,
    key     text,
    widget  text,
    want    text NOT NULL
);

CREATE TEMP SEQUENCE ids MINVALUE 0 START 0;
CREATE FUNCTION add(kind text, fn text, arg text, key text, widget text, want text)
RETURNS void LANGUAGE sql
AS $$ INSERT INTO sample VALUES (nextval('ids'), kind, fn, arg, key, widget, want) $$;

-- pure widget JWTs
SELECT add('jwt valid', 'jwt', hs(widget_claims(e), :'secret'), :'secret', NULL, 'ok ' || e)
FROM (SELECT 'user' || i || '@example.com' AS e FROM generate_series(1, 30) i) AS t;
SELECT add('jwt valid, bytea key', 'jwt_bytea', hs_bytes(widget_claims(e), decode(:'secret2', 'hex')), :'secret2', NULL, 'ok ' || e)
FROM (SELECT 'bytea' || i || '@example.com' AS e FROM generate_series(1, 4) i) AS t;
SELECT add('jwt bad signature', 'jwt', hs(widget_claims('evil' || i || '@example.com'), :'wrong'), :'secret', NULL, 'bad_signature')
FROM generate_series(1, 10) i;
SELECT add('jwt tampered', 'jwt', regexp_replace(hs(widget_claims('t' || i || '@example.com'), :'secret'), '\.e', '.f'), :'secret', NULL, 'bad_signature')
FROM generate_series(1, 4) i;
SELECT add('jwt expired', 'jwt', hs(widget_claims('old@example.com', 'wpk_mem_jwt', -7200, 600), :'secret'), :'secret', NULL, 'expired');
SELECT add('jwt wrong audience', 'jwt', hs(widget_claims('a@example.com', 'wpk_other'), :'secret'), :'secret', NULL, 'audience_mismatch');
SELECT add('jwt alg none', 'jwt', b64url('{"alg":"none"}') || '.' || b64url(convert_to(widget_claims('boss@example.com')::text, 'UTF8')) || '.', :'secret', NULL, 'unsupported_algorithm');
SELECT add('jwt alg none signed', 'jwt', jws('{"alg":"none","typ":"JWT"}', widget_claims('boss@example.com')::text, :'secret'), :'secret', NULL, 'unsupported_algorithm');
SELECT add('jwt crit', 'jwt', jws('{"alg":"HS256","crit":["exp"]}', widget_claims('boss@example.com')::text, :'secret'), :'secret', NULL, 'unsupported_header');
SELECT add('garbage', 'jwt', g, :'secret', NULL, 'malformed')
FROM unnest(ARRAY['x', '..', 'a.b', 'a.b.c.d',
                  'eyJhbGciOiJIUzI1NiJ9.e30.AA+/', ' eyJhbGciOiJIUzI1NiJ9.e30.AAAA',
                  b64url('{"alg":"HS256"') || '.e30.AAAA', b64url('[1,2]') || '.e30.AAAA',
                  b64url(convert_to(repeat('[', 40) || repeat(']', 40), 'UTF8')) || '.e30.AAAA',
                  b64url('\xefbbbf7b22616c67223a22485332353622 7d'::bytea) || '.e30.AAAA',
                  b64url('{"alg":"HS256","alg":"HS256"}') || '.e30.AAAA',
                  encode(gen_random_bytes(300), 'base64'),
                  'ünïcödé.ünïcödé.ünïcödé']) AS g;
-- the payload is decoded only under a good signature: padding there is bad_signature
SELECT add('padded payload', 'jwt', 'eyJhbGciOiJIUzI1NiJ9.e30=.AAAA', :'secret', NULL, 'bad_signature');
SELECT add('empty token', 'jwt', '', :'secret', NULL, 'missing');
SELECT add('null token', 'jwt', NULL, :'secret', NULL, 'missing');
SELECT add('empty secret', 'jwt', hs(widget_claims('a@example.com'), :'secret'), '', NULL, 'missing_secret');
-- oversized: just past woesid.max_token_bytes, and a large TOASTed value
SELECT add('oversized 9 kB', 'jwt', hs(widget_claims(repeat('a', 7000) || '@example.com'), :'secret'), :'secret', NULL, 'malformed');
SELECT add('oversized 300 kB', 'jwt', hs(jsonb_build_object('pad', (SELECT string_agg(md5(i::text), '') FROM generate_series(1, 7000) i)) || widget_claims('big@example.com'), :'secret'), :'secret', NULL, 'malformed');
-- key-slot churn: 12 distinct secrets in a row (the per-call-site cache keeps 8)
SELECT add('jwt valid, rotating secrets', 'jwt', hs(widget_claims('rot' || i || '@example.com'), k), k, NULL, 'ok rot' || i || '@example.com')
FROM (SELECT i, encode(sha256(convert_to('rot' || i, 'UTF8')), 'hex') AS k FROM generate_series(1, 12) i) AS t;

-- signed variables
SELECT add('variables valid', 'variables', hs(jsonb_build_object('user_email', 'V' || i || '@Example.com', 'tier', 'gold',
                                                             'iat', extract(epoch FROM now())::bigint, 'exp', extract(epoch FROM now())::bigint + 86400), :'secret'),
           :'secret', NULL, 'ok v' || i || '@example.com')
FROM generate_series(1, 4) i;
SELECT add('variables bad signature', 'variables', hs(jsonb_build_object('user_email', 'x@example.com',
                                                             'iat', extract(epoch FROM now())::bigint, 'exp', extract(epoch FROM now())::bigint + 86400), :'wrong'),
           :'secret', NULL, 'bad_signature');

-- hmac_email payloads
SELECT add('hmac valid', 'hmac', hmac_payload(e, :'secret')::text, :'secret', NULL, 'ok ' || lower(trim(e)))
FROM (SELECT ' Visitor' || i || '@Example.COM ' AS e FROM generate_series(1, 30) i) AS t;
SELECT add('hmac valid, unicode', 'hmac', hmac_payload(e, :'secret')::text, :'secret', NULL, 'ok ' || woesid_normalize_email(e))
FROM unnest(ARRAY['İstanbul@Example.com', 'ΣΊΣΥΦΟΣ@example.com', 'straße@example.com', '𐐀@example.com']) AS e;
SELECT add('hmac forged', 'hmac', hmac_payload('victim' || i || '@example.com', :'secret', 'boss@example.com')::text, :'secret', NULL, 'bad_signature')
FROM generate_series(1, 10) i;
SELECT add('hmac wrong key', 'hmac', hmac_payload('x' || i || '@example.com', :'wrong')::text, :'secret', NULL, 'bad_signature')
FROM generate_series(1, 4) i;
SELECT add('hmac malformed', 'hmac', p, :'secret', NULL, w)
FROM (VALUES ('{"email":"a@b.c","email_hash":"zz"}', 'malformed'),
             ('{"email":"a@b.c","email_hash":"' || repeat('0', 64) || '"', 'malformed'),
             ('{"email":1,"email_hash":"' || repeat('0', 64) || '"}', 'malformed'),
             ('{"email":"a@b.c"}', 'missing'),
             ('{"email_hash":"' || repeat('0', 64) || '"}', 'missing_email'),
             ('{"email":"a@b.c","email":"b@b.c","email_hash":"' || repeat('0', 64) || '"}', 'malformed'),
             ('[]', 'malformed'),
             ('{"email":"a@b.c","email_hash":"' || repeat('0', 64) || '","pad":"' || repeat('x', 9000) || '"}', 'malformed')) AS t(p, w);

-- through the registry (woesid_identify); arg is the jsonb payload
SELECT add('identify jwt valid', 'identify', jsonb_build_object('jwt', hs(widget_claims(e), :'secret'), 'name', 'x')::text, NULL, 'wpk_mem_jwt', 'ok ' || e)
FROM (SELECT 'id' || i || '@example.com' AS e FROM generate_series(1, 12) i) AS t;
SELECT add('identify jwt second key by kid', 'identify', jsonb_build_object('jwt', hs(widget_claims(e), :'secret2', 'k2'))::text, NULL, 'wpk_mem_jwt', 'ok ' || e)
FROM (SELECT 'kid' || i || '@example.com' AS e FROM generate_series(1, 4) i) AS t;
SELECT add('identify jwt second key, no kid', 'identify', jsonb_build_object('jwt', hs(widget_claims(e), :'secret2'))::text, NULL, 'wpk_mem_jwt', 'ok ' || e)
FROM (SELECT 'nokid' || i || '@example.com' AS e FROM generate_series(1, 4) i) AS t;
SELECT add('identify jwt unknown kid', 'identify', jsonb_build_object('jwt', hs(widget_claims('a@example.com'), :'secret', 'k9'))::text, NULL, 'wpk_mem_jwt', 'unknown_key');
SELECT add('identify jwt bad signature', 'identify', jsonb_build_object('jwt', hs(widget_claims('evil' || i || '@example.com'), :'wrong'))::text, NULL, 'wpk_mem_jwt', 'bad_signature')
FROM generate_series(1, 6) i;
SELECT add('identify jwt hostile', 'identify', p, NULL, 'wpk_mem_jwt', w)
FROM (VALUES ('{}', 'missing'), ('{"jwt":42}', 'missing'), ('{"jwt":"a.b.c"}', 'malformed'),
             ('{"jwt":"' || repeat('A', 10000) || '.e30.AAAA"}', 'malformed')) AS t(p, w);
SELECT add('identify jwt no secret', 'identify', jsonb_build_object('jwt', hs(widget_claims('a@example.com'), :'secret'))::text, NULL, 'wpk_mem_nokey', 'missing_secret');
SELECT add('identify hmac valid', 'identify', hmac_payload(e, :'secret')::text, NULL, 'wpk_mem_hmac', 'ok ' || e)
FROM (SELECT 'hm' || i || '@example.com' AS e FROM generate_series(1, 12) i) AS t;
SELECT add('identify hmac second key', 'identify', hmac_payload(e, :'secret2')::text, NULL, 'wpk_mem_hmac', 'ok ' || e)
FROM (SELECT 'hm2_' || i || '@example.com' AS e FROM generate_series(1, 4) i) AS t;
SELECT add('identify hmac forged', 'identify', hmac_payload('victim' || i || '@example.com', :'secret', 'boss@example.com')::text, NULL, 'wpk_mem_hmac', 'bad_signature')
FROM generate_series(1, 8) i;
SELECT add('identify off', 'identify', '{"email":"a@b.c","name":"A"}', NULL, 'wpk_mem_off', 'not_signed');
SELECT add('identify unknown widget', 'identify', '{"jwt":"x"}', NULL, 'wpk_nope_' || i, 'unknown_widget')
FROM generate_series(1, 3) i;
-- a fresh unknown public key on every row: fills the registry cache past its bound
SELECT add('identify made-up widget', 'identify_dyn', '{"jwt":"x"}', NULL, 'wpk_made_up_', 'unknown_widget')
FROM generate_series(1, 2) i;

-- the backend's hex HMAC
SELECT add('email_hash', 'email_hash', e, :'secret', NULL,
           encode(hmac(convert_to(lower(trim(e)), 'UTF8'), decode(:'secret', 'hex'), 'sha256'), 'hex'))
FROM (SELECT ' Hash' || i || '@Example.com' AS e FROM generate_series(1, 4) i) AS t;

-- The outcome of one sample, as "ok <email>" or a reason code.  salt makes
-- identify_dyn's public key unique per row.
CREATE FUNCTION outcome(c woesid_claims) RETURNS text LANGUAGE sql IMMUTABLE
AS $$ SELECT CASE WHEN c.verified THEN 'ok ' || c.email ELSE c.failure END $$;

-- Payloads of the authenticate loop: visitors 0..49, and forged ones.
CREATE TABLE visitor AS
SELECT i AS id, 'visitor' || i || '@example.com' AS email,
       hmac_payload('visitor' || i || '@example.com', :'secret') AS payload,
       hmac_payload('visitor' || i || '@example.com', :'wrong') AS forged
FROM generate_series(0, 49) i;

-- identify samples as jsonb, so the loop does not parse them
ALTER TABLE sample ADD COLUMN payload jsonb;
UPDATE sample SET payload = arg::jsonb WHERE fn LIKE 'identify%';

-- n one-shot queries (EXECUTE: a new call site, cache and MAC key each
-- time) and n errors raised after a key was built (woesid_require in a
-- subtransaction that aborts): 3 verifications per iteration.
CREATE PROCEDURE calls(n int, INOUT done bigint, INOUT bad bigint)
LANGUAGE plpgsql
AS $$
DECLARE
    good text[] := ARRAY(SELECT arg FROM sample WHERE kind = 'jwt valid' ORDER BY id);
    forged_jwt text[] := ARRAY(SELECT arg FROM sample WHERE kind = 'jwt bad signature' ORDER BY id);
    forged_hmac text[] := ARRAY(SELECT arg FROM sample WHERE kind = 'hmac forged' ORDER BY id);
    secret text := (SELECT key FROM sample WHERE kind = 'jwt valid' LIMIT 1);
    e text;
BEGIN
    done := 0;
    bad := 0;
    FOR i IN 1..n LOOP
        EXECUTE 'SELECT (woesid_verify_jwt($1, $2, ''wpk_mem_jwt'')).email'
            INTO e USING good[1 + i % cardinality(good)], secret;
        IF e IS NULL THEN bad := bad + 1; END IF;
        BEGIN
            PERFORM woesid_require(woesid_verify_jwt(forged_jwt[1 + i % cardinality(forged_jwt)],
                                                     secret, 'wpk_mem_jwt'));
            bad := bad + 1;
        EXCEPTION WHEN invalid_authorization_specification THEN NULL;
        END;
        BEGIN
            EXECUTE 'SELECT woesid_require(woesid_hmac_email($1, decode($2, ''hex'')))'
                USING forged_hmac[1 + i % cardinality(forged_hmac)], secret;
            bad := bad + 1;
        EXCEPTION WHEN invalid_authorization_specification THEN NULL;
        END;
        done := done + 3;
    END LOOP;
END
$$;

-- n transactions, each: authenticate a visitor, authenticate another in a
-- subtransaction that rolls back, a forged payload (clears the identity),
-- the visitor again, COMMIT; the identity must be right at every step and
-- gone after the commit.  4 verifications per iteration.
CREATE PROCEDURE auth_loop(n int, INOUT done bigint, INOUT bad bigint)
LANGUAGE plpgsql
AS $$
DECLARE
    k int := (SELECT count(*) FROM visitor);
    v visitor;
    other jsonb;
    c woesid_claims;
BEGIN
    done := 0;
    bad := 0;
    FOR i IN 1..n LOOP
        SELECT * INTO v FROM visitor WHERE id = i % k;
        other := (SELECT payload FROM visitor WHERE id = (i + 1) % k);
        c := woesid_authenticate('wpk_mem_hmac', v.payload);
        IF NOT c.verified OR woesid_current_email() IS DISTINCT FROM v.email THEN
            bad := bad + 1;
        END IF;
        BEGIN
            c := woesid_authenticate('wpk_mem_hmac', other);
            RAISE EXCEPTION 'roll back';
        EXCEPTION WHEN raise_exception THEN NULL;
        END;
        IF woesid_current_email() IS DISTINCT FROM v.email THEN bad := bad + 1; END IF;
        c := woesid_authenticate('wpk_mem_hmac', v.forged);
        IF c.verified OR woesid_current_email() IS NOT NULL THEN bad := bad + 1; END IF;
        c := woesid_authenticate('wpk_mem_hmac', v.payload);
        COMMIT;
        IF woesid_current_email() IS NOT NULL THEN bad := bad + 1; END IF;
        done := done + 4;
    END LOOP;
END
$$;

ANALYZE;
