-- test/upgrade/read.sql: what must read the same before and after pg_upgrade
-- (run with psql -At; no timestamps but the ones stored in verdicts).
SET search_path = public, woesid;
SELECT 'keys', public_key, mode, tenant, key_id, not_after IS NOT NULL AS retired, active
FROM woesid_widget_keys ORDER BY public_key, key_id;
SELECT 'stored', id, identity FROM identify_event ORDER BY id;
-- the same payloads verified again now, through every registry path
SELECT 'again', id, v.verified, v.mode, v.email, v.key_id, v.widget, v.failure, v.claims, v.metadata
FROM identify_event, LATERAL woesid_identify(public_key, payload) AS v ORDER BY id;
BEGIN;
SELECT 'authenticated', verified, woesid_current_tenant(), woesid_current_widget(), woesid_current_email()
FROM identify_event, LATERAL woesid_authenticate(public_key, payload) WHERE id = 1;
COMMIT;
SELECT 'trusted', woesid_trusted(identity, 'tier') FROM identify_event WHERE public_key = 'wpk_up_vars';
