-- woesid_verify_variables: signed variables (7-day tokens, no audience).
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all
CREATE FUNCTION vars(extra jsonb DEFAULT '{}') RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT tok((jsonb_build_object('user_email', 'Bob@Example.com',
                                   'subscription_tier', 'gold',
                                   'iat', 1700000000,
                                   'exp', 1700000000 + 7 * 86400) || extra)::text)
$$;

\x on
SELECT * FROM woesid_verify_variables(vars(), test_secret(), test_at());
\x off
-- email wins over user_email when it is a string; empty normalizes to NULL
SELECT email FROM woesid_verify_variables(vars('{"email":" Carol@Example.com"}'), test_secret(), test_at());
SELECT email FROM woesid_verify_variables(vars('{"email":5}'), test_secret(), test_at());
SELECT verified, email FROM woesid_verify_variables(vars('{"email":"  "}'), test_secret(), test_at());
SELECT verified, email FROM woesid_verify_variables(vars('{"user_email":null}'), test_secret(), test_at());
-- an aud claim is ignored
SELECT verified FROM woesid_verify_variables(vars('{"aud":"anything"}'), test_secret(), test_at());
-- 7 days by default; one second more is too long
SELECT (woesid_verify_variables(vars('{"exp":1700604801}'), test_secret(), test_at())).failure;
-- same token rules otherwise
SELECT (woesid_verify_variables(vars(), test_secret() || 'x', test_at())).failure AS wrong_secret,
       (woesid_verify_variables(vars(), 'wrong', test_at())).failure AS short_secret,
       (woesid_verify_variables(vars(), NULL::bytea, test_at())).failure AS no_secret,
       (woesid_verify_variables(NULL, test_secret(), test_at())).failure AS no_token,
       (woesid_verify_variables(vars(), test_secret(), to_timestamp(1700604830))).failure AS expired,
       (woesid_verify_variables(vars('{"iat":"x"}'), test_secret(), test_at())).failure AS bad_iat;
-- bytea secret form
SELECT verified FROM woesid_verify_variables(vars(), convert_to(test_secret(), 'UTF8'), test_at());
-- Values beside the token are not trusted: only verified claims pass.
SELECT woesid_trusted(v, 'subscription_tier') AS from_token,
       woesid_trusted(v, 'is_admin') AS not_in_token
FROM woesid_verify_variables(vars(), test_secret(), test_at()) AS v;
SELECT woesid_trusted(v, 'subscription_tier') AS forged
FROM woesid_verify_variables(vars('{"subscription_tier":"platinum"}') || 'A', test_secret(), test_at()) AS v;
