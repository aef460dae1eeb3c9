-- bench/plpgsql_jwt.sql: the peer woesid_verify_jwt is compared with in
-- scripts/bench.sh: an HS256 widget-JWT verifier in PL/pgSQL over pgcrypto,
-- written as a careful user would write one without woesid (in the manner
-- of the well-known pgjwt extension, plus the claim checks the reference,
-- docs/reference.md, asks for).  Returns the verified claims as jsonb, or
-- NULL when the token is not valid, so that, like woesid_verify_jwt, it
-- parses the whole payload.
--
-- It is deliberately generous to the peer, i.e. it skips work woesid does:
-- a malformed segment or header RAISEs an error (decode, ::jsonb) instead of
-- giving a reason code; base64 decoding is PostgreSQL's lenient one; the
-- signature comparison (bytea =) is not constant time; the JSON is jsonb's
-- (duplicate keys allowed, last wins); nothing bounds the token's size.

CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- base64url (no padding) to bytea; SQL, so the planner inlines it.
CREATE OR REPLACE FUNCTION bench_b64url_decode(s text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT decode(translate(s, '-_', '+/') || repeat('=', (4 - length(s) % 4) % 4),
                  'base64')
$$;

CREATE OR REPLACE FUNCTION bench_plpgsql_verify_jwt(token text, secret text,
                                                    audience text, at timestamptz)
RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    skew     constant numeric := 30;      -- woesid.clock_skew's default
    lifetime constant numeric := 900;     -- woesid.jwt_max_lifetime's default
    parts    text[];
    header   jsonb;
    claims   jsonb;
    now_s    numeric;
    exp_s    numeric;
    iat_s    numeric;
BEGIN
    IF token IS NULL OR secret IS NULL OR secret = '' OR audience IS NULL
       OR at IS NULL THEN
        RETURN NULL;
    END IF;
    parts := string_to_array(token, '.');
    IF array_length(parts, 1) IS DISTINCT FROM 3 THEN
        RETURN NULL;
    END IF;

    -- header: alg exactly HS256, no crit, typ JWT if any
    header := convert_from(bench_b64url_decode(parts[1]), 'UTF8')::jsonb;
    IF jsonb_typeof(header) <> 'object'
       OR header->'alg' IS DISTINCT FROM '"HS256"'::jsonb
       OR header ? 'crit'
       OR (header ? 'typ' AND upper(header->>'typ') IS DISTINCT FROM 'JWT') THEN
        RETURN NULL;
    END IF;

    -- signature over the received "header.payload", key = the secret's bytes
    IF hmac(parts[1] || '.' || parts[2], secret, 'sha256')
       <> bench_b64url_decode(parts[3]) THEN
        RETURN NULL;
    END IF;

    -- claims
    claims := convert_from(bench_b64url_decode(parts[2]), 'UTF8')::jsonb;
    IF jsonb_typeof(claims) <> 'object'
       OR jsonb_typeof(claims->'exp') IS DISTINCT FROM 'number'
       OR jsonb_typeof(claims->'iat') IS DISTINCT FROM 'number' THEN
        RETURN NULL;
    END IF;
    now_s := extract(epoch FROM at);
    exp_s := (claims->>'exp')::numeric;
    iat_s := (claims->>'iat')::numeric;
    IF now_s >= exp_s + skew
       OR iat_s > now_s + skew
       OR exp_s - iat_s > lifetime
       OR (claims ? 'nbf' AND (jsonb_typeof(claims->'nbf') <> 'number'
                               OR (claims->>'nbf')::numeric > now_s + skew)) THEN
        RETURN NULL;
    END IF;
    IF NOT coalesce(claims->'aud' = to_jsonb(audience)
                    OR (jsonb_typeof(claims->'aud') = 'array' AND claims->'aud' ? audience),
                    false) THEN
        RETURN NULL;
    END IF;
    IF jsonb_typeof(claims->'email') IS DISTINCT FROM 'string'
       OR lower(btrim(claims->>'email')) = '' THEN
        RETURN NULL;
    END IF;
    RETURN claims;
END
$$;
