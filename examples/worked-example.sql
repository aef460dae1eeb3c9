-- The worked example: what woesid returns for a real widget identity.
-- (The inputs come from examples/sign.mjs, as psql variables.)
\pset footer off
\echo '1. A JWT from jsonwebtoken, checked as of two minutes after it was issued:'
\x on
SELECT verified, mode, email, contact_external_id, account_external_id,
       issued_at, expires_at, failure
FROM woesid_verify_jwt(:'token', :'secret', 'wpk_live_demo',
                       '2026-11-18 11:08:40+00');
\x off
\echo '2. The same token ten minutes later, and against another widget:'
SELECT (woesid_verify_jwt(:'token', :'secret', 'wpk_live_demo', '2026-11-18 11:18:40+00')).failure AS later,
       (woesid_verify_jwt(:'token', :'secret', 'wpk_other', '2026-11-18 11:08:40+00')).failure AS other_widget;
\echo '3. An hmac_email identify payload hashed by node:crypto:'
SELECT verified, email, metadata, failure
FROM woesid_hmac_email(:'payload', decode(:'secret', 'hex'));
\echo '4. A forged payload: another email under Ann''s hash:'
SELECT verified, email, metadata, failure
FROM woesid_hmac_email(:'forged', decode(:'secret', 'hex'));
