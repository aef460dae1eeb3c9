-- test/citus/checks.sql: run on the coordinator by test/citus/run.sh.  Every
-- check prints "name|true" (or "name|false"); setup statements print nothing.
\set QUIET on
SET client_min_messages = warning;
\pset tuples_only on
\pset format unaligned

CREATE SCHEMA woesid;
CREATE EXTENSION woesid SCHEMA woesid;
CREATE EXTENSION pgcrypto;
SELECT woesid.woesid_citus_setup() \g /dev/null

SELECT 'registry tables are reference tables|' ||
       (count(*) = 3)::text
FROM pg_dist_partition
WHERE logicalrelid IN ('woesid.woesid_widget'::regclass, 'woesid.woesid_widget_secret'::regclass,
                       'woesid.woesid_cluster_key'::regclass)
  AND partmethod = 'n';

-- Settings reach every node: Citus propagates ALTER DATABASE ... SET.
ALTER DATABASE postgres SET woesid.clock_skew = '45s';
SELECT 'ALTER DATABASE SET of a woesid setting reaches every node|' ||
       bool_and(result = '{woesid.clock_skew=45s}')::text
FROM run_command_on_all_nodes($$SELECT s.setconfig::text FROM pg_db_role_setting s
                                JOIN pg_database d ON d.oid = s.setdatabase
                                WHERE d.datname = 'postgres' AND s.setrole = 0$$);
ALTER DATABASE postgres RESET woesid.clock_skew;

-- Two workspaces, secrets that never appear in statement text.
SELECT woesid.woesid_register_widget('wpk_a', 'jwt', NULL, 'ws_a') \g /dev/null
SELECT woesid.woesid_register_widget('wpk_b', 'jwt', NULL, 'ws_b') \g /dev/null
SELECT woesid.woesid_register_widget('wpk_h', 'hmac_email', NULL, 'ws_a') \g /dev/null
CREATE TABLE secrets AS
SELECT w AS public_key, g.key_id, g.secret
FROM unnest(ARRAY['wpk_a', 'wpk_b', 'wpk_h']) AS w, LATERAL woesid.woesid_generate_secret(w) AS g;

SELECT 'every node holds the registry|' || bool_and(result = '3')::text
FROM run_command_on_all_nodes($$SELECT count(*) FROM woesid.woesid_widget_secret$$);
SELECT 'no role but the owner reads secrets on any node|' || bool_and(result = 'f')::text
FROM run_command_on_all_nodes($$SELECT has_table_privilege('public', 'woesid.woesid_widget_secret', 'SELECT')
                                    OR has_table_privilege('public', 'woesid.woesid_cluster_key', 'SELECT')$$);

CREATE FUNCTION b64url(bytea) RETURNS text LANGUAGE sql IMMUTABLE STRICT
AS $$ SELECT translate(rtrim(replace(encode($1, 'base64'), E'\n', ''), '='), '+/', '-_') $$;
CREATE FUNCTION sign(claims jsonb, public_key text, life int DEFAULT 600) RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT json_build_object('jwt', t.s || '.' ||
           b64url(hmac(convert_to(t.s, 'UTF8'), convert_to(k.secret, 'UTF8'), 'sha256')))::text
    FROM secrets AS k,
         LATERAL (SELECT b64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'UTF8')) || '.' ||
                         b64url(convert_to((claims || jsonb_build_object(
                             'iat', extract(epoch FROM now())::bigint,
                             'exp', extract(epoch FROM now())::bigint + life))::text, 'UTF8')) AS s) AS t
    WHERE k.public_key = sign.public_key
$$;

-- A schema distributed by workspace, with reference data; the coordinator
-- holds shards too, so some shard queries run in its own backend.
SELECT citus_set_node_property(nodename, nodeport, 'shouldhaveshards', true)
FROM pg_dist_node WHERE groupid = 0 \g /dev/null
CREATE TABLE plan (workspace_id text PRIMARY KEY, name text);
SELECT create_reference_table('plan') \g /dev/null
INSERT INTO plan VALUES ('ws_a', 'gold'), ('ws_b', 'free');
CREATE TABLE conversation (workspace_id text, id int, customer_email text, subject text,
                           PRIMARY KEY (workspace_id, id));
SELECT create_distributed_table('conversation', 'workspace_id') \g /dev/null
SELECT 'the coordinator holds shards of the distributed table|' || (count(*) > 0)::text
FROM citus_shards s JOIN pg_dist_node n ON n.nodename = s.nodename AND n.nodeport = s.nodeport
WHERE s.table_name = 'conversation'::regclass AND n.groupid = 0;
INSERT INTO conversation
SELECT w, row_number() OVER (PARTITION BY w), e, w || ' ' || e
FROM unnest(ARRAY['ws_a', 'ws_b', 'ws_c', 'ws_d']) AS w,
     unnest(ARRAY['ann@x.com', 'bob@x.com', 'cy@x.com']) AS e, generate_series(1, 4);
ALTER TABLE conversation ENABLE ROW LEVEL SECURITY;
-- Citus refuses subqueries in policies on distributed tables: the bare
-- calls run in every shard query, on every node
CREATE POLICY own_conversations ON conversation
    USING (workspace_id = woesid.woesid_current_tenant()
           AND customer_email = woesid.woesid_current_email())
    WITH CHECK (workspace_id = woesid.woesid_current_tenant()
                AND customer_email = woesid.woesid_current_email());
CREATE ROLE app LOGIN;
GRANT USAGE ON SCHEMA woesid TO app;
GRANT SELECT, INSERT ON conversation TO app;
GRANT SELECT ON plan, secrets TO app;
GRANT EXECUTE ON FUNCTION sign(jsonb, text, int) TO app;
-- whether a statement fails for lack of privilege (RLS's WITH CHECK)
CREATE FUNCTION refused(statement text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN false;
EXCEPTION WHEN insufficient_privilege THEN
    RETURN true;
END
$$;

SET ROLE app;
SELECT 'no identity: no rows|' || (count(*) = 0)::text FROM conversation;

-- Ann of workspace a: her rows on every shard, nobody else's.
BEGIN;
SELECT 'ann authenticates on the coordinator|' || verified::text
FROM woesid.woesid_authenticate('wpk_a', sign('{"email":"ann@x.com","aud":"wpk_a"}', 'wpk_a'));
SELECT 'ann sees exactly her 4 rows across shards|' ||
       (count(*) = 4 AND bool_and(workspace_id = 'ws_a' AND customer_email = 'ann@x.com'))::text
FROM conversation;
SELECT 'a router query on her shard sees them|' || (count(*) = 4)::text
FROM conversation WHERE workspace_id = 'ws_a';
SELECT 'another workspace''s shard: nothing|' || (count(*) = 0)::text
FROM conversation WHERE workspace_id = 'ws_b';
SELECT 'a join with reference data|' || (count(*) = 4 AND bool_and(p.name = 'gold'))::text
FROM conversation c JOIN plan p USING (workspace_id);
INSERT INTO conversation VALUES ('ws_a', 100, 'ann@x.com', 'new');
SELECT 'an insert under RLS as her|' || (count(*) = 5)::text FROM conversation;
COMMIT;
SELECT 'after commit: no rows|' || (count(*) = 0)::text FROM conversation;

SELECT 'an insert without identity is refused by the policy|' ||
       refused($$INSERT INTO conversation VALUES ('ws_b', 101, 'ann@x.com', 'forged')$$)::text;

-- Bob of workspace b.
BEGIN;
SELECT 'bob authenticates|' || verified::text
FROM woesid.woesid_authenticate('wpk_b', sign('{"email":"bob@x.com","aud":"wpk_b"}', 'wpk_b'));
SELECT 'bob sees exactly his|' ||
       (count(*) = 4 AND bool_and(workspace_id = 'ws_b' AND customer_email = 'bob@x.com'))::text
FROM conversation;
COMMIT;

-- Workspace b's secret holder signs Ann's email: b's tenant, never a's rows.
BEGIN;
SELECT 'b''s secret signs ann for b: verified in b|' || (verified AND widget = 'wpk_b')::text
FROM woesid.woesid_authenticate('wpk_b', sign('{"email":"ann@x.com","aud":"wpk_b"}', 'wpk_b'));
SELECT 'and sees only b''s ann rows|' ||
       (count(*) = 4 AND bool_and(workspace_id = 'ws_b'))::text FROM conversation;
COMMIT;

-- Forged and expired: nothing.
BEGIN;
SELECT 'a token signed with b''s secret for a is refused|' || (NOT verified)::text
FROM woesid.woesid_authenticate('wpk_a', sign('{"email":"ann@x.com","aud":"wpk_a"}', 'wpk_b'));
SELECT 'forged: no rows|' || (count(*) = 0)::text FROM conversation;
COMMIT;
BEGIN;
SELECT 'an expired token is refused|' || (failure = 'expired')::text
FROM woesid.woesid_authenticate('wpk_a', sign('{"email":"ann@x.com","aud":"wpk_a"}', 'wpk_a', -100));
SELECT 'expired: no rows|' || (count(*) = 0)::text FROM conversation;
COMMIT;

-- A failed authenticate clears the identity on the workers too.
BEGIN;
SELECT 'ann again|' || verified::text
FROM woesid.woesid_authenticate('wpk_a', sign('{"email":"ann@x.com","aud":"wpk_a"}', 'wpk_a'));
SELECT 'her rows|' || (count(*) = 5)::text FROM conversation;
SELECT 'then a forged authenticate|' || (NOT verified)::text
FROM woesid.woesid_authenticate('wpk_a', '{"jwt":"a.b.c"}');
SELECT 'clears her on every node|' || (count(*) = 0)::text FROM conversation;
COMMIT;

-- The forwarded identity means nothing outside its transaction: a client
-- that sets the setting itself gets no identity.
RESET ROLE;
CREATE TABLE captured (value text);
GRANT INSERT, SELECT ON captured TO app;
SET ROLE app;
BEGIN;
SELECT 'ann for the capture|' || verified::text
FROM woesid.woesid_authenticate('wpk_a', sign('{"email":"ann@x.com","aud":"wpk_a"}', 'wpk_a'));
SELECT 'the application role cannot read the forwarded value|' ||
       refused($$SELECT current_setting('woesid.forwarded_identity')$$)::text;
COMMIT;
RESET ROLE;
BEGIN;
SELECT woesid.woesid_authenticate('wpk_a', sign('{"email":"ann@x.com","aud":"wpk_a"}', 'wpk_a')) \g /dev/null
INSERT INTO captured SELECT current_setting('woesid.forwarded_identity');
COMMIT;
SET ROLE app;
SELECT value AS captured_value FROM captured \gset
BEGIN;
SET LOCAL citus.propagate_set_commands = 'local';
SET LOCAL woesid.forwarded_identity = :'captured_value';
SELECT 'a replayed forwarded identity gives no rows|' || (count(*) = 0)::text FROM conversation;
SELECT 'nor an identity on the coordinator|' || ((woesid.woesid_current()).failure = 'missing')::text;
COMMIT;

-- Rotation: a secret retired on the coordinator verifies nowhere at the
-- next transaction, in sessions that had it cached.
BEGIN;
SELECT 'before retirement|' || verified::text
FROM woesid.woesid_authenticate('wpk_a', sign('{"email":"ann@x.com","aud":"wpk_a"}', 'wpk_a'));
SELECT 'rows before retirement|' || (count(*) = 5)::text FROM conversation;
COMMIT;
RESET ROLE;
SELECT woesid.woesid_retire_secret('wpk_a', key_id) FROM secrets WHERE public_key = 'wpk_a' \g /dev/null
SELECT 'retired on every node|' || bool_and(result = 'f')::text
FROM run_command_on_all_nodes($$SELECT bool_or(not_after IS NULL) FROM woesid.woesid_widget_secret
                                WHERE public_key = 'wpk_a'$$);
SET ROLE app;
BEGIN;
SELECT 'a retired secret verifies nowhere|' || (NOT verified)::text
FROM woesid.woesid_authenticate('wpk_a', sign('{"email":"ann@x.com","aud":"wpk_a"}', 'wpk_a'));
SELECT 'retired: no rows|' || (count(*) = 0)::text FROM conversation;
COMMIT;
RESET ROLE;

-- The identify trigger on a distributed table, verified in shard queries
-- against each worker's placement of the registry.
SET citus.enable_unsafe_triggers = on;
CREATE TABLE identify_event (workspace_id text, id bigserial, public_key text, payload text,
                             identity woesid.woesid_claims, PRIMARY KEY (workspace_id, id));
SELECT create_distributed_table('identify_event', 'workspace_id') \g /dev/null
CREATE TRIGGER verify_identity BEFORE INSERT OR UPDATE ON identify_event
    FOR EACH ROW EXECUTE FUNCTION woesid.woesid_identify_trigger('public_key', 'payload', 'identity');
INSERT INTO identify_event (workspace_id, public_key, payload)
SELECT 'ws_b', 'wpk_b', sign('{"email":"bob@x.com","aud":"wpk_b"}', 'wpk_b')
UNION ALL
SELECT 'ws_c', 'wpk_b', sign('{"email":"eve@x.com","aud":"wpk_b"}', 'wpk_a');
SELECT 'the trigger verifies on the workers|' ||
       (bool_and((identity).verified) FILTER (WHERE workspace_id = 'ws_b')
        AND bool_and(NOT (identity).verified) FILTER (WHERE workspace_id = 'ws_c'))::text
FROM identify_event;
SELECT 'woesid_identify inside a pushed-down query|' ||
       (count(*) FILTER (WHERE (woesid.woesid_identify(public_key, payload)).verified) = 1)::text
FROM identify_event;
