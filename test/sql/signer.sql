-- The tests' independent HS256 signer (test/fixtures.sql, on pgcrypto):
-- the token it makes for the default claims, and woesid's verdict on it.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all

SELECT tok(claims()) AS sample_token;
SELECT why(tok(claims()));
