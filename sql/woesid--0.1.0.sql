/* woesid 0.1.0: verify chat-widget visitor identity inside PostgreSQL */

\echo Use "CREATE EXTENSION woesid" to load this file. \quit

-- Email normalization and every text comparison assume UTF-8.
DO $$
BEGIN
    IF pg_catalog.getdatabaseencoding() OPERATOR(pg_catalog.<>) 'UTF8' THEN
        RAISE EXCEPTION 'woesid requires a database with UTF8 encoding'
            USING ERRCODE = 'feature_not_supported',
                  DETAIL = pg_catalog.format('This database uses the %s encoding.',
                                             pg_catalog.getdatabaseencoding()),
                  HINT = 'Create the database with ENCODING ''UTF8''.';
    END IF;
END
$$;

CREATE TYPE woesid_claims AS (
    verified            boolean,     -- never NULL
    mode                text,        -- 'jwt' | 'hmac_email' | 'variables' | 'off'
    email               text,        -- normalized email
    contact_external_id text,
    account_external_id text,
    claims              jsonb,       -- every verified claim
    metadata            jsonb,       -- display-only fields the signature does not cover
    issued_at           timestamptz,
    expires_at          timestamptz,
    key_id              text,        -- which widget secret matched, or the token's kid
    failure             text         -- NULL when verified, else a reason code
);

/*
 * Function properties, chosen deliberately:
 *
 * - The verifiers are not STRICT: a NULL token, secret or audience must give
 *   verified = false with a reason code, never a NULL row.
 * - They are STABLE, not IMMUTABLE: they read the woesid.* settings, and the
 *   forms without "at" read the statement's start time.  STABLE lets the
 *   planner evaluate a call with constant arguments once per statement.
 * - They are PARALLEL SAFE: they touch no backend state but a per-call-site
 *   cache that each worker builds for itself.
 * - COST 50 (a C function's default is 1): an HS256 check costs about as
 *   much as fifty cheap operators, so the planner runs cheaper quals first.
 */

CREATE FUNCTION woesid_verify_jwt(token text, secret text, audience text)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_verify_jwt'
LANGUAGE C STABLE PARALLEL SAFE COST 50;

CREATE FUNCTION woesid_verify_jwt(token text, secret text, audience text,
                                  at timestamptz)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_verify_jwt'
LANGUAGE C STABLE PARALLEL SAFE COST 50;

CREATE FUNCTION woesid_verify_jwt(token text, secret bytea, audience text)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_verify_jwt'
LANGUAGE C STABLE PARALLEL SAFE COST 50;

CREATE FUNCTION woesid_verify_jwt(token text, secret bytea, audience text,
                                  at timestamptz)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_verify_jwt'
LANGUAGE C STABLE PARALLEL SAFE COST 50;

CREATE FUNCTION woesid_verify_variables(token text, secret text)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_verify_variables'
LANGUAGE C STABLE PARALLEL SAFE COST 50;

CREATE FUNCTION woesid_verify_variables(token text, secret text, at timestamptz)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_verify_variables'
LANGUAGE C STABLE PARALLEL SAFE COST 50;

CREATE FUNCTION woesid_verify_variables(token text, secret bytea)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_verify_variables'
LANGUAGE C STABLE PARALLEL SAFE COST 50;

CREATE FUNCTION woesid_verify_variables(token text, secret bytea, at timestamptz)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_verify_variables'
LANGUAGE C STABLE PARALLEL SAFE COST 50;

CREATE FUNCTION woesid_hmac_email(identify_payload text, secret bytea)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_hmac_email'
LANGUAGE C STABLE PARALLEL SAFE COST 25;

-- Pure functions of their arguments: IMMUTABLE, so usable in indexes and
-- generated columns; STRICT, since a NULL email has no hash.
CREATE FUNCTION woesid_email_hash(email text, secret bytea)
RETURNS text
AS 'MODULE_PATHNAME', 'woesid_email_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 25;

CREATE FUNCTION woesid_normalize_email(email text)
RETURNS text
AS 'MODULE_PATHNAME', 'woesid_normalize_email'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- A claim's value only when the identity is verified ("trusted only").
CREATE FUNCTION woesid_trusted(identity woesid_claims, name text)
RETURNS text
AS 'MODULE_PATHNAME', 'woesid_trusted'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Not STRICT: a NULL identity raises like an unverified one.  STABLE rather
-- than IMMUTABLE so a constant argument is not raised at plan time.
CREATE FUNCTION woesid_require(identity woesid_claims)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_require'
LANGUAGE C STABLE PARALLEL SAFE;
