-- test/load/rls.sql (pgbench): authenticate as visitor :v through the
-- registry (hmac_email or jwt), read the RLS-gated conversation table and
-- see exactly v's rows; a rolled-back savepoint that authenticated someone
-- else leaves v; a forged payload clears the identity; after COMMIT or
-- ROLLBACK (possibly on another backend behind a pooler) no identity is
-- left.  Any violation raises "load check failed", which pgbench counts.
\set v random(1, :visitors)
\set o 1 + :v % :visitors
\set m random(0, 1)
\set expected 3 + :v % 7
\set commit random(0, 1)
BEGIN;
SELECT load_check((woesid_authenticate(CASE WHEN :m = 0 THEN 'wpk_load_hmac' ELSE 'wpk_load_jwt' END,
                                       CASE WHEN :m = 0 THEN payload ELSE jwt_payload END)).verified,
                  'visitor ' || id || ' did not authenticate')
FROM visitor WHERE id = :v;
SELECT load_check(foreign_rows = 0, format('visitor %s saw %s rows of other visitors', :v::int, foreign_rows)),
       load_check(own = :expected, format('visitor %s saw %s of its %s rows', :v::int, own, :expected::int))
FROM (SELECT count(*) FILTER (WHERE customer_email <> 'visitor' || :v || '@example.com') AS foreign_rows,
             count(*) FILTER (WHERE customer_email = 'visitor' || :v || '@example.com') AS own
      FROM conversation) AS c;
SAVEPOINT other;
SELECT load_check((woesid_authenticate('wpk_load_hmac', payload)).verified, 'visitor ' || id || ' did not authenticate')
FROM visitor WHERE id = :o;
ROLLBACK TO SAVEPOINT other;
SELECT load_check(woesid_current_email() = 'visitor' || :v || '@example.com',
                  format('after ROLLBACK TO SAVEPOINT the identity is %s, not visitor %s',
                         coalesce(woesid_current_email(), 'none'), :v::int));
SELECT load_check(NOT (woesid_authenticate('wpk_load_hmac', forged)).verified, 'forged payload of visitor ' || id || ' verified')
FROM visitor WHERE id = :v;
SELECT load_check(count(*) = 0, format('after a forged payload visitor %s saw %s rows', :v::int, count(*)))
FROM conversation;
\if :commit
COMMIT;
\else
ROLLBACK;
\endif
SELECT load_check(woesid_current_email() IS NULL AND (SELECT count(*) FROM conversation) = 0,
                  'an identity outlived its transaction');
