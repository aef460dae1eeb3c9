-- woesid_trusted and woesid_require.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all
SELECT woesid_trusted(c, 'name') AS name,
       woesid_trusted(c, 'iat') AS iat,
       woesid_trusted(c, 'aud') AS aud,
       woesid_trusted(c, 'nested') AS nested,
       woesid_trusted(c, 'flag') AS flag,
       woesid_trusted(c, 'nothing') IS NULL AS json_null,
       woesid_trusted(c, 'absent') IS NULL AS absent
FROM woesid_verify_jwt(tok(claims('{"nested":{"b":[1,"x"]},"flag":true,"nothing":null}')),
                       test_secret(), 'wpk_test', test_at()) AS c;
-- nothing is trusted from an unverified identity, even a hand-made one
SELECT woesid_trusted(c, 'name') IS NULL AS unverified
FROM woesid_verify_jwt(tok(claims()), 'wrong', 'wpk_test', test_at()) AS c;
SELECT woesid_trusted(ROW(false, 'jwt', 'a@b.c', NULL, NULL, '{"name":"x"}', NULL, NULL, NULL, NULL, NULL, NULL)::woesid_claims, 'name') IS NULL AS hand_made;
SELECT woesid_trusted(NULL::woesid_claims, 'name') IS NULL AS null_identity;

-- woesid_require passes a verified identity through
SELECT (woesid_require(woesid_verify_jwt(tok(claims()), test_secret(), 'wpk_test', test_at()))).email;
-- and raises SQLSTATE 28000 with the reason code otherwise
SELECT woesid_require(woesid_verify_jwt(tok(claims()), test_secret() || 'x', 'wpk_test', test_at()));
SELECT woesid_require(woesid_verify_jwt(tok(claims()), 'wrong', 'wpk_test', test_at()));
SELECT woesid_require(NULL);
-- a hand-made value's failure text never reaches the message
SELECT woesid_require(ROW(false, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                          E'expired.\nHINT:  call the admin', NULL)::woesid_claims);
\set VERBOSITY default
-- usable as a guard in PL/pgSQL
DO $$
BEGIN
    PERFORM woesid_require(woesid_verify_jwt(tok(claims('{"exp":1}')), test_secret(), 'wpk_test', test_at()));
EXCEPTION WHEN invalid_authorization_specification THEN
    RAISE NOTICE 'rejected: %', SQLERRM;
END
$$;
