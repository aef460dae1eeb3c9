-- test/pgbouncer/pool.sql: the pgbench script of test/pgbouncer/run.sh.
-- One run is one checked client transaction through pgbouncer in
-- transaction mode.  The client (connected as the unprivileged role "app")
-- is visitor v<client_id>@pool.test.  Every check is pool_check(ok, what),
-- which raises, so pgbench aborts the client and the suite fails, when a
-- check does not hold.
\set branch random(1, 10)
-- An identity set by an autocommit statement must not outlive it.
SELECT pool_check((woesid_authenticate('wpk_pool', pool_payload(:client_id))).verified,
                  'client ' || :client_id || ': autocommit authenticate failed');
BEGIN;
SELECT pool_check(woesid_current_email() IS NULL AND NOT (woesid_current()).verified,
                  'client ' || :client_id || ' found identity ' || coalesce(woesid_current_email(), '')
                  || ' at the start of its transaction (backend ' || pg_backend_pid() || ')');
SELECT pool_check(count(*) = 0,
                  'client ' || :client_id || ' saw ' || count(*) || ' rows before authenticating')
FROM conversation;
SELECT pool_check((woesid_authenticate('wpk_pool', pool_payload(:client_id))).verified,
                  'client ' || :client_id || ': authenticate failed');
SELECT pool_check(woesid_current_email() IS NOT DISTINCT FROM pool_email(:client_id),
                  'client ' || :client_id || ' has identity ' || coalesce(woesid_current_email(), 'NULL'));
SELECT pool_check(count(*) = 3 AND bool_and(customer_email = pool_email(:client_id)),
                  'client ' || :client_id || ' saw ' || count(*) || ' rows of '
                  || coalesce(string_agg(DISTINCT customer_email, ', '), 'nobody'))
FROM conversation;
\if :branch = 1
-- Claiming another visitor's email with our own hash fails and clears the
-- identity for the rest of the transaction.
SELECT pool_check(NOT (woesid_authenticate('wpk_pool', pool_forged(:client_id))).verified,
                  'client ' || :client_id || ': a forged payload verified');
SELECT pool_check(count(*) = 0,
                  'client ' || :client_id || ' saw ' || count(*) || ' rows after a failed authenticate')
FROM conversation;
COMMIT;
\elif :branch = 2
ROLLBACK;
\else
COMMIT;
\endif
