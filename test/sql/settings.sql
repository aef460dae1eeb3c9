-- Settings: units, defaults, ranges, and superuser-only changes.
-- They exist once the library is loaded (the first woesid call of a
-- session, or shared_preload_libraries); a value a non-superuser set as a
-- placeholder before that is discarded when it loads.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all
\c
CREATE ROLE woesid_early;
SET ROLE woesid_early;
SET woesid.clock_skew = '1h';
SELECT why(tok(claims('{"exp":1700000000}'))) AS still_expired;
SHOW woesid.clock_skew;
RESET ROLE;
DROP ROLE woesid_early;

SHOW woesid.clock_skew;
SHOW woesid.jwt_max_lifetime;
SHOW woesid.variables_max_lifetime;
SHOW woesid.max_token_bytes;

-- clock skew widens the validity window
SET woesid.clock_skew = '1min';
SHOW woesid.clock_skew;
SELECT why(tok(claims('{"exp":1700000050}'))) AS expired_within_skew;
SET woesid.clock_skew = 0;
SELECT why(tok(claims('{"exp":1700000100}'))) AS expired_at_exp,
       why(tok(claims('{"iat":1700000101, "exp":1700000200}'))) AS iat_ahead;
RESET woesid.clock_skew;

SET woesid.jwt_max_lifetime = '1h';
SELECT why(tok(claims('{"exp":1700003600}'))) AS one_hour;
RESET woesid.jwt_max_lifetime;
SET woesid.variables_max_lifetime = '1d';
SELECT (woesid_verify_variables(tok('{"iat":1700000000,"exp":1700086401}'), test_secret(), test_at())).failure;
RESET woesid.variables_max_lifetime;

SET woesid.max_token_bytes = '256B';
SELECT length(tok(claims())) > 256 AS longer, why(tok(claims())) AS reason;
SET woesid.max_token_bytes = '1MB';
SELECT why(tok(claims(jsonb_build_object('pad', repeat('x', 100000))))) AS large_allowed;
RESET woesid.max_token_bytes;

-- out of range (only the SQLSTATE: how the range is printed varies with
-- the server's version)
\set VERBOSITY sqlstate
SET woesid.clock_skew = -1;
SET woesid.max_token_bytes = '2MB';
\set VERBOSITY default
-- a mistyped woesid.* name is refused, not silently a placeholder
SET woesid.clock_skw = 5;

-- only a superuser may loosen verification
CREATE ROLE woesid_app;
SET ROLE woesid_app;
SET woesid.clock_skew = '1h';
SELECT set_config('woesid.jwt_max_lifetime', '86400', false);
SHOW woesid.clock_skew;
-- the verifiers themselves are open to any role
SELECT why(tok(claims()));
RESET ROLE;
DROP ROLE woesid_app;
