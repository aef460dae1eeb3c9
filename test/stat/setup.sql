-- test/stat/setup.sql: widgets and helpers of test/stat/run.sh.
CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS woesid;

SELECT woesid_register_widget('wpk_s_hmac', 'hmac_email');
SELECT woesid_add_secret('wpk_s_hmac', repeat('5a', 32), 'key-h');
SELECT woesid_register_widget('wpk_s_jwt', 'jwt');
SELECT woesid_add_secret('wpk_s_jwt', repeat('6b', 32), 'key-j');

CREATE FUNCTION s_b64url(bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT translate(rtrim(replace(encode($1, 'base64'), E'\n', ''), '='), '+/', '-_') $$;

-- An HS256 token over payload under the secret string's bytes.
CREATE FUNCTION s_jws(payload text, secret text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT s || '.' || s_b64url(hmac(convert_to(s, 'UTF8'), convert_to(secret, 'UTF8'), 'sha256'))
    FROM (SELECT s_b64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8')) || '.' ||
                 s_b64url(convert_to(payload, 'UTF8')) AS s) AS signing_input
$$;

-- A token for wpk_s_jwt valid for ten minutes from now (the suite takes
-- less), and the same payload as the browser sends it.
CREATE TABLE s_token AS
SELECT s_jws(json_build_object('email', 'ann@example.com', 'aud', 'wpk_s_jwt',
                               'iat', extract(epoch FROM now())::bigint,
                               'exp', extract(epoch FROM now())::bigint + 600)::text,
             repeat('6b', 32)) AS token;
CREATE FUNCTION s_token() RETURNS text LANGUAGE sql STABLE
AS $$ SELECT token FROM s_token $$;
CREATE FUNCTION s_jwt_payload() RETURNS jsonb LANGUAGE sql STABLE
AS $$ SELECT jsonb_build_object('jwt', token) FROM s_token $$;

CREATE FUNCTION s_good_hmac(email text DEFAULT 'ann@example.com') RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT json_build_object('email', email, 'email_hash',
                               encode(hmac(convert_to(email, 'UTF8'), decode(repeat('5a', 32), 'hex'),
                                           'sha256'), 'hex'))::text $$;
CREATE FUNCTION s_bad_hmac() RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT json_build_object('email', 'ann@example.com', 'email_hash', repeat('0', 64))::text $$;

CREATE TABLE s_event (
    id          bigserial PRIMARY KEY,
    public_key  text,
    payload     jsonb,
    identity    woesid_claims
);
CREATE TRIGGER verify_identity BEFORE INSERT OR UPDATE ON s_event
    FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger('public_key', 'payload', 'identity');

-- For the parallel scan.
CREATE TABLE s_par AS
SELECT g AS id, s_good_hmac('v' || g || '@example.com') AS payload
FROM generate_series(1, 20000) AS g;
ANALYZE s_par;

-- The counts as one line per entry, for comparison.
CREATE FUNCTION s_counts() RETURNS SETOF text
LANGUAGE sql
AS $$ SELECT format('%s|%s|%s|%s|%s', coalesce(public_key, '-'), coalesce(mode, '-'), outcome,
                    coalesce(key_id, '-'), calls)
      FROM woesid_stat
      ORDER BY public_key COLLATE "C" NULLS FIRST, mode COLLATE "C" NULLS FIRST,
               outcome COLLATE "C", key_id COLLATE "C" NULLS FIRST $$;
