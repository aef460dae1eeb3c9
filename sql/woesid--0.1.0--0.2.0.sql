/*
 * woesid 0.1.0 -> 0.2.0: identities bound to their widget and tenant, raw
 * text payloads, server-made secrets, a registry operators can run.
 *
 * CREATE EXTENSION woesid runs woesid--0.1.0.sql and then this script, so a
 * fresh installation and an upgraded one have exactly the same objects.
 * Every reference to an object of the extension is qualified with
 * @extschema@ and called with its full argument list of exact types, so no
 * object another role creates in that schema can capture or shadow it.
 */

\echo Use "ALTER EXTENSION woesid UPDATE TO '0.2.0'" to load this file. \quit

-- A schema where other roles can create objects lets them add overloads
-- beside woesid's functions that an application's untyped calls may reach.
-- "Other roles": any but superusers and the role installing woesid, with
-- the privilege granted, inherited or held as the schema's owner (a
-- database owner owns PostgreSQL 15's public schema through
-- pg_database_owner), and PUBLIC, for roles created later.
DO $$
BEGIN
    IF pg_catalog.has_schema_privilege('public', '@extschema@'::pg_catalog.regnamespace, 'CREATE')
       OR EXISTS (SELECT FROM pg_catalog.pg_roles AS r
               WHERE NOT r.rolsuper
                 AND r.rolname OPERATOR(pg_catalog.<>) CURRENT_USER
                 AND r.rolname OPERATOR(pg_catalog.!~) '^pg_'
                 AND pg_catalog.has_schema_privilege(r.oid, '@extschema@'::pg_catalog.regnamespace,
                                                     'CREATE')) THEN
        RAISE WARNING 'schema "%" lets roles other than its owner create objects',
                      '@extschema@'::pg_catalog.regnamespace
            USING DETAIL = 'Objects they create there can shadow woesid''s functions for callers that do not qualify them.',
                  HINT = 'Install woesid into a schema of its own: CREATE SCHEMA woesid; CREATE EXTENSION woesid SCHEMA woesid;';
    END IF;
END
$$;

-- The widget an identity was verified for.  Appended last: stored 0.1.0
-- values read it as NULL and keep their meaning.
ALTER TYPE @extschema@.woesid_claims ADD ATTRIBUTE widget text;

-- The customer workspace or account that owns an install, for policies.
ALTER TABLE @extschema@.woesid_widget
    ADD COLUMN tenant text CONSTRAINT woesid_widget_tenant_check CHECK (tenant <> ''),
    DROP CONSTRAINT woesid_widget_mode_check,
    ADD CONSTRAINT woesid_widget_mode_check
        CHECK (mode IN ('off', 'hmac_email', 'jwt', 'variables'));

-- Signed-variables widgets take any secret of at least 32 bytes; the
-- management functions check each mode's own format.
ALTER TABLE @extschema@.woesid_widget_secret
    DROP CONSTRAINT woesid_widget_secret_secret_check,
    ADD CONSTRAINT woesid_widget_secret_secret_check CHECK (octet_length(secret) >= 32);

/*
 * Cache invalidation on every committed path: row triggers, because logical
 * replication apply fires row triggers only, and ENABLE ALWAYS, because it
 * runs with session_replication_role = replica.  Paths that fire no trigger
 * at all (triggers disabled for a restore) are caught by
 * woesid.registry_cache_ttl.
 */
DROP TRIGGER woesid_widget_changed ON @extschema@.woesid_widget;
DROP TRIGGER woesid_widget_secret_changed ON @extschema@.woesid_widget_secret;
CREATE TRIGGER woesid_widget_changed
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.woesid_widget
    FOR EACH ROW EXECUTE FUNCTION @extschema@.woesid_registry_changed();
CREATE TRIGGER woesid_widget_truncated
    AFTER TRUNCATE ON @extschema@.woesid_widget
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.woesid_registry_changed();
CREATE TRIGGER woesid_widget_secret_changed
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.woesid_widget_secret
    FOR EACH ROW EXECUTE FUNCTION @extschema@.woesid_registry_changed();
CREATE TRIGGER woesid_widget_secret_truncated
    AFTER TRUNCATE ON @extschema@.woesid_widget_secret
    FOR EACH STATEMENT EXECUTE FUNCTION @extschema@.woesid_registry_changed();
ALTER TABLE @extschema@.woesid_widget
    ENABLE ALWAYS TRIGGER woesid_widget_changed,
    ENABLE ALWAYS TRIGGER woesid_widget_truncated;
ALTER TABLE @extschema@.woesid_widget_secret
    ENABLE ALWAYS TRIGGER woesid_widget_secret_changed,
    ENABLE ALWAYS TRIGGER woesid_widget_secret_truncated;

/*
 * ALTER TABLE ... ENABLE TRIGGER [ALL], as pg_restore --disable-triggers
 * runs after loading data, makes a trigger fire in origin mode only, and
 * logical replication apply would then change the registry unseen.  This
 * event trigger turns woesid's registry triggers back to ALWAYS whenever an
 * ALTER TABLE leaves one of them enabled the ordinary way; a disabled one
 * stays disabled.
 */
CREATE FUNCTION woesid_keep_registry_triggers() RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.relname, g.tgname
        FROM pg_event_trigger_ddl_commands() AS d
             JOIN pg_class AS c ON c.oid = d.objid
             JOIN pg_trigger AS g ON g.tgrelid = c.oid
        WHERE d.classid = 'pg_class'::regclass
          AND c.relnamespace = '@extschema@'::regnamespace
          AND c.relname IN ('woesid_widget', 'woesid_widget_secret')
          AND g.tgname IN ('woesid_widget_changed', 'woesid_widget_truncated',
                           'woesid_widget_secret_changed', 'woesid_widget_secret_truncated')
          AND g.tgenabled = 'O'
    LOOP
        EXECUTE format('ALTER TABLE @extschema@.%I ENABLE ALWAYS TRIGGER %I', t.relname, t.tgname);
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION @extschema@.woesid_keep_registry_triggers() FROM PUBLIC;
CREATE EVENT TRIGGER woesid_keep_registry_triggers ON ddl_command_end
    WHEN TAG IN ('ALTER TABLE')
    EXECUTE FUNCTION @extschema@.woesid_keep_registry_triggers();

/*
 * Registry management.  Besides 0.1.0's rules (SECURITY DEFINER, pinned
 * search_path, EXECUTE revoked from PUBLIC, errors that echo no argument),
 * each function sets log_min_error_statement = panic for its own duration:
 * an error raised inside it does not write the calling statement, which
 * may hold a literal secret, to the server log.  Errors raised before the
 * function runs (a typo in the call, a missing privilege) still log the
 * statement, so secrets belong in bind parameters or come from
 * woesid_generate_secret, never in statement text.
 */

-- 32 bytes of the operating system's CSPRNG as lower-case hex, after prefix.
CREATE FUNCTION woesid_random_secret(prefix text)
RETURNS text
AS 'MODULE_PATHNAME', 'woesid_random_secret'
LANGUAGE C VOLATILE STRICT PARALLEL SAFE;

-- Refuses a mode or a tenant no widget may have; NULL passes (the caller
-- decides what NULL means).
CREATE FUNCTION woesid_check_widget_fields(mode text, tenant text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic
AS $$
BEGIN
    IF mode NOT IN ('off', 'hmac_email', 'jwt', 'variables') THEN
        RAISE EXCEPTION 'invalid widget mode'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The mode must be off, hmac_email, jwt or variables.';
    END IF;
    IF tenant = '' THEN
        RAISE EXCEPTION 'invalid tenant'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A tenant is NULL or a non-empty string.';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION woesid_add_secret(public_key text, secret text,
                                             key_id text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic
AS $$
DECLARE
    widget_mode text;
    new_key_id text := coalesce(key_id,
        to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISS') || '-' ||
        substr(md5(random()::text || clock_timestamp()::text), 1, 8));
BEGIN
    -- checked here, not left to the table's CHECK, whose error would show
    -- the whole row, secret included
    IF new_key_id = '' THEN
        RAISE EXCEPTION 'invalid key id'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A key id must not be empty.';
    END IF;
    -- locks the widget: concurrent additions of one secret cannot both pass
    SELECT w.mode INTO widget_mode FROM @extschema@.woesid_widget AS w
    WHERE w.public_key = woesid_add_secret.public_key
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'widget does not exist'
            USING ERRCODE = 'no_data_found',
                  HINT = 'Register it first with woesid_register_widget.';
    END IF;
    IF widget_mode = 'variables' THEN
        IF secret IS NULL OR octet_length(secret) < 32 THEN
            RAISE EXCEPTION 'invalid widget secret'
                USING ERRCODE = 'invalid_parameter_value',
                      DETAIL = 'A signed-variables secret must be at least 32 bytes long.';
        END IF;
    ELSIF secret IS NULL OR secret !~ '^([0-9a-fA-F]{2}){32,}$' THEN
        RAISE EXCEPTION 'invalid widget secret'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A secret must be at least 64 hexadecimal digits, an even number of them.';
    END IF;
    IF EXISTS (SELECT FROM @extschema@.woesid_widget_secret AS s
               WHERE s.public_key = woesid_add_secret.public_key
                 AND s.key_id = new_key_id) THEN
        RAISE EXCEPTION 'widget already has a secret with this key id'
            USING ERRCODE = 'unique_violation';
    END IF;
    -- hex secrets are the same key in any case (hmac_email decodes them)
    IF EXISTS (SELECT FROM @extschema@.woesid_widget_secret AS s
               WHERE s.public_key = woesid_add_secret.public_key
                 AND CASE WHEN widget_mode = 'variables'
                          THEN s.secret = woesid_add_secret.secret
                          ELSE lower(s.secret) = lower(woesid_add_secret.secret) END) THEN
        RAISE EXCEPTION 'widget already has this secret'
            USING ERRCODE = 'unique_violation',
                  HINT = 'A secret, even a retired one, is added to a widget only once: generate a new one.';
    END IF;
    INSERT INTO @extschema@.woesid_widget_secret (public_key, key_id, secret)
    VALUES (woesid_add_secret.public_key, new_key_id, woesid_add_secret.secret);
    RETURN new_key_id;
END
$$;

-- The 0.1.0 form has no tenant argument.
DROP FUNCTION @extschema@.woesid_register_widget(text, text, text);

CREATE FUNCTION woesid_register_widget(public_key text, mode text,
                                       secret text DEFAULT NULL,
                                       tenant text DEFAULT NULL)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic
AS $$
BEGIN
    -- a widget must have a mode: NULL is checked as an invalid one
    PERFORM @extschema@.woesid_check_widget_fields(coalesce(mode, ''), tenant);
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
    INSERT INTO @extschema@.woesid_widget (public_key, mode, tenant)
    VALUES (woesid_register_widget.public_key, woesid_register_widget.mode,
            woesid_register_widget.tenant);
    IF secret IS NULL THEN
        RETURN NULL;
    END IF;
    RETURN @extschema@.woesid_add_secret(public_key, secret, NULL::text);
END
$$;

-- Retires a secret from "at" on.  A retirement that has taken effect is
-- final: a retired secret never verifies again (a scheduled one may be
-- moved).
CREATE OR REPLACE FUNCTION woesid_retire_secret(public_key text, key_id text,
                                                at timestamptz DEFAULT pg_catalog.now())
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic
AS $$
DECLARE
    retired_at timestamptz;
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'invalid retirement time'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'A secret is retired at a time, not NULL.';
    END IF;
    SELECT s.not_after INTO retired_at FROM @extschema@.woesid_widget_secret AS s
    WHERE s.public_key = woesid_retire_secret.public_key
      AND s.key_id = woesid_retire_secret.key_id
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'widget has no secret with this key id'
            USING ERRCODE = 'no_data_found';
    END IF;
    IF retired_at <= statement_timestamp() THEN
        RAISE EXCEPTION 'secret is already retired'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'A retired secret cannot be made active again: generate a new one.';
    END IF;
    UPDATE @extschema@.woesid_widget_secret AS s
    SET not_after = woesid_retire_secret.at
    WHERE s.public_key = woesid_retire_secret.public_key
      AND s.key_id = woesid_retire_secret.key_id;
END
$$;

-- A new secret from the CSPRNG, stored and returned: it never has to
-- appear in SQL text.  Signed-variables widgets get "sk_" + 64 hex.
CREATE FUNCTION woesid_generate_secret(public_key text, key_id text DEFAULT NULL,
                                       OUT key_id text, OUT secret text)
RETURNS record
LANGUAGE sql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic
AS $$
    SELECT @extschema@.woesid_add_secret($1, g.secret, $2), g.secret
    FROM (SELECT @extschema@.woesid_random_secret(
                     CASE WHEN (SELECT w.mode FROM @extschema@.woesid_widget AS w
                                WHERE w.public_key = $1) = 'variables'
                          THEN 'sk_' ELSE '' END) AS secret) AS g
$$;

-- Changes a widget's mode and/or tenant; NULL leaves a field as it is.
CREATE FUNCTION woesid_set_widget(public_key text, mode text DEFAULT NULL,
                                  tenant text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic
AS $$
BEGIN
    PERFORM @extschema@.woesid_check_widget_fields(mode, tenant);
    PERFORM FROM @extschema@.woesid_widget AS w
    WHERE w.public_key = woesid_set_widget.public_key
    FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'widget does not exist'
            USING ERRCODE = 'no_data_found';
    END IF;
    IF mode IS DISTINCT FROM 'variables' AND mode IS NOT NULL AND
       EXISTS (SELECT FROM @extschema@.woesid_widget_secret AS s
               WHERE s.public_key = woesid_set_widget.public_key
                 AND (s.not_after IS NULL OR s.not_after > statement_timestamp())
                 AND s.secret !~ '^([0-9a-fA-F]{2}){32,}$') THEN
        RAISE EXCEPTION 'widget has active secrets this mode cannot use'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'Modes other than variables take secrets of at least 64 hexadecimal digits.',
                  HINT = 'Retire those secrets with woesid_retire_secret, change the mode, then generate new ones.';
    END IF;
    UPDATE @extschema@.woesid_widget AS w
    SET mode = coalesce(woesid_set_widget.mode, w.mode),
        tenant = coalesce(woesid_set_widget.tenant, w.tenant)
    WHERE w.public_key = woesid_set_widget.public_key;
END
$$;

-- Removes an install with all its secrets.
CREATE FUNCTION woesid_unregister_widget(public_key text)
RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic
AS $$
BEGIN
    -- explicitly: on a Citus cluster the registry has no foreign key
    DELETE FROM @extschema@.woesid_widget_secret AS s
    WHERE s.public_key = woesid_unregister_widget.public_key;
    DELETE FROM @extschema@.woesid_widget AS w
    WHERE w.public_key = woesid_unregister_widget.public_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'widget does not exist'
            USING ERRCODE = 'no_data_found';
    END IF;
END
$$;

-- Deletes secrets retired before retired_before (of one widget, or all).
CREATE FUNCTION woesid_purge_secrets(public_key text DEFAULT NULL,
                                     retired_before timestamptz
                                         DEFAULT pg_catalog.now() OPERATOR(pg_catalog.-) '30 days'::pg_catalog.interval)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic
AS $$
DECLARE
    purged integer;
BEGIN
    DELETE FROM @extschema@.woesid_widget_secret AS s
    WHERE (woesid_purge_secrets.public_key IS NULL
           OR s.public_key = woesid_purge_secrets.public_key)
      AND s.not_after < woesid_purge_secrets.retired_before;
    GET DIAGNOSTICS purged = ROW_COUNT;
    RETURN purged;
END
$$;

-- The registry without any secret, for operators and dashboards.
CREATE VIEW woesid_widget_keys AS
SELECT w.public_key, w.mode, w.tenant, s.key_id, s.created_at, s.not_after,
       s.key_id IS NOT NULL AND
           (s.not_after IS NULL OR
            s.not_after OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp()) AS active
FROM @extschema@.woesid_widget AS w
     LEFT JOIN @extschema@.woesid_widget_secret AS s
         ON s.public_key OPERATOR(pg_catalog.=) w.public_key;

REVOKE ALL ON FUNCTION @extschema@.woesid_random_secret(text),
                       @extschema@.woesid_check_widget_fields(text, text),
                       @extschema@.woesid_register_widget(text, text, text, text),
                       @extschema@.woesid_generate_secret(text, text),
                       @extschema@.woesid_set_widget(text, text, text),
                       @extschema@.woesid_unregister_widget(text),
                       @extschema@.woesid_purge_secrets(text, timestamptz)
    FROM PUBLIC;
REVOKE ALL ON @extschema@.woesid_widget_keys FROM PUBLIC;

/*
 * Citus (README: "Scaling out with Citus").  The cluster key signs the
 * identity woesid_authenticate forwards from the coordinator to the workers
 * of a distributed transaction; like the secrets, only the extension's
 * owner reads it.  woesid_citus_setup(), run once on the coordinator, makes
 * it and turns the registry into reference tables, so every node holds the
 * same registry and changes commit on every node at once.
 */
CREATE TABLE woesid_cluster_key (
    key         text NOT NULL CHECK (key ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT pg_catalog.now()
);
REVOKE ALL ON woesid_cluster_key FROM PUBLIC;
ALTER TABLE woesid_cluster_key ALTER COLUMN key SET STATISTICS 0;
SELECT pg_catalog.pg_extension_config_dump('woesid_cluster_key', '');
CREATE TRIGGER woesid_cluster_key_changed
    AFTER INSERT OR UPDATE OR DELETE ON @extschema@.woesid_cluster_key
    FOR EACH ROW EXECUTE FUNCTION @extschema@.woesid_registry_changed();

CREATE FUNCTION woesid_citus_setup()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET log_min_error_statement = panic
AS $$
DECLARE
    t text;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') THEN
        RAISE EXCEPTION 'Citus is not installed in this database'
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Run CREATE EXTENSION citus first, on the coordinator.';
    END IF;
    IF NOT EXISTS (SELECT FROM @extschema@.woesid_cluster_key) THEN
        INSERT INTO @extschema@.woesid_cluster_key (key)
        VALUES (@extschema@.woesid_random_secret(''::text));
    END IF;
    -- woesid's triggers only tell each node's backends that the registry
    -- changed: they are safe on every placement
    SET LOCAL citus.enable_unsafe_triggers = on;
    -- every node's copy of the extension has the foreign key already, and
    -- Citus would add it there again; the management functions keep
    -- secrets tied to their widgets
    ALTER TABLE @extschema@.woesid_widget_secret
        DROP CONSTRAINT IF EXISTS woesid_widget_secret_public_key_fkey;
    FOREACH t IN ARRAY ARRAY['woesid_widget', 'woesid_widget_secret', 'woesid_cluster_key'] LOOP
        IF NOT EXISTS (SELECT FROM pg_dist_partition
                       WHERE logicalrelid = format('@extschema@.%I', t)::regclass) THEN
            PERFORM pg_catalog.create_reference_table(format('@extschema@.%I', t)::regclass);
            -- the rows now live in the placements: no copy stays behind
            PERFORM pg_catalog.truncate_local_data_after_distributing_table(
                format('@extschema@.%I', t)::regclass);
        END IF;
    END LOOP;
END
$$;
REVOKE ALL ON FUNCTION @extschema@.woesid_citus_setup() FROM PUBLIC;

/*
 * Registry payloads as the browser sent them.  An untyped literal resolves
 * to these text forms; the body is read by woesid's strict JSON reader, so
 * no body raises, duplicate members are malformed, and the size limit comes
 * before anything is read.  The jsonb forms stay for callers that hold jsonb.
 */
CREATE FUNCTION woesid_identify(public_key text, payload text)
RETURNS @extschema@.woesid_claims
AS 'MODULE_PATHNAME', 'woesid_identify_text'
LANGUAGE C STABLE PARALLEL SAFE COST 50 SECURITY DEFINER
SET search_path = '';

CREATE FUNCTION woesid_authenticate(public_key text, payload text)
RETURNS @extschema@.woesid_claims
AS 'MODULE_PATHNAME', 'woesid_authenticate_text'
LANGUAGE C VOLATILE PARALLEL UNSAFE COST 50 SECURITY DEFINER
SET search_path = '';

-- The transaction's identity: which widget verified it, whose it is.
CREATE FUNCTION woesid_current_widget() RETURNS text
AS 'MODULE_PATHNAME', 'woesid_current_widget'
LANGUAGE C STABLE PARALLEL RESTRICTED;

CREATE FUNCTION woesid_current_tenant() RETURNS text
AS 'MODULE_PATHNAME', 'woesid_current_tenant'
LANGUAGE C STABLE PARALLEL RESTRICTED;

/*
 * Catalog documentation: \dT+, \df+, \d+ and \dy+ explain every object and
 * column (test/sql/comments.sql finds none without a comment).  The
 * settings are documented by their own descriptions (SHOW ALL, pg_settings).
 */
COMMENT ON TYPE @extschema@.woesid_claims IS
    'A verification result: the identity when verified is true, else only mode, metadata and one reason code in failure';
COMMENT ON COLUMN @extschema@.woesid_claims.verified IS
    'Whether the signature and every rule passed; never NULL';
COMMENT ON COLUMN @extschema@.woesid_claims.mode IS
    'jwt, hmac_email, variables or off';
COMMENT ON COLUMN @extschema@.woesid_claims.email IS
    'The normalized email (JavaScript trim().toLowerCase()); NULL unless verified';
COMMENT ON COLUMN @extschema@.woesid_claims.contact_external_id IS
    'From a string or integer claim; NULL unless verified';
COMMENT ON COLUMN @extschema@.woesid_claims.account_external_id IS
    'From a string or integer claim; NULL unless verified';
COMMENT ON COLUMN @extschema@.woesid_claims.claims IS
    'Every verified claim; NULL unless verified';
COMMENT ON COLUMN @extschema@.woesid_claims.metadata IS
    'Display-only fields the signature does not cover: never trusted';
COMMENT ON COLUMN @extschema@.woesid_claims.issued_at IS
    'The token''s iat; NULL unless verified';
COMMENT ON COLUMN @extschema@.woesid_claims.expires_at IS
    'The token''s exp; NULL unless verified';
COMMENT ON COLUMN @extschema@.woesid_claims.key_id IS
    'The token''s kid, or which registered secret matched; NULL unless verified';
COMMENT ON COLUMN @extschema@.woesid_claims.failure IS
    'NULL when verified, else one reason code';
COMMENT ON COLUMN @extschema@.woesid_claims.widget IS
    'The widget the identity was verified for: the registry''s public key, or woesid_verify_jwt''s audience';

COMMENT ON FUNCTION @extschema@.woesid_verify_jwt(text, text, text) IS
    'Verifies a widget identity JWT (HS256) for an audience, at the statement''s start time';
COMMENT ON FUNCTION @extschema@.woesid_verify_jwt(text, text, text, timestamptz) IS
    'Verifies a widget identity JWT (HS256) for an audience, as of a given time';
COMMENT ON FUNCTION @extschema@.woesid_verify_jwt(text, bytea, text) IS
    'Verifies a widget identity JWT (HS256) with a binary key, at the statement''s start time';
COMMENT ON FUNCTION @extschema@.woesid_verify_jwt(text, bytea, text, timestamptz) IS
    'Verifies a widget identity JWT (HS256) with a binary key, as of a given time';
COMMENT ON FUNCTION @extschema@.woesid_verify_variables(text, text) IS
    'Verifies a signed-variables JWT, at the statement''s start time';
COMMENT ON FUNCTION @extschema@.woesid_verify_variables(text, text, timestamptz) IS
    'Verifies a signed-variables JWT, as of a given time';
COMMENT ON FUNCTION @extschema@.woesid_verify_variables(text, bytea) IS
    'Verifies a signed-variables JWT with a binary key, at the statement''s start time';
COMMENT ON FUNCTION @extschema@.woesid_verify_variables(text, bytea, timestamptz) IS
    'Verifies a signed-variables JWT with a binary key, as of a given time';
COMMENT ON FUNCTION @extschema@.woesid_hmac_email(text, bytea) IS
    'Verifies an hmac_email identify payload: an email and the backend''s HMAC of it';
COMMENT ON FUNCTION @extschema@.woesid_email_hash(text, bytea) IS
    'The lower-case hex HMAC-SHA256 of the normalized email, as a customer''s backend sends it';
COMMENT ON FUNCTION @extschema@.woesid_normalize_email(text) IS
    'JavaScript''s email.trim().toLowerCase(), independent of the locale';
COMMENT ON FUNCTION @extschema@.woesid_trusted(@extschema@.woesid_claims, text) IS
    'A claim''s value as text when the identity is verified, else NULL';
COMMENT ON FUNCTION @extschema@.woesid_require(@extschema@.woesid_claims) IS
    'The identity when verified, else an error (SQLSTATE 28000) with its reason code';

COMMENT ON TABLE @extschema@.woesid_widget IS
    'The widget registry: one row per widget install; readable by the extension''s owner only';
COMMENT ON COLUMN @extschema@.woesid_widget.public_key IS
    'The widget''s public key (1 to 127 bytes), the audience of its JWTs';
COMMENT ON COLUMN @extschema@.woesid_widget.mode IS
    'off, hmac_email, jwt or variables';
COMMENT ON COLUMN @extschema@.woesid_widget.created_at IS
    'When the widget was registered';
COMMENT ON COLUMN @extschema@.woesid_widget.tenant IS
    'The customer workspace or account that owns the install; NULL for none';
COMMENT ON TABLE @extschema@.woesid_widget_secret IS
    'Widget secrets, several active at once for rotation; readable by the extension''s owner only';
COMMENT ON COLUMN @extschema@.woesid_widget_secret.public_key IS
    'The widget the secret belongs to';
COMMENT ON COLUMN @extschema@.woesid_widget_secret.key_id IS
    'The secret''s key id, unique in its widget; a JWT''s kid selects it';
COMMENT ON COLUMN @extschema@.woesid_widget_secret.secret IS
    'At least 64 hexadecimal digits, or at least 32 bytes for a variables widget';
COMMENT ON COLUMN @extschema@.woesid_widget_secret.created_at IS
    'When the secret was added';
COMMENT ON COLUMN @extschema@.woesid_widget_secret.not_after IS
    'Retired from this moment on; NULL when no retirement is set';
COMMENT ON VIEW @extschema@.woesid_widget_keys IS
    'The registry without any secret: a row per secret, and one with key_id NULL per widget without secrets';
COMMENT ON COLUMN @extschema@.woesid_widget_keys.public_key IS
    'The widget''s public key';
COMMENT ON COLUMN @extschema@.woesid_widget_keys.mode IS
    'off, hmac_email, jwt or variables';
COMMENT ON COLUMN @extschema@.woesid_widget_keys.tenant IS
    'The widget''s tenant; NULL for none';
COMMENT ON COLUMN @extschema@.woesid_widget_keys.key_id IS
    'The secret''s key id; NULL for a widget without secrets';
COMMENT ON COLUMN @extschema@.woesid_widget_keys.created_at IS
    'When the secret was added';
COMMENT ON COLUMN @extschema@.woesid_widget_keys.not_after IS
    'When the secret is or was retired; NULL when no retirement is set';
COMMENT ON COLUMN @extschema@.woesid_widget_keys.active IS
    'Whether the secret verifies at the statement''s start time';

COMMENT ON FUNCTION @extschema@.woesid_register_widget(text, text, text, text) IS
    'Registers a widget with a mode, a secret and a tenant (both optional); returns the stored key id';
COMMENT ON FUNCTION @extschema@.woesid_add_secret(text, text, text) IS
    'Adds a secret to a widget; returns its key id (generated when not given)';
COMMENT ON FUNCTION @extschema@.woesid_generate_secret(text, text) IS
    'Stores a new secret from the CSPRNG for a widget; returns its key id and the secret';
COMMENT ON FUNCTION @extschema@.woesid_retire_secret(text, text, timestamptz) IS
    'Retires a widget''s secret from a time on (default now); a retirement in effect is final';
COMMENT ON FUNCTION @extschema@.woesid_set_widget(text, text, text) IS
    'Changes a widget''s mode and/or tenant; NULL leaves a field as it is';
COMMENT ON FUNCTION @extschema@.woesid_unregister_widget(text) IS
    'Removes a widget and all its secrets';
COMMENT ON FUNCTION @extschema@.woesid_purge_secrets(text, timestamptz) IS
    'Deletes secrets retired before a time (default 30 days ago), of one widget or of all; returns how many';
COMMENT ON FUNCTION @extschema@.woesid_random_secret(text) IS
    'Internal: a prefix and 32 bytes of the operating system''s CSPRNG as lower-case hex';
COMMENT ON FUNCTION @extschema@.woesid_check_widget_fields(text, text) IS
    'Internal: refuses a mode or a tenant no widget may have';
COMMENT ON FUNCTION @extschema@.woesid_registry_changed() IS
    'Internal trigger: tells every session''s registry cache that the registry changed';
COMMENT ON FUNCTION @extschema@.woesid_keep_registry_triggers() IS
    'Internal event trigger function: see event trigger woesid_keep_registry_triggers';
COMMENT ON EVENT TRIGGER woesid_keep_registry_triggers IS
    'Turns the registry''s cache triggers back to ENABLE ALWAYS when an ALTER TABLE enables them the ordinary way';

COMMENT ON FUNCTION @extschema@.woesid_identify(text, text) IS
    'Verifies a widget''s request body through the registry, as the widget''s mode requires';
COMMENT ON FUNCTION @extschema@.woesid_identify(text, jsonb) IS
    'Verifies a widget''s request body, held as jsonb, through the registry, as the widget''s mode requires';
COMMENT ON FUNCTION @extschema@.woesid_authenticate(text, text) IS
    'As woesid_identify, and sets (or, failing, clears) the transaction''s identity';
COMMENT ON FUNCTION @extschema@.woesid_authenticate(text, jsonb) IS
    'As woesid_identify on a jsonb body, and sets (or, failing, clears) the transaction''s identity';
COMMENT ON FUNCTION @extschema@.woesid_identify_trigger() IS
    'BEFORE INSERT OR UPDATE row trigger (key_column, payload_column, result_column): writes the server''s verification into result_column';
COMMENT ON FUNCTION @extschema@.woesid_current() IS
    'The transaction''s identity, set by woesid_authenticate; failure missing when none, expired once its token has';
COMMENT ON FUNCTION @extschema@.woesid_current_email() IS
    'The email of the transaction''s identity; NULL when none';
COMMENT ON FUNCTION @extschema@.woesid_current_contact_id() IS
    'The contact_external_id of the transaction''s identity; NULL when none';
COMMENT ON FUNCTION @extschema@.woesid_current_account_id() IS
    'The account_external_id of the transaction''s identity; NULL when none';
COMMENT ON FUNCTION @extschema@.woesid_current_widget() IS
    'The public key of the widget that verified the transaction''s identity; NULL when none';
COMMENT ON FUNCTION @extschema@.woesid_current_tenant() IS
    'The tenant of the widget that verified the transaction''s identity; NULL when none';
COMMENT ON TABLE @extschema@.woesid_cluster_key IS
    'The Citus cluster key that signs forwarded identities; readable by the extension''s owner only';
COMMENT ON COLUMN @extschema@.woesid_cluster_key.key IS
    '64 lower-case hexadecimal digits from the CSPRNG, made by woesid_citus_setup';
COMMENT ON COLUMN @extschema@.woesid_cluster_key.created_at IS
    'When the key was made';
COMMENT ON FUNCTION @extschema@.woesid_citus_setup() IS
    'On a Citus coordinator: makes the cluster key and turns the registry into reference tables';
