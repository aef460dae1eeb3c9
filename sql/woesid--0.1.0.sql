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

/*
 * Widget registry: one row per widget install, and its secrets.  Several
 * secrets may be active at once so they can be rotated without downtime.
 * Only the extension's owner can read either table; pg_dump keeps their
 * rows (pg_extension_config_dump).
 */
CREATE TABLE woesid_widget (
    public_key  text PRIMARY KEY
                CHECK (octet_length(public_key) BETWEEN 1 AND 127),
    mode        text NOT NULL CHECK (mode IN ('off', 'hmac_email', 'jwt')),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);

CREATE TABLE woesid_widget_secret (
    public_key  text NOT NULL REFERENCES woesid_widget ON DELETE CASCADE,
    key_id      text NOT NULL CHECK (key_id <> ''),
    -- the workspace identity secret: at least 64 hex digits, whole bytes
    secret      text NOT NULL CHECK (secret ~ '^([0-9a-fA-F]{2}){32,}$'),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
    not_after   timestamptz,          -- retired from this moment on
    PRIMARY KEY (public_key, key_id)
);

REVOKE ALL ON woesid_widget, woesid_widget_secret FROM PUBLIC;
-- ANALYZE would copy secrets into pg_statistic: collect nothing on them.
ALTER TABLE woesid_widget_secret ALTER COLUMN secret SET STATISTICS 0;
SELECT pg_catalog.pg_extension_config_dump('woesid_widget', '');
SELECT pg_catalog.pg_extension_config_dump('woesid_widget_secret', '');

-- Tells every backend's registry cache that the registry changed.
CREATE FUNCTION woesid_registry_changed() RETURNS trigger
AS 'MODULE_PATHNAME', 'woesid_registry_changed'
LANGUAGE C;
REVOKE ALL ON FUNCTION woesid_registry_changed() FROM PUBLIC;

CREATE TRIGGER woesid_widget_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON woesid_widget
    FOR EACH STATEMENT EXECUTE FUNCTION woesid_registry_changed();
CREATE TRIGGER woesid_widget_secret_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON woesid_widget_secret
    FOR EACH STATEMENT EXECUTE FUNCTION woesid_registry_changed();

/*
 * Registry management.  SECURITY DEFINER so they can write the tables the
 * caller cannot read; EXECUTE is revoked from PUBLIC, so only the owner and
 * roles it grants can manage widgets.  Errors echo no argument at all: a
 * secret passed in the wrong position must not reach a message or the log.
 */
CREATE FUNCTION woesid_add_secret(public_key text, secret text,
                                  key_id text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    new_key_id text := coalesce(key_id,
        to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS') || '-' ||
        substr(md5(random()::text || clock_timestamp()::text), 1, 8));
BEGIN
    IF secret IS NULL OR secret !~ '^([0-9a-fA-F]{2}){32,}$' THEN
        RAISE EXCEPTION 'invalid widget secret'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A secret must be at least 64 hexadecimal digits, an even number of them.';
    END IF;
    -- checked here, not left to the table's CHECK, whose error would show
    -- the whole row, secret included
    IF new_key_id = '' THEN
        RAISE EXCEPTION 'invalid key id'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A key id must not be empty.';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.woesid_widget AS w
                   WHERE w.public_key = woesid_add_secret.public_key) THEN
        RAISE EXCEPTION 'widget does not exist'
            USING ERRCODE = 'no_data_found',
                  HINT = 'Register it first with woesid_register_widget.';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.woesid_widget_secret AS s
               WHERE s.public_key = woesid_add_secret.public_key
                 AND s.key_id = new_key_id) THEN
        RAISE EXCEPTION 'widget already has a secret with this key id'
            USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO @extschema@.woesid_widget_secret (public_key, key_id, secret)
    VALUES (woesid_add_secret.public_key, new_key_id, woesid_add_secret.secret);
    RETURN new_key_id;
END
$$;

CREATE FUNCTION woesid_register_widget(public_key text, mode text,
                                       secret text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF mode IS NULL OR mode NOT IN ('off', 'hmac_email', 'jwt') THEN
        RAISE EXCEPTION 'invalid widget mode'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The mode must be off, hmac_email or jwt.';
    END IF;
    IF public_key IS NULL OR octet_length(public_key) NOT BETWEEN 1 AND 127 THEN
        RAISE EXCEPTION 'invalid widget public key'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A public key is 1 to 127 bytes long.';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.woesid_widget AS w
               WHERE w.public_key = woesid_register_widget.public_key) THEN
        RAISE EXCEPTION 'widget is already registered'
            USING ERRCODE = 'unique_violation';
    END IF;
    INSERT INTO @extschema@.woesid_widget (public_key, mode)
    VALUES (woesid_register_widget.public_key, woesid_register_widget.mode);
    IF secret IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN @extschema@.woesid_add_secret(public_key, secret);
END
$$;

CREATE FUNCTION woesid_retire_secret(public_key text, key_id text,
                                     at timestamptz DEFAULT now())
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    UPDATE @extschema@.woesid_widget_secret AS s
    SET not_after = woesid_retire_secret.at
    WHERE s.public_key = woesid_retire_secret.public_key
      AND s.key_id = woesid_retire_secret.key_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'widget has no secret with this key id'
            USING ERRCODE = 'no_data_found';
    END IF;
END
$$;

REVOKE ALL ON FUNCTION woesid_register_widget(text, text, text),
                       woesid_add_secret(text, text, text),
                       woesid_retire_secret(text, text, timestamptz)
    FROM PUBLIC;

/*
 * Verification through the registry.  SECURITY DEFINER with a pinned
 * search_path: any role may verify, none but the owner reads a secret.
 * These C functions name every object with its schema, so their path is
 * empty (as pgsodium's definer wrappers do): PostgreSQL applies and undoes
 * it on every call, and an empty one is the cheapest to apply.
 * woesid_authenticate also sets (or, failing, clears) the transaction's
 * identity, which lives in backend memory: it is VOLATILE and PARALLEL
 * UNSAFE; woesid_identify is STABLE and PARALLEL SAFE.
 */
CREATE FUNCTION woesid_identify(public_key text, payload jsonb)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_identify'
LANGUAGE C STABLE PARALLEL SAFE COST 50 SECURITY DEFINER
SET search_path = '';

CREATE FUNCTION woesid_authenticate(public_key text, payload jsonb)
RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_authenticate'
LANGUAGE C VOLATILE PARALLEL UNSAFE COST 50 SECURITY DEFINER
SET search_path = '';

/*
 * The transaction's identity.  STABLE: constant within a statement, so
 * "(SELECT woesid_current_email())" in a policy is one initplan per
 * statement.  PARALLEL RESTRICTED: backend memory is not seen by workers.
 */
CREATE FUNCTION woesid_current() RETURNS woesid_claims
AS 'MODULE_PATHNAME', 'woesid_current'
LANGUAGE C STABLE PARALLEL RESTRICTED;

CREATE FUNCTION woesid_current_email() RETURNS text
AS 'MODULE_PATHNAME', 'woesid_current_email'
LANGUAGE C STABLE PARALLEL RESTRICTED;

CREATE FUNCTION woesid_current_contact_id() RETURNS text
AS 'MODULE_PATHNAME', 'woesid_current_contact_id'
LANGUAGE C STABLE PARALLEL RESTRICTED;

CREATE FUNCTION woesid_current_account_id() RETURNS text
AS 'MODULE_PATHNAME', 'woesid_current_account_id'
LANGUAGE C STABLE PARALLEL RESTRICTED;

/*
 * BEFORE INSERT OR UPDATE ... FOR EACH ROW EXECUTE FUNCTION
 *   woesid_identify_trigger(key_column, payload_column, result_column)
 * writes the verification of the row's payload into result_column,
 * overwriting whatever the client put there.  SECURITY DEFINER like
 * woesid_identify, so the table's writers need no access to secrets.
 */
CREATE FUNCTION woesid_identify_trigger() RETURNS trigger
AS 'MODULE_PATHNAME', 'woesid_identify_trigger'
LANGUAGE C SECURITY DEFINER
SET search_path = '';
