/*
 * woesid 0.2.0 -> 0.3.0: what the widgets receive.  woesid_stat counts
 * verifications per widget, mode, outcome and key id; woesid_stat_reset
 * clears the counts; woesid_widget_keys says when each key last verified
 * something.
 *
 * CREATE EXTENSION woesid runs woesid--0.1.0.sql and the update scripts in
 * turn, so a fresh installation and an upgraded one have the same objects.
 * Counting needs no object of its own: backends count in memory and
 * publish to shared memory (src/stat.c); these are the ways to read it.
 */

\echo Use "ALTER EXTENSION woesid UPDATE TO '0.3.0'" to load this file. \quit

CREATE FUNCTION woesid_stat(OUT public_key text, OUT mode text, OUT outcome text,
                            OUT key_id text, OUT calls bigint,
                            OUT first_at timestamptz, OUT last_at timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'woesid_stat'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

CREATE FUNCTION woesid_stat_reset() RETURNS void
AS 'MODULE_PATHNAME', 'woesid_stat_reset'
LANGUAGE C VOLATILE PARALLEL RESTRICTED;

-- Behind woesid_widget_keys.last_used_at.  A view calls functions with its
-- reader's privileges, and the readers of woesid_widget_keys are whoever
-- its owner granted it to, so this stays executable by everyone and answers
-- only roles that can read woesid_widget_keys or woesid_stat.
CREATE FUNCTION woesid_key_last_used(OUT public_key text, OUT key_id text,
                                     OUT last_used_at timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'woesid_key_last_used'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;

-- One row per (widget, mode, outcome, key id) since the last reset, for the
-- whole cluster.
CREATE VIEW woesid_stat AS
SELECT s.public_key, s.mode, s.outcome, s.key_id, s.calls, s.first_at, s.last_at
FROM @extschema@.woesid_stat() AS s;

-- 0.2.0's view, with last_used_at appended: when the key last verified
-- something, from the counts (NULL: not since the last reset, or not
-- counting).
CREATE OR REPLACE VIEW woesid_widget_keys AS
SELECT w.public_key, w.mode, w.tenant, s.key_id, s.created_at, s.not_after,
       s.key_id IS NOT NULL AND
           (s.not_after IS NULL OR
            s.not_after OPERATOR(pg_catalog.>) pg_catalog.statement_timestamp()) AS active,
       u.last_used_at
FROM @extschema@.woesid_widget AS w
     LEFT JOIN @extschema@.woesid_widget_secret AS s
         ON s.public_key OPERATOR(pg_catalog.=) w.public_key
     LEFT JOIN (SELECT k.public_key, k.key_id, pg_catalog.max(k.last_used_at) AS last_used_at
                FROM @extschema@.woesid_key_last_used() AS k
                GROUP BY k.public_key, k.key_id) AS u
         ON u.public_key OPERATOR(pg_catalog.=) s.public_key
            AND u.key_id OPERATOR(pg_catalog.=) s.key_id;

REVOKE ALL ON FUNCTION @extschema@.woesid_stat(),
                       @extschema@.woesid_stat_reset()
    FROM PUBLIC;
REVOKE ALL ON @extschema@.woesid_stat FROM PUBLIC;
GRANT SELECT ON @extschema@.woesid_stat TO pg_monitor;
GRANT EXECUTE ON FUNCTION @extschema@.woesid_stat() TO pg_monitor;

COMMENT ON FUNCTION @extschema@.woesid_stat() IS
    'verifications counted per widget, mode, outcome and key id (read through the woesid_stat view)';
COMMENT ON FUNCTION @extschema@.woesid_stat_reset() IS
    'clears the woesid_stat counts';
COMMENT ON FUNCTION @extschema@.woesid_key_last_used() IS
    'when each registry key last verified something (for woesid_widget_keys)';
COMMENT ON VIEW @extschema@.woesid_stat IS
    'verifications per widget, mode, outcome (verified or a reason code) and key id since the last reset';
COMMENT ON COLUMN @extschema@.woesid_widget_keys.last_used_at IS
    'when the key last verified something, from woesid_stat (NULL: not since the last reset)';
COMMENT ON COLUMN @extschema@.woesid_stat.public_key IS
    'the registry''s public key, the trigger''s key or woesid_verify_jwt''s audience; NULL for an unknown widget or a verifier that knows none';
COMMENT ON COLUMN @extschema@.woesid_stat.mode IS
    'jwt, hmac_email, variables or off; NULL for an unknown widget';
COMMENT ON COLUMN @extschema@.woesid_stat.outcome IS
    'verified, or the reason code of the failure';
COMMENT ON COLUMN @extschema@.woesid_stat.key_id IS
    'the registry key that matched, or a verified token''s kid; NULL when none did';
COMMENT ON COLUMN @extschema@.woesid_stat.calls IS
    'verifications counted since the last reset';
COMMENT ON COLUMN @extschema@.woesid_stat.first_at IS
    'start of the statement of the first of them';
COMMENT ON COLUMN @extschema@.woesid_stat.last_at IS
    'start of the statement of the last of them';
