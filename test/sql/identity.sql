-- The transaction's identity: set only by a successful woesid_authenticate,
-- cleared at commit, abort and on a failed authenticate, restored when the
-- subtransaction that changed it rolls back.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all

-- its widgets: hmac_email under secret_a() (hmac_payload), jwt under secret_c()
SELECT woesid_register_widget('wpk_hmac', 'hmac_email', secret_a()) IS NOT NULL AS registered;
SELECT woesid_register_widget('wpk_jwt', 'jwt');
SELECT woesid_add_secret('wpk_jwt', secret_c(), 'key-c');

-- none yet
SELECT * FROM woesid_current();
SELECT woesid_current_email(), woesid_current_contact_id(), woesid_current_account_id();

BEGIN;
SELECT verified FROM woesid_authenticate('wpk_hmac', hmac_payload('ann@example.com'));
SELECT woesid_current_email(), (woesid_current()).mode, (woesid_current()).verified;
COMMIT;
SELECT woesid_current_email() IS NULL AS cleared_at_commit;

BEGIN;
SELECT verified FROM woesid_authenticate('wpk_hmac', hmac_payload('ann@example.com'));
ROLLBACK;
SELECT woesid_current_email() IS NULL AS cleared_at_rollback;

-- an error ends the transaction: cleared too
BEGIN;
SELECT verified FROM woesid_authenticate('wpk_hmac', hmac_payload('ann@example.com'));
SELECT 1 / 0;
ROLLBACK;
SELECT woesid_current_email() IS NULL AS cleared_after_error;

-- a failed authenticate clears it
BEGIN;
SELECT verified FROM woesid_authenticate('wpk_hmac', hmac_payload('ann@example.com'));
SELECT failure FROM woesid_authenticate('wpk_hmac', '{"email":"boss@example.com","email_hash":"00"}');
SELECT woesid_current_email() IS NULL AS cleared_by_failure, (woesid_current()).failure;
COMMIT;

-- savepoints: a rolled-back change is undone, a released one kept
BEGIN;
SELECT verified FROM woesid_authenticate('wpk_hmac', hmac_payload('ann@example.com'));
SAVEPOINT s1;
SELECT verified FROM woesid_authenticate('wpk_hmac', hmac_payload('bob@example.com'));
SAVEPOINT s2;
SELECT failure FROM woesid_authenticate('wpk_hmac', '{}');
SELECT woesid_current_email() AS inside_s2;
ROLLBACK TO s2;
SELECT woesid_current_email() AS after_rollback_s2;
ROLLBACK TO s1;
SELECT woesid_current_email() AS after_rollback_s1;
SAVEPOINT s3;
SELECT verified FROM woesid_authenticate('wpk_hmac', hmac_payload('carol@example.com'));
RELEASE s3;
SELECT woesid_current_email() AS after_release_s3;
SAVEPOINT s4;
SAVEPOINT s5;
SELECT verified FROM woesid_authenticate('wpk_hmac', hmac_payload('dave@example.com'));
RELEASE s5;
ROLLBACK TO s4;
SELECT woesid_current_email() AS released_then_rolled_back;
COMMIT;
SELECT woesid_current_email() IS NULL AS cleared;

-- PL/pgSQL exception blocks are subtransactions too
DO $$
BEGIN
    PERFORM woesid_authenticate('wpk_hmac', hmac_payload('ann@example.com'));
    BEGIN
        PERFORM woesid_authenticate('wpk_hmac', hmac_payload('bob@example.com'));
        RAISE EXCEPTION 'undo';
    EXCEPTION WHEN raise_exception THEN
        RAISE NOTICE 'after the failed block: %', woesid_current_email();
    END;
END
$$;
SELECT woesid_current_email() IS NULL AS cleared_after_do;

-- in one statement per transaction (autocommit), nothing survives
SELECT verified FROM woesid_authenticate('wpk_hmac', hmac_payload('ann@example.com'));
SELECT woesid_current_email() IS NULL AS autocommit_cleared;

-- what the accessors give for a JWT identity
BEGIN;
SELECT verified FROM woesid_authenticate('wpk_jwt', now_token('wpk_jwt', secret_c(), '{"account_external_id": 42}'));
SELECT woesid_current_email(), woesid_current_contact_id(), woesid_current_account_id(),
       (woesid_current()).key_id;
COMMIT;

-- volatility and parallel safety as documented
SELECT proname, provolatile, proparallel, prosecdef, proconfig
FROM pg_proc WHERE proname IN ('woesid_identify', 'woesid_authenticate', 'woesid_current',
                               'woesid_current_email', 'woesid_verify_jwt', 'woesid_trusted')
ORDER BY proname, pronargs;

SELECT woesid_unregister_widget(k) FROM unnest(ARRAY['wpk_hmac', 'wpk_jwt']) AS k;
