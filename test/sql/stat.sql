-- (0.3.0) woesid_stat: every verification path counted once per
-- verification, per (widget, mode, outcome, key id); unknown widgets under
-- NULL; nothing a visitor sent in the view; reset; privileges.
--
-- pg_regress starts its server without shared_preload_libraries: on
-- PostgreSQL 17 and later woesid counts anyway (dynamic shared memory
-- registry; expected/stat.out), on 15 and 16 it cannot, the view is empty
-- and a NOTICE says why once per session (expected/stat_1.out).
-- test/stat/run.sh proves the counting with the preload.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all

SELECT woesid_register_widget('wpk_stat_jwt', 'jwt');
SELECT woesid_add_secret('wpk_stat_jwt', secret_c(), 'key-c');
SELECT woesid_register_widget('wpk_stat_hmac', 'hmac_email');
SELECT woesid_add_secret('wpk_stat_hmac', secret_a(), 'key-a');
SELECT woesid_register_widget('wpk_stat_off', 'off');
SELECT woesid_register_widget('wpk_stat_vars', 'variables');
SELECT woesid_add_secret('wpk_stat_vars', repeat('v', 32), 'key-v');
CREATE TABLE stat_event (
    id          int PRIMARY KEY,
    public_key  text,
    payload     jsonb,
    note        text,
    identity    woesid_claims
);
CREATE TRIGGER verify_identity BEFORE INSERT OR UPDATE ON stat_event
    FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger('public_key', 'payload', 'identity');

-- from here on, only what this file does is counted (on 15 and 16 without
-- the preload: a NOTICE, once)
SELECT woesid_stat_reset();
SELECT clock_timestamp() AS t0 \gset
SELECT count(*) AS rows_after_reset FROM woesid_stat;

-- direct verifiers: the audience is woesid_verify_jwt's widget; the token's
-- kid is counted only once its signature verified
SELECT verified FROM woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test', test_at());
SELECT verified FROM woesid_verify_jwt(jws('{"alg":"HS256","kid":"k1"}', claims()),
                                       test_secret(), 'wpk_test', test_at());
SELECT failure FROM woesid_verify_jwt(jws('{"alg":"HS256","kid":"k1"}', claims(), secret_b()),
                                      test_secret(), 'wpk_test', test_at());
SELECT failure FROM woesid_verify_jwt(jws('{"alg":"HS256","kid":"k1"}', claims()),
                                      test_secret(), 'wpk_test', test_at() + interval '1 hour');
SELECT failure FROM woesid_verify_jwt(tok(claims()), test_secret(), NULL, test_at());
SELECT failure FROM woesid_verify_jwt('not a token', test_secret(), 'wpk_test', test_at());
SELECT verified FROM woesid_verify_variables(tok(claims()), test_secret(), test_at());
SELECT verified FROM woesid_hmac_email(hmac_payload('ann@example.com')::text, decode(secret_a(), 'hex'));
SELECT failure FROM woesid_hmac_email('{"email":"ann@example.com","email_hash":"00"}', decode(secret_a(), 'hex'));
-- a result recalled from the call site's cache is not a new verification:
-- the same inputs on every row are verified until seen twice in a row
SELECT count(*) FILTER (WHERE (woesid_verify_jwt(tok(claims('{"name":"Bo"}')), test_secret(),
                                                 'wpk_test', test_at())).verified) AS verified_rows
FROM generate_series(1, 5);

-- the registry: identify (jsonb and text), authenticate, every outcome
SELECT verified, key_id FROM woesid_identify('wpk_stat_jwt', now_token('wpk_stat_jwt', secret_c()));
SELECT verified, key_id FROM woesid_identify('wpk_stat_jwt', now_token('wpk_stat_jwt', secret_c())::text);
SELECT failure FROM woesid_identify('wpk_stat_jwt', now_token('wpk_stat_jwt', secret_b()));
SELECT failure FROM woesid_identify('wpk_stat_jwt', now_token('wpk_stat_jwt', secret_c(), '{}',
                                                              '{"alg":"HS256","kid":"retired"}'));
SELECT failure FROM woesid_identify('wpk_stat_jwt', now_token('wpk_stat_jwt', secret_c(), '{"exp": 1}'));
SELECT failure FROM woesid_identify('wpk_stat_jwt', hmac_payload('ann@example.com'));
SELECT verified, key_id FROM woesid_identify('wpk_stat_hmac', hmac_payload('ann@example.com')::text);
SELECT failure FROM woesid_identify('wpk_stat_hmac', '{"email":"ann@example.com","email_hash":"00"}');
SELECT failure FROM woesid_identify('wpk_stat_off', '{"email":"ann@example.com"}');
SELECT verified FROM woesid_identify('wpk_stat_vars',
    jsonb_build_object('signedVariables', jws('{"alg":"HS256"}',
        json_build_object('user_email', 'ann@example.com',
                          'iat', extract(epoch FROM now())::bigint,
                          'exp', extract(epoch FROM now())::bigint + 600)::text,
        repeat('v', 32))));
SELECT verified FROM woesid_authenticate('wpk_stat_hmac', hmac_payload('bob@example.com'));
SELECT failure FROM woesid_authenticate('wpk_stat_hmac', '{}');
-- unknown widgets: all under NULL, whatever key a visitor sends
SELECT count(*) AS unknown FROM generate_series(1, 50) AS g,
    LATERAL woesid_identify('wpk_made_up_' || g, '{"email":"x@example.com"}'::text) AS v
WHERE v.failure = 'unknown_widget';
SELECT failure FROM woesid_identify(NULL, '{}'::text);

-- the trigger: each row it verifies; an UPDATE that keeps key and payload
-- keeps the stored verdict and verifies nothing
INSERT INTO stat_event (id, public_key, payload) VALUES
    (1, 'wpk_stat_hmac', hmac_payload('ann@example.com')),
    (2, 'wpk_stat_hmac', '{"email":"ann@example.com","email_hash":"00"}'),
    (3, 'wpk_made_up_trigger', '{}');
UPDATE stat_event SET note = 'seen';
UPDATE stat_event SET payload = hmac_payload('carol@example.com') WHERE id = 2;

-- aborted transactions count: rolled back, failed, and a rolled-back savepoint
BEGIN;
SELECT verified FROM woesid_authenticate('wpk_stat_hmac', hmac_payload('dan@example.com'));
ROLLBACK;
BEGIN;
SELECT failure FROM woesid_identify('wpk_stat_hmac', '{"email":"ann@example.com","email_hash":"00"}');
SELECT 1 / 0;
ROLLBACK;
BEGIN;
SAVEPOINT s;
SELECT verified FROM woesid_identify('wpk_stat_hmac', hmac_payload('erin@example.com'));
ROLLBACK TO s;
COMMIT;

-- the counts (17 and later without the preload; none on 15 and 16)
SELECT public_key, mode, outcome, key_id, calls
FROM woesid_stat
ORDER BY public_key COLLATE "C" NULLS FIRST, mode COLLATE "C" NULLS FIRST,
         outcome COLLATE "C", key_id COLLATE "C" NULLS FIRST;
SELECT sum(calls) AS verifications, count(*) AS entries,
       bool_and(first_at <= last_at AND first_at >= :'t0' AND last_at <= now()) AS times_in_order
FROM woesid_stat;
-- nothing a visitor sent: no email, token, signature, secret or made-up key
SELECT count(*) AS rows_holding_visitor_data
FROM woesid_stat AS s
WHERE s::text ~* '@example\.com|eyJ|a1a1a1|b2b2b2|c3c3c3|vvvvvvvv|made_up|email_hash|"00"';
-- woesid_widget_keys: when each key last verified something
SELECT public_key, key_id, active, last_used_at IS NOT NULL AS used,
       last_used_at >= :'t0' AS used_since_t0
FROM woesid_widget_keys WHERE public_key LIKE 'wpk\_stat\_%'
ORDER BY public_key COLLATE "C";

-- reset clears the counts, and so last_used_at
SELECT woesid_stat_reset();
SELECT count(*) AS rows_after_reset FROM woesid_stat;
SELECT count(*) FILTER (WHERE last_used_at IS NOT NULL) AS keys_used
FROM woesid_widget_keys WHERE public_key LIKE 'wpk\_stat\_%';
-- the same session: no second NOTICE; a new session: one again
SELECT count(*) AS rows_again FROM woesid_stat;
\c
SELECT count(*) AS rows_new_session FROM woesid_stat;
SELECT count(*) AS rows_same_session FROM woesid_stat;

-- privileges: the view and the reset are revoked from PUBLIC, the view is
-- pg_monitor's; a role that may read woesid_widget_keys sees last_used_at
CREATE ROLE stat_nobody;
CREATE ROLE stat_monitor IN ROLE pg_monitor;
CREATE ROLE stat_keys;
GRANT SELECT ON woesid_widget_keys TO stat_keys;
SELECT has_table_privilege('public', 'woesid_stat', 'SELECT') AS public_reads,
       has_function_privilege('public', 'woesid_stat()', 'EXECUTE') AS public_calls,
       has_function_privilege('public', 'woesid_stat_reset()', 'EXECUTE') AS public_resets,
       has_table_privilege('pg_monitor', 'woesid_stat', 'SELECT') AS monitor_reads,
       has_function_privilege('pg_monitor', 'woesid_stat_reset()', 'EXECUTE') AS monitor_resets;
SET ROLE stat_nobody;
-- anyone's verifications are counted
SELECT failure FROM woesid_identify('wpk_stat_hmac', '{}');
SELECT * FROM woesid_stat;
SELECT * FROM woesid_stat();
SELECT woesid_stat_reset();
SELECT * FROM woesid_key_last_used();
SELECT * FROM woesid_widget_keys;
RESET ROLE;
SET ROLE stat_monitor;
SELECT public_key, mode, outcome, key_id, calls FROM woesid_stat;
SELECT woesid_stat_reset();
RESET ROLE;
SET ROLE stat_keys;
SELECT verified FROM woesid_identify('wpk_stat_jwt', now_token('wpk_stat_jwt', secret_c()));
SELECT public_key, key_id, last_used_at IS NOT NULL AS used
FROM woesid_widget_keys WHERE public_key LIKE 'wpk\_stat\_%'
ORDER BY public_key COLLATE "C";
SELECT public_key, key_id FROM woesid_key_last_used();
SELECT * FROM woesid_stat;
RESET ROLE;

DROP TABLE stat_event;
SELECT woesid_unregister_widget(k)
FROM unnest(ARRAY['wpk_stat_jwt', 'wpk_stat_hmac', 'wpk_stat_off', 'wpk_stat_vars']) AS k;
REVOKE SELECT ON woesid_widget_keys FROM stat_keys;
DROP ROLE stat_nobody, stat_monitor, stat_keys;
SELECT woesid_stat_reset();
