-- test/upgrade/fill.sql: what a cluster using woesid holds, before pg_upgrade.
-- Tokens are signed here with pgcrypto, iat = now and a 15-minute life, so
-- they still verify on the upgraded cluster minutes later.
CREATE EXTENSION pgcrypto;
CREATE SCHEMA woesid;
CREATE EXTENSION woesid SCHEMA woesid;
SET search_path = public, woesid;

CREATE FUNCTION b64url(bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT translate(rtrim(replace(encode($1, 'base64'), E'\n', ''), '='), '+/', '-_') $$;

CREATE FUNCTION sign(claims jsonb, secret text, header text DEFAULT '{"alg":"HS256","typ":"JWT"}')
RETURNS text LANGUAGE sql STABLE
AS $$
    SELECT s || '.' || b64url(hmac(convert_to(s, 'UTF8'), convert_to(secret, 'UTF8'), 'sha256'))
    FROM (SELECT b64url(convert_to(header, 'UTF8')) || '.' ||
                 b64url(convert_to((claims || jsonb_build_object(
                     'iat', extract(epoch FROM now())::bigint,
                     'exp', extract(epoch FROM now())::bigint + 900))::text, 'UTF8')) AS s) AS t
$$;

SELECT woesid_register_widget('wpk_up_jwt', 'jwt', repeat('a1', 32), 'ws_1') AS k1 \gset
SELECT woesid_add_secret('wpk_up_jwt', repeat('b2', 32), 'old-key');
SELECT woesid_retire_secret('wpk_up_jwt', 'old-key');
SELECT woesid_register_widget('wpk_up_hmac', 'hmac_email', repeat('c3', 32), 'ws_2');
SELECT woesid_register_widget('wpk_up_vars', 'variables', NULL, 'ws_3');
SELECT woesid_register_widget('wpk_up_off', 'off');

-- the generated secret is kept only to sign with it here
CREATE TABLE vars_secret AS SELECT * FROM woesid_generate_secret('wpk_up_vars', 'vars-1');

CREATE TABLE identify_event (
    id          serial PRIMARY KEY,
    public_key  text,
    payload     text,
    identity    woesid.woesid_claims
);
CREATE TRIGGER verify_identity BEFORE INSERT OR UPDATE ON identify_event
    FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger('public_key', 'payload', 'identity');

INSERT INTO identify_event (public_key, payload) VALUES
    ('wpk_up_jwt', jsonb_build_object('jwt', sign('{"email":"ann@example.com","aud":"wpk_up_jwt","contact_external_id":"c1"}',
                                                  repeat('a1', 32)), 'name', 'Ann')::text),
    ('wpk_up_jwt', jsonb_build_object('jwt', sign('{"email":"ann@example.com","aud":"wpk_up_jwt"}',
                                                  repeat('b2', 32), '{"alg":"HS256","kid":"old-key"}'))::text),
    ('wpk_up_hmac', jsonb_build_object('email', 'Bob@Example.com',
                                       'email_hash', woesid_email_hash('bob@example.com', decode(repeat('c3', 32), 'hex')),
                                       'company', 'Acme')::text),
    ('wpk_up_vars', (SELECT jsonb_build_object('signedVariables',
                                               sign('{"user_email":"cy@example.com","tier":"gold"}', secret),
                                               'variables', '{"tier":"platinum"}'::jsonb)::text
                     FROM vars_secret)),
    ('wpk_up_off', '{"email":"dee@example.com"}'),
    ('wpk_up_jwt', '{"jwt":"not.a.token"}');
