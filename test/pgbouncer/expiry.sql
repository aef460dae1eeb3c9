-- test/pgbouncer/expiry.sql: run by test/pgbouncer/run.sh with psql -At
-- through pgbouncer (transaction mode) as app_exp, whose pool has a single
-- server connection, in database woesid_pool where woesid.clock_skew = 0.
-- Visitor v0@pool.test authenticates with a JWT that expires 2 s later,
-- sees its 3 rows, sleeps 3 s in the same transaction and then sees none:
-- holding the transaction open does not stretch the token's life.  The
-- next transaction, of this client and of another one, runs on the same
-- server connection and has no identity.  Every check is pool_check (one
-- "t" line; raises, stopping psql, when it does not hold).
\set ON_ERROR_STOP 1
BEGIN;
SELECT pg_backend_pid() AS pid \gset
SELECT pool_check(current_setting('woesid.clock_skew') IN ('0', '0s'),
                  'woesid.clock_skew is ' || current_setting('woesid.clock_skew') || ', not 0');
SELECT pool_check((woesid_authenticate('wpk_pool_jwt', pool_jwt_body('v0@pool.test', 2))).verified,
                  'authenticate with a 2 s token failed');
SELECT pool_check(count(*) = 3 AND bool_and(customer_email = 'v0@pool.test'),
                  'saw ' || count(*) || ' rows before the token expired')
FROM conversation;
SELECT pg_sleep(3);
SELECT pool_check(count(*) = 0, 'saw ' || count(*) || ' rows 3 s after authenticating with a 2 s token')
FROM conversation;
SELECT pool_check(c.failure = 'expired' AND NOT c.verified AND c.email IS NULL AND c.widget IS NULL
                  AND woesid_current_email() IS NULL AND woesid_current_widget() IS NULL,
                  'identity after its expiry: ' || c::text)
FROM woesid_current() AS c;
COMMIT;
-- the same client's next transaction: the same server connection, no identity
BEGIN;
SELECT pool_check(pg_backend_pid() = :pid, 'the pool of one used another server connection');
SELECT pool_check(NOT c.verified AND c.failure = 'missing' AND woesid_current_email() IS NULL,
                  'the next transaction found identity ' || c::text)
FROM woesid_current() AS c;
SELECT pool_check(count(*) = 0, 'the next transaction saw ' || count(*) || ' rows')
FROM conversation;
COMMIT;
-- another client on the same server connection
\connect
SELECT pool_check(pg_backend_pid() = :pid, 'the pool of one used another server connection');
SELECT pool_check(NOT c.verified AND c.failure = 'missing' AND woesid_current_email() IS NULL,
                  'another client found identity ' || c::text)
FROM woesid_current() AS c;
SELECT pool_check(count(*) = 0, 'another client saw ' || count(*) || ' rows')
FROM conversation;
