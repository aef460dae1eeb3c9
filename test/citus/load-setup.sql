-- test/citus/load-setup.sql: visitors of three workspaces for the pgbench
-- load through the coordinator (run as the owner after checks.sql).
SET client_min_messages = warning;
SELECT woesid.woesid_register_widget('wpk_' || w, 'jwt', NULL, 'ws_' || w)
FROM unnest(ARRAY['c', 'd']) AS w \g /dev/null
INSERT INTO secrets
SELECT 'wpk_' || w, g.key_id, g.secret
FROM unnest(ARRAY['c', 'd']) AS w, LATERAL woesid.woesid_generate_secret('wpk_' || w) AS g;
CREATE TABLE visitor AS
SELECT row_number() OVER () AS id, 'wpk_' || w AS public_key, 'ws_' || w AS ws, e AS email,
       sign(jsonb_build_object('email', e, 'aud', 'wpk_' || w), 'wpk_' || w, 900) AS body
FROM unnest(ARRAY['b', 'c', 'd']) AS w, unnest(ARRAY['ann@x.com', 'bob@x.com', 'cy@x.com']) AS e;
GRANT SELECT ON visitor TO app;
