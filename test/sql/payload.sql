-- (0.2.0) Registry payloads: the text forms and woesid's strict reader,
-- the size limit, wrong_mode and missing, unknown_key, the variables mode
-- and the identify trigger on a text column.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all
CREATE FUNCTION payload_secret_a() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat('f6', 32) $$;
CREATE FUNCTION payload_secret_b() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat('a8', 32) $$;
CREATE FUNCTION payload_secret_c() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat('c9', 32) $$;
-- a widget JWT for aud under secret, valid for 10 minutes from now
CREATE FUNCTION payload_token(aud text, secret text DEFAULT payload_secret_a(),
                              header text DEFAULT '{"alg":"HS256","typ":"JWT"}')
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT jws(header, json_build_object('email', 'Ann@Example.com', 'aud', aud,
                                         'iat', floor(extract(epoch FROM now()))::bigint,
                                         'exp', floor(extract(epoch FROM now()))::bigint + 600)::text,
               secret)
$$;
-- the body a jwt widget's browser sends: {"jwt":"<token>"}
CREATE FUNCTION payload_body(token text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT '{"jwt":"' || token || '"}' $$;

SELECT woesid_register_widget('wpk_p_jwt', 'jwt', NULL, 'acme');
SELECT woesid_add_secret('wpk_p_jwt', payload_secret_a(), 'p-a');
SELECT woesid_add_secret('wpk_p_jwt', payload_secret_c(), 'p-old');
SELECT woesid_retire_secret('wpk_p_jwt', 'p-old');
SELECT woesid_register_widget('wpk_p_jwt2', 'jwt', NULL, 'globex');
SELECT woesid_add_secret('wpk_p_jwt2', payload_secret_b(), 'p-other');
SELECT woesid_register_widget('wpk_p_hmac', 'hmac_email', NULL, 'acme');
SELECT woesid_add_secret('wpk_p_hmac', payload_secret_a(), 'h-a');
SELECT woesid_register_widget('wpk_p_off', 'off');

-- the reference: a good text body verifies
SELECT verified, email, widget, key_id
FROM woesid_identify('wpk_p_jwt', payload_body(payload_token('wpk_p_jwt')));

-- An untyped literal resolves to the text form: a body that is not JSON is
-- malformed (the jsonb form would have raised an input syntax ERROR).
SELECT verified, failure FROM woesid_identify('wpk_p_jwt', 'not json');
SELECT verified, failure FROM woesid_authenticate('wpk_p_jwt', '{"jwt": ');
SELECT verified, failure FROM woesid_identify('wpk_p_hmac', '{email: "ann@example.com"}');
-- the raw JWT instead of {"jwt": ...}: malformed, and nothing of it is echoed
SELECT * FROM woesid_identify('wpk_p_jwt', payload_token('wpk_p_jwt'));
SELECT * FROM woesid_identify('wpk_p_jwt', to_json(payload_token('wpk_p_jwt'))::text);
-- other JSON that is not an object
SELECT failure FROM woesid_identify('wpk_p_jwt', 'null');
SELECT failure FROM woesid_identify('wpk_p_jwt', 'null'::jsonb);
SELECT failure FROM woesid_identify('wpk_p_jwt', '[]');
-- nothing sent
SELECT failure FROM woesid_identify('wpk_p_jwt', NULL);
SELECT failure FROM woesid_identify('wpk_p_jwt', NULL::text);
SELECT failure FROM woesid_identify('wpk_p_jwt', NULL::jsonb);
SELECT failure FROM woesid_identify('wpk_p_jwt', '');
SELECT failure FROM woesid_identify('wpk_p_hmac', NULL);

-- Duplicate members: malformed in the text form.  The jsonb form cannot
-- see them: PostgreSQL parsed the value and kept the last member, so the
-- same body as jsonb verifies.
SELECT failure
FROM woesid_identify('wpk_p_jwt', '{"jwt":"forged","jwt":"' || payload_token('wpk_p_jwt') || '"}');
SELECT verified
FROM woesid_identify('wpk_p_jwt', ('{"jwt":"forged","jwt":"' || payload_token('wpk_p_jwt') || '"}')::jsonb);
SELECT failure
FROM woesid_identify('wpk_p_hmac', json_build_object('email', 'ann@example.com',
    'email_hash', woesid_email_hash('ann@example.com', decode(payload_secret_a(), 'hex')))::text
    || ' ' || '{"email":"boss@example.com"}');
SELECT failure
FROM woesid_identify('wpk_p_hmac', '{"email":"boss@example.com","email":"ann@example.com","email_hash":"'
    || woesid_email_hash('ann@example.com', decode(payload_secret_a(), 'hex')) || '"}');
-- names are compared after unescaping
SELECT failure
FROM woesid_identify('wpk_p_jwt', '{"jwt":"' || payload_token('wpk_p_jwt') || '","\u006a\u0077\u0074":"x"}');

-- The strict reader: BOM, trailing data, depth > 32, \u0000 and lone
-- surrogates are malformed; whitespace around the object is JSON.
SELECT failure FROM woesid_identify('wpk_p_jwt', E'\uFEFF' || payload_body(payload_token('wpk_p_jwt')));
SELECT failure FROM woesid_identify('wpk_p_jwt', payload_body(payload_token('wpk_p_jwt')) || 'x');
SELECT failure FROM woesid_identify('wpk_p_jwt', payload_body(payload_token('wpk_p_jwt')) || '{}');
SELECT verified FROM woesid_identify('wpk_p_jwt', E'\n ' || payload_body(payload_token('wpk_p_jwt')) || E' \r\n\t');
SELECT verified AS depth_32
FROM woesid_identify('wpk_p_jwt', '{"jwt":"' || payload_token('wpk_p_jwt') || '","x":'
                                  || repeat('[', 31) || repeat(']', 31) || '}');
SELECT failure AS depth_33
FROM woesid_identify('wpk_p_jwt', '{"jwt":"' || payload_token('wpk_p_jwt') || '","x":'
                                  || repeat('[', 32) || repeat(']', 32) || '}');
SELECT failure AS depth_33_jsonb
FROM woesid_identify('wpk_p_jwt', ('{"jwt":"' || payload_token('wpk_p_jwt') || '","x":'
                                   || repeat('[', 32) || repeat(']', 32) || '}')::jsonb);
SELECT failure FROM woesid_identify('wpk_p_jwt', '{"jwt":"' || payload_token('wpk_p_jwt') || '","name":"a\u0000b"}');
SELECT failure FROM woesid_identify('wpk_p_jwt', '{"jwt":"' || payload_token('wpk_p_jwt') || '","name":"\ud800"}');
SELECT verified, metadata
FROM woesid_identify('wpk_p_jwt', '{"jwt":"' || payload_token('wpk_p_jwt') || '","name":"\u00e9\ud83d\ude00"}');

-- The size limit (woesid.max_token_bytes, 8192 by default) comes before
-- the body is read: exactly the limit is read, one byte more is malformed.
CREATE FUNCTION payload_padded(body text, size int) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT rtrim(body, '}') || ',"pad":"' || repeat('x', size - octet_length(body) - 9) || '"}' $$;
SELECT octet_length(payload_padded(payload_body(payload_token('wpk_p_jwt')), 8192)) AS size,
       (woesid_identify('wpk_p_jwt', payload_padded(payload_body(payload_token('wpk_p_jwt')), 8192))).verified;
SELECT octet_length(payload_padded(payload_body(payload_token('wpk_p_jwt')), 8193)) AS size,
       (woesid_identify('wpk_p_jwt', payload_padded(payload_body(payload_token('wpk_p_jwt')), 8193))).failure;
-- the limit is in bytes, not characters
SELECT char_length(b) AS characters, octet_length(b) AS size, (woesid_identify('wpk_p_jwt', b)).failure
FROM (SELECT overlay(b placing 'é' from char_length(b) - 2 for 1) AS b
      FROM (SELECT payload_padded(payload_body(payload_token('wpk_p_jwt')), 8192) AS b) AS padded) AS accented;
-- and applies to hmac_email bodies and to the jsonb forms
SELECT failure FROM woesid_identify('wpk_p_hmac', payload_padded(json_build_object('email', 'ann@example.com',
    'email_hash', woesid_email_hash('ann@example.com', decode(payload_secret_a(), 'hex')))::text, 8193));
SELECT failure FROM woesid_identify('wpk_p_jwt',
    payload_padded(payload_body(payload_token('wpk_p_jwt')), 9000)::jsonb);
SET woesid.max_token_bytes = 1024;
SELECT failure FROM woesid_identify('wpk_p_jwt', payload_padded(payload_body(payload_token('wpk_p_jwt')), 1025));
SELECT failure FROM woesid_identify('wpk_p_jwt', payload_padded(payload_body(payload_token('wpk_p_jwt')), 1025)::jsonb);
SELECT verified FROM woesid_identify('wpk_p_jwt', payload_padded(payload_body(payload_token('wpk_p_jwt')), 1024));
RESET woesid.max_token_bytes;
-- A jsonb of several MB is refused by its size, before it is turned into
-- text: 100 refusals take less time than 10 conversions to text.
CREATE TEMP TABLE payload_big AS
SELECT (SELECT jsonb_object_agg('k' || i, i) FROM generate_series(1, 300000) AS i)
       || jsonb_build_object('jwt', payload_token('wpk_p_jwt')) AS p;
SELECT octet_length(p::text) > 5000000 AS several_mb FROM payload_big;
CREATE FUNCTION payload_refused_quickly() RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    p jsonb;
    f text;
    t0 timestamptz;
    refusing interval;
    converting interval;
BEGIN
    SELECT b.p INTO p FROM payload_big AS b;
    t0 := clock_timestamp();
    FOR i IN 1..100 LOOP
        f := (woesid_identify('wpk_p_jwt', p)).failure;
    END LOOP;
    refusing := clock_timestamp() - t0;
    t0 := clock_timestamp();
    FOR i IN 1..10 LOOP
        PERFORM octet_length(p::text);
    END LOOP;
    converting := clock_timestamp() - t0;
    RETURN f = 'malformed' AND refusing < converting;
END
$$;
SELECT payload_refused_quickly();

-- wrong_mode: the payload has another signed mode's member and not its
-- own; missing: its own member is absent (or not a non-empty string).
-- Decided only once the body is a strict object.  An own member that is
-- present but of the wrong type is the mode's own failure, not wrong_mode.
SELECT public_key, body, (woesid_identify(public_key, body)).failure
FROM (VALUES ('wpk_p_jwt',  '{"email":"ann@example.com","email_hash":"00"}'),
             ('wpk_p_jwt',  '{"signedVariables":"x.y.z","variables":{}}'),
             ('wpk_p_jwt',  '{"email":"ann@example.com","email_hash":"00","email_hash":"00"}'),
             ('wpk_p_jwt',  '{"email":"ann@example.com"}'),
             ('wpk_p_jwt',  '{}'),
             ('wpk_p_jwt',  '{"jwt":5}'),
             ('wpk_p_jwt',  '{"jwt":""}'),
             ('wpk_p_jwt',  '{"jwt":null}'),
             ('wpk_p_jwt',  '{"jwt":5,"email_hash":"00"}'),
             ('wpk_p_hmac', '{"jwt":"x.y.z"}'),
             ('wpk_p_hmac', '{"signedVariables":"x.y.z"}'),
             ('wpk_p_hmac', '{"email":"ann@example.com"}'),
             ('wpk_p_hmac', '{}'),
             ('wpk_p_hmac', '{"email_hash":5,"jwt":"x.y.z"}'),
             ('wpk_p_off',  '{"jwt":"x.y.z"}'),
             ('wpk_p_none', '{"jwt":"x.y.z"}')) AS t(public_key, body)
ORDER BY public_key COLLATE "C", body COLLATE "C";
-- the same through the jsonb form
SELECT failure FROM woesid_identify('wpk_p_jwt', '{"email":"ann@example.com","email_hash":"00"}'::jsonb);
SELECT failure FROM woesid_identify('wpk_p_hmac', jsonb_build_object('jwt', payload_token('wpk_p_hmac')));
-- the own member beside another mode's: verified, the other is metadata
SELECT verified, metadata
FROM woesid_identify('wpk_p_jwt', json_build_object('jwt', payload_token('wpk_p_jwt'),
                                                    'email_hash', '00')::text);

-- unknown_key: a kid that names no active secret of this widget, even
-- with the right (retired, or the other widget's) secret
SELECT verified, key_id
FROM woesid_identify('wpk_p_jwt', payload_body(payload_token('wpk_p_jwt', payload_secret_a(), '{"alg":"HS256","kid":"p-a"}')));
SELECT failure AS retired_kid
FROM woesid_identify('wpk_p_jwt', payload_body(payload_token('wpk_p_jwt', payload_secret_c(), '{"alg":"HS256","kid":"p-old"}')));
SELECT failure AS other_widgets_kid
FROM woesid_identify('wpk_p_jwt', payload_body(payload_token('wpk_p_jwt', payload_secret_b(), '{"alg":"HS256","kid":"p-other"}')));
SELECT failure AS unknown_kid
FROM woesid_identify('wpk_p_jwt', payload_body(payload_token('wpk_p_jwt', payload_secret_a(), '{"alg":"HS256","kid":"p-nope"}')));
SELECT failure AS number_kid
FROM woesid_identify('wpk_p_jwt', payload_body(payload_token('wpk_p_jwt', payload_secret_a(), '{"alg":"HS256","kid":1}')));
SELECT verified, widget, email
FROM woesid_identify('wpk_p_jwt2', payload_body(payload_token('wpk_p_jwt2', payload_secret_b(), '{"alg":"HS256","kid":"p-other"}')));
-- bad_signature: a known kid, the wrong secret; or no kid and no active
-- secret that matches (the retired one included)
SELECT failure AS known_kid_wrong_secret
FROM woesid_identify('wpk_p_jwt', payload_body(payload_token('wpk_p_jwt', payload_secret_b(), '{"alg":"HS256","kid":"p-a"}')));
SELECT failure AS no_kid_retired_secret
FROM woesid_identify('wpk_p_jwt', payload_body(payload_token('wpk_p_jwt', payload_secret_c())));

-- Widget mode variables: {"signedVariables": "<JWT>", "variables": {...}}.
SELECT woesid_register_widget('wpk_p_vars', 'variables', NULL, 'acme');
SELECT key_id AS vars_kid, secret AS vars_secret FROM woesid_generate_secret('wpk_p_vars') \gset
-- a 7-day token of variables, as jwt.sign(vars, SECRET, {expiresIn: '7d'})
CREATE FUNCTION payload_vars_claims(extra jsonb DEFAULT '{}') RETURNS jsonb
LANGUAGE sql STABLE
AS $$ SELECT jsonb_build_object('user_email', ' Bob@Example.com', 'tier', 'gold',
                                'iat', floor(extract(epoch FROM now()))::bigint,
                                'exp', floor(extract(epoch FROM now()))::bigint + 7 * 86400) || extra $$;
CREATE FUNCTION payload_vars_body(secret text, extra jsonb DEFAULT '{}') RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT json_build_object(
           'signedVariables', jws('{"alg":"HS256","typ":"JWT"}', payload_vars_claims(extra)::text, secret),
           'variables', json_build_object('tier', 'platinum', 'is_admin', true))::text $$;
-- the wrong_mode and missing cases above, now that the widget exists
SELECT body, (woesid_identify('wpk_p_vars', body)).failure
FROM (VALUES ('{"jwt":"x.y.z"}'),
             ('{"email":"ann@example.com","email_hash":"00"}'),
             ('{"variables":{"tier":"gold"}}'),
             ('{}'),
             ('{"signedVariables":5}'),
             ('{"signedVariables":""}'),
             ('{"signedVariables":"","jwt":"x.y.z"}')) AS t(body)
ORDER BY body COLLATE "C";
SELECT verified, mode, email, widget, key_id = :'vars_kid' AS generated_key,
       claims = payload_vars_claims() AS claims_are_the_tokens,
       claims - 'iat' - 'exp' AS other_claims,
       metadata,
       issued_at = to_timestamp((payload_vars_claims()->>'iat')::bigint) AS issued_at_is_iat,
       expires_at = to_timestamp((payload_vars_claims()->>'exp')::bigint) AS expires_at_is_exp,
       failure
FROM woesid_identify('wpk_p_vars', payload_vars_body(:'vars_secret'));
-- signed values are trusted, the unsigned variables beside them are not
SELECT woesid_trusted(v, 'tier') AS tier, woesid_trusted(v, 'is_admin') AS is_admin
FROM woesid_identify('wpk_p_vars', payload_vars_body(:'vars_secret')) AS v;
-- an email claim wins over user_email; no email at all is still verified;
-- aud is ignored; the lifetime limit is woesid.variables_max_lifetime
SELECT email FROM woesid_identify('wpk_p_vars', payload_vars_body(:'vars_secret', '{"email":" Carol@Example.com"}'));
SELECT verified, email FROM woesid_identify('wpk_p_vars', payload_vars_body(:'vars_secret', '{"user_email":null}'));
SELECT verified FROM woesid_identify('wpk_p_vars', payload_vars_body(:'vars_secret', '{"aud":"wpk_someone_else"}'));
SELECT failure FROM woesid_identify('wpk_p_vars', payload_vars_body(:'vars_secret',
    jsonb_build_object('exp', floor(extract(epoch FROM now()))::bigint + 7 * 86400 + 1)));
SELECT failure FROM woesid_identify('wpk_p_vars', payload_vars_body(:'vars_secret',
    jsonb_build_object('iat', floor(extract(epoch FROM now()))::bigint - 7200,
                       'exp', floor(extract(epoch FROM now()))::bigint - 3600)));
SELECT failure FROM woesid_identify('wpk_p_vars', payload_vars_body(payload_secret_b()));
-- the secret's string bytes are the key: a hex secret is not decoded
SELECT woesid_add_secret('wpk_p_vars', payload_secret_b(), 'vars-hex');
SELECT verified, key_id FROM woesid_identify('wpk_p_vars', payload_vars_body(payload_secret_b()));
SELECT failure
FROM woesid_identify('wpk_p_vars', json_build_object('signedVariables',
    jws_raw(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8'), convert_to(payload_vars_claims()::text, 'UTF8'),
            decode(payload_secret_b(), 'hex')))::text);
-- a widget JWT body sent to it is wrong_mode, its token as signedVariables
-- verifies (never share one secret between widget JWTs and variables)
SELECT failure FROM woesid_identify('wpk_p_vars', payload_body(payload_token('wpk_p_vars', payload_secret_b())));
SELECT verified, email FROM woesid_identify('wpk_p_vars', json_build_object('signedVariables',
    payload_token('wpk_p_vars', payload_secret_b()))::text);
-- authenticate with a variables widget sets the transaction's identity
BEGIN;
SELECT verified FROM woesid_authenticate('wpk_p_vars', payload_vars_body(:'vars_secret'));
SELECT woesid_current_email(), woesid_current_widget(), woesid_current_tenant(),
       (woesid_current()).mode, woesid_trusted(woesid_current(), 'tier') AS tier,
       woesid_trusted(woesid_current(), 'is_admin') AS is_admin;
COMMIT;

-- The identify trigger on a text payload column: read as text (duplicate
-- members malformed), the widget recorded, a stored verdict kept by an
-- UPDATE that changes neither key nor payload.
CREATE TABLE payload_event (
    id          int PRIMARY KEY,
    public_key  text,
    body        text,
    identity    woesid_claims,
    seen        boolean NOT NULL DEFAULT false
);
CREATE TRIGGER verify_identity BEFORE INSERT OR UPDATE ON payload_event
    FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger('public_key', 'body', 'identity');
INSERT INTO payload_event (id, public_key, body, identity) VALUES
    (1, 'wpk_p_jwt', payload_body(payload_token('wpk_p_jwt')), NULL),
    (2, 'wpk_p_jwt', '{"jwt":"forged","jwt":"' || payload_token('wpk_p_jwt') || '"}',
     ROW(true, 'jwt', 'boss@example.com', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'wpk_p_jwt')),
    (3, 'wpk_p_vars', payload_vars_body(:'vars_secret'), NULL),
    (4, 'wpk_p_jwt', 'not json', NULL),
    (5, 'wpk_p_hmac', NULL, NULL);
SELECT id, (identity).verified, (identity).mode, (identity).email, (identity).widget, (identity).failure
FROM payload_event ORDER BY id;
UPDATE payload_event SET seen = true,
    identity = ROW(true, 'jwt', 'boss@example.com', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'wpk_p_jwt');
SELECT id, seen, (identity).verified, (identity).email, (identity).widget, (identity).failure
FROM payload_event ORDER BY id;
UPDATE payload_event SET body = payload_body(payload_token('wpk_p_jwt')) WHERE id = 2;
UPDATE payload_event SET public_key = 'wpk_p_jwt2' WHERE id = 1;
SELECT id, (identity).verified, (identity).email, (identity).widget, (identity).failure
FROM payload_event ORDER BY id;

DROP TABLE payload_event;
DROP TABLE payload_big;
SELECT woesid_unregister_widget(k)
FROM unnest(ARRAY['wpk_p_jwt', 'wpk_p_jwt2', 'wpk_p_hmac', 'wpk_p_off', 'wpk_p_vars']) AS k;
DROP FUNCTION payload_refused_quickly(), payload_padded(text, int),
              payload_vars_body(text, jsonb), payload_vars_claims(jsonb),
              payload_body(text), payload_token(text, text, text),
              payload_secret_a(), payload_secret_b(), payload_secret_c();
