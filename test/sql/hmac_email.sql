-- hmac_email mode: the browser sends the email and the backend's HMAC of it.
-- The key is the 64-hex secret's decoded bytes.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all
CREATE FUNCTION test_key() RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$ SELECT decode(test_secret(), 'hex') $$;

-- The backend's hash, computed independently with pgcrypto.
CREATE FUNCTION backend_hash(email text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT encode(hmac(convert_to(lower(btrim(email)), 'UTF8'), test_key(), 'sha256'), 'hex') $$;

SELECT woesid_email_hash(' Ann@Example.COM ', test_key()) = backend_hash('ann@example.com') AS matches_backend,
       woesid_email_hash('ann@example.com', test_key()) AS hash;

\x on
SELECT * FROM woesid_hmac_email(
    jsonb_build_object('email', ' Ann@Example.COM ', 'email_hash', backend_hash('ann@example.com'),
                       'name', 'Ann', 'company', 'Acme', 'id', 'forged-id', 'plan', 'pro')::text,
    test_key());
\x off
-- any case of hex digits
SELECT verified FROM woesid_hmac_email(
    jsonb_build_object('email', 'ann@example.com', 'email_hash', upper(backend_hash('ann@example.com')))::text,
    test_key());
-- a forged email under someone else's hash: fail closed, metadata kept
SELECT * FROM woesid_hmac_email(
    jsonb_build_object('email', 'boss@example.com', 'email_hash', backend_hash('ann@example.com'),
                       'name', 'The Boss')::text,
    test_key());

-- Reasons, in order.
SELECT (woesid_hmac_email('{"email":"a@b.c"}', NULL)).failure AS null_secret,
       (woesid_hmac_email('{"email":"a@b.c"}', '')).failure AS empty_secret,
       (woesid_hmac_email(NULL, test_key())).failure AS null_payload,
       (woesid_hmac_email('', test_key())).failure AS empty_payload;
SELECT (woesid_hmac_email('[]', test_key())).failure AS array,
       (woesid_hmac_email('{"email":"a@b.c",}', test_key())).failure AS trailing_comma,
       (woesid_hmac_email('{"email":"a@b.c","email":"x@y.z"}', test_key())).failure AS duplicate,
       (woesid_hmac_email('{"email":"a@b.c"}', test_key())).failure AS no_hash;
SELECT (woesid_hmac_email('{"email":"a@b.c","email_hash":"abc"}', test_key())).failure AS short_hash,
       (woesid_hmac_email('{"email":"a@b.c","email_hash":' || repeat('1', 64) || '}', test_key())).failure AS numeric_hash,
       (woesid_hmac_email('{"email":"a@b.c","email_hash":"' || repeat('g', 64) || '"}', test_key())).failure AS not_hex,
       (woesid_hmac_email('{"email":7,"email_hash":"' || repeat('0', 64) || '"}', test_key())).failure AS email_not_string;
SELECT (woesid_hmac_email('{"email_hash":"' || repeat('0', 64) || '"}', test_key())).failure AS no_email,
       (woesid_hmac_email('{"email":" \t ","email_hash":"' || repeat('0', 64) || '"}', test_key())).failure AS blank_email,
       (woesid_hmac_email('{"email":"a@b.c","email_hash":"' || repeat('0', 64) || '"}', test_key())).failure AS wrong_hash;
-- order: a malformed hash wins over a missing email; no hash wins over all
SELECT (woesid_hmac_email('{"email_hash":"zz"}', test_key())).failure AS malformed_first,
       (woesid_hmac_email('{"name":"x"}', test_key())).failure AS missing_first;
-- the JSON rules of tokens apply: \u0000, lone surrogates, depth
SELECT (woesid_hmac_email('{"email":"a@b.c","email_hash":"' || repeat('0', 64) || '","name":"\u0000"}', test_key())).failure AS nul,
       (woesid_hmac_email('{"email":"a@b.c","email_hash":"' || repeat('0', 64) || '","name":"\udfff"}', test_key())).failure AS lone,
       (woesid_hmac_email('{"email":"a@b.c","email_hash":"' || repeat('0', 64) || '","x":' || repeat('[', 32) || repeat(']', 32) || '}', test_key())).failure AS deep;
-- a key shorter than 32 bytes is weak_secret, checked before the payload;
-- a longer one works like any HMAC key
SELECT (woesid_hmac_email(NULL, decode(repeat('ab', 31), 'hex'))).failure AS key_31_bytes;
SELECT verified FROM woesid_hmac_email(
    jsonb_build_object('email', 'a@b.c', 'email_hash',
                       encode(hmac('a@b.c', decode(repeat('ab', 33), 'hex'), 'sha256'), 'hex'))::text,
    decode(repeat('ab', 33), 'hex'));
-- woesid_email_hash is strict and refuses an empty key
SELECT woesid_email_hash(NULL, test_key()) IS NULL AS null_email;
SELECT woesid_email_hash('a@b.c', '');
-- woesid_normalize_email is JavaScript's trim().toLowerCase()
SELECT woesid_normalize_email(E'\u00a0\u2003 ÅNGSTRÖM@Example.COM\u3000\ufeff') AS trimmed,
       woesid_normalize_email('İSTANBUL@EXAMPLE.COM') AS dotted_i,
       woesid_normalize_email('ΟΔΥΣΣΕΥΣ@EXAMPLE.COM') AS final_sigma;
