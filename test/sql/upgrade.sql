-- (0.2.0, 0.3.0) ALTER EXTENSION woesid UPDATE from 0.1.0 to the default
-- version, through every update script: widgets, secrets and stored
-- verdicts are kept (verdicts read widget NULL), old tokens still verify,
-- and the upgraded catalog is the same as a fresh installation's.
--
-- A template database carries the helpers (a signer, a description of the
-- extension's catalog) into the two databases compared.
CREATE DATABASE woesid_upgrade_template;
\c woesid_upgrade_template
CREATE EXTENSION pgcrypto;
CREATE FUNCTION up_jws(payload text, secret text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT
AS $$
    SELECT s || '.' || translate(rtrim(encode(hmac(convert_to(s, 'UTF8'), convert_to(secret, 'UTF8'), 'sha256'),
                                              'base64'), '='), '+/', '-_')
    FROM (SELECT translate(rtrim(replace(encode(convert_to(h, 'UTF8'), 'base64'), E'\n', ''), '='), '+/', '-_')
                 || '.' ||
                 translate(rtrim(replace(encode(convert_to(payload, 'UTF8'), 'base64'), E'\n', ''), '='), '+/', '-_') AS s
          FROM (SELECT '{"alg":"HS256","typ":"JWT"}' AS h) AS header) AS signing_input
$$;
CREATE FUNCTION up_token(aud text, secret text) RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT up_jws(json_build_object('email', 'Ann@Example.com', 'aud', aud,
                                      'iat', floor(extract(epoch FROM now()))::bigint,
                                      'exp', floor(extract(epoch FROM now()))::bigint + 600)::text, secret) $$;
-- One line per property of every object of the extension: what it is
-- (pg_depend), functions with their arguments, defaults and properties,
-- the result type's attributes, tables' and the view's columns,
-- constraints, indexes, triggers (tgenabled), privileges, comments.
CREATE FUNCTION up_catalog() RETURNS SETOF text
LANGUAGE sql STABLE
AS $$
    WITH member AS (
        SELECT d.classid, d.objid
        FROM pg_depend AS d JOIN pg_extension AS e ON e.oid = d.refobjid
        WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'woesid'),
    rel AS (
        SELECT c.* FROM pg_class AS c JOIN member AS m ON m.classid = 'pg_class'::regclass AND m.objid = c.oid)
    SELECT format('extension version=%s schema=%s relocatable=%s config=%s condition=%s',
                  e.extversion, e.extnamespace::regnamespace, e.extrelocatable,
                  e.extconfig::regclass[], e.extcondition)
    FROM pg_extension AS e WHERE e.extname = 'woesid'
    UNION ALL
    SELECT format('member %s', pg_describe_object(m.classid, m.objid, 0)) FROM member AS m
    UNION ALL
    SELECT format('function %s args=(%s) returns=%s kind=%s volatile=%s parallel=%s secdef=%s strict=%s '
                  'leakproof=%s cost=%s rows=%s lang=%s owner=%s config=%s acl=%s src=%s bin=%s',
                  p.oid::regprocedure, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
                  p.prokind, p.provolatile, p.proparallel, p.prosecdef, p.proisstrict, p.proleakproof,
                  p.procost, p.prorows, l.lanname, p.proowner::regrole, p.proconfig, p.proacl,
                  md5(p.prosrc), p.probin)
    FROM pg_proc AS p
         JOIN member AS m ON m.classid = 'pg_proc'::regclass AND m.objid = p.oid
         JOIN pg_language AS l ON l.oid = p.prolang
    UNION ALL
    SELECT format('type %s kind=%s acl=%s', t.oid::regtype, t.typtype, t.typacl)
    FROM pg_type AS t JOIN member AS m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
    UNION ALL
    SELECT format('attribute %s #%s %s %s dropped=%s', t.oid::regtype, a.attnum, a.attname,
                  format_type(a.atttypid, a.atttypmod), a.attisdropped)
    FROM pg_type AS t
         JOIN member AS m ON m.classid = 'pg_type'::regclass AND m.objid = t.oid
         JOIN pg_attribute AS a ON a.attrelid = t.typrelid AND a.attnum > 0
    UNION ALL
    SELECT format('relation %s kind=%s owner=%s acl=%s rls=%s options=%s',
                  c.relname, c.relkind, c.relowner::regrole, c.relacl, c.relrowsecurity, c.reloptions)
    FROM rel AS c
    UNION ALL
    SELECT format('column %s #%s %s %s notnull=%s default=%s stattarget=%s dropped=%s collation=%s acl=%s',
                  c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                  pg_get_expr(ad.adbin, ad.adrelid), a.attstattarget, a.attisdropped,
                  a.attcollation::regcollation, a.attacl)
    FROM rel AS c
         JOIN pg_attribute AS a ON a.attrelid = c.oid AND a.attnum > 0
         LEFT JOIN pg_attrdef AS ad ON ad.adrelid = c.oid AND ad.adnum = a.attnum
    UNION ALL
    SELECT format('constraint %s %s %s', c.relname, co.conname, pg_get_constraintdef(co.oid))
    FROM rel AS c JOIN pg_constraint AS co ON co.conrelid = c.oid
    UNION ALL
    SELECT format('index %s', pg_get_indexdef(i.indexrelid))
    FROM rel AS c JOIN pg_index AS i ON i.indrelid = c.oid
    UNION ALL
    SELECT format('trigger %s %s enabled=%s %s', c.relname, tg.tgname, tg.tgenabled, pg_get_triggerdef(tg.oid))
    FROM rel AS c JOIN pg_trigger AS tg ON tg.tgrelid = c.oid
    WHERE NOT tg.tgisinternal
    UNION ALL
    SELECT format('internal trigger %s enabled=%s function=%s type=%s', c.relname, tg.tgenabled,
                  tg.tgfoid::regproc, tg.tgtype)
    FROM rel AS c JOIN pg_trigger AS tg ON tg.tgrelid = c.oid
    WHERE tg.tgisinternal
    UNION ALL
    SELECT format('view %s %s', c.relname, md5(pg_get_viewdef(c.oid)))
    FROM rel AS c WHERE c.relkind = 'v'
    UNION ALL
    SELECT format('comment %s %s', pg_describe_object(d.classoid, d.objoid, d.objsubid), d.description)
    FROM pg_description AS d JOIN member AS m ON m.classid = d.classoid AND m.objid = d.objoid
$$;
CREATE DATABASE woesid_upgrade TEMPLATE woesid_upgrade_template;
CREATE DATABASE woesid_fresh TEMPLATE woesid_upgrade_template;

-- A 0.1.0 installation in use: two widgets, stored verdicts, an identify
-- trigger.
\c woesid_upgrade
CREATE EXTENSION woesid VERSION '0.1.0';
SELECT extversion FROM pg_extension WHERE extname = 'woesid';
-- (kept to show below that the comparison sees a difference)
SELECT string_agg(line, E'\n' ORDER BY line) AS old_catalog FROM up_catalog() AS line \gset
SELECT woesid_register_widget('wpk_up_jwt', 'jwt', repeat('a1', 32)) IS NOT NULL AS registered;
SELECT woesid_register_widget('wpk_up_hmac', 'hmac_email', repeat('b2', 32)) IS NOT NULL AS registered;
CREATE TABLE up_event (
    id          int PRIMARY KEY,
    public_key  text,
    payload     jsonb,
    identity    woesid_claims
);
CREATE TRIGGER verify_identity BEFORE INSERT OR UPDATE ON up_event
    FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger('public_key', 'payload', 'identity');
INSERT INTO up_event (id, public_key, payload) VALUES
    (1, 'wpk_up_jwt', jsonb_build_object('jwt', up_token('wpk_up_jwt', repeat('a1', 32)))),
    (2, 'wpk_up_hmac', jsonb_build_object('email', 'ann@example.com',
        'email_hash', encode(hmac('ann@example.com', decode(repeat('b2', 32), 'hex'), 'sha256'), 'hex'))),
    (3, 'wpk_up_jwt', jsonb_build_object('jwt', up_token('wpk_up_jwt', repeat('b2', 32))));
CREATE TABLE up_verdict (id int PRIMARY KEY, identity woesid_claims);
INSERT INTO up_verdict
SELECT id, woesid_identify(public_key, payload) FROM up_event;
SELECT id, (identity).verified, (identity).mode, (identity).email, (identity).failure
FROM up_verdict ORDER BY id;
-- what they hold before the update
CREATE TABLE up_before AS
SELECT 'event' AS source, id, to_jsonb(identity) AS identity FROM up_event
UNION ALL
SELECT 'verdict', id, to_jsonb(identity) FROM up_verdict;

ALTER EXTENSION woesid UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'woesid';
-- stored verdicts read the same, with widget NULL
SELECT b.source, b.id, to_jsonb(a.identity) - 'widget' = b.identity AS same,
       to_jsonb(a.identity) ? 'widget' AS has_widget, (a.identity).widget IS NULL AS widget_null
FROM up_before AS b
     JOIN (SELECT 'event' AS source, id, identity FROM up_event
           UNION ALL
           SELECT 'verdict', id, identity FROM up_verdict) AS a USING (source, id)
ORDER BY b.source COLLATE "C", b.id;
-- widgets and secrets are kept; old tokens verify, now bound to their widget
SELECT public_key, mode, tenant, active FROM woesid_widget_keys ORDER BY public_key COLLATE "C";
SELECT id, (woesid_identify(public_key, payload)).verified, (woesid_identify(public_key, payload)).widget,
       (woesid_identify(public_key, payload)).failure
FROM up_event ORDER BY id;
SELECT id, (woesid_identify(public_key, payload::text)).verified
FROM up_event ORDER BY id;
-- the trigger keeps a stored 0.1.0 verdict when nothing it read changes,
-- and writes a 0.2.0 one when something does
UPDATE up_event SET identity = NULL WHERE id = 1;
UPDATE up_event SET payload = payload || '{"name":"Ann"}' WHERE id = 2;
SELECT id, (identity).verified, (identity).widget FROM up_event ORDER BY id;
-- 0.2.0's objects are there, 0.1.0's three-argument registration is gone
SELECT to_regprocedure(f) IS NOT NULL AS exists, f
FROM unnest(ARRAY['woesid_register_widget(text,text,text,text)',
                  'woesid_register_widget(text,text,text)',
                  'woesid_set_widget(text,text,text)',
                  'woesid_generate_secret(text,text)',
                  'woesid_unregister_widget(text)',
                  'woesid_purge_secrets(text,timestamptz)',
                  'woesid_identify(text,text)',
                  'woesid_authenticate(text,text)',
                  'woesid_current_widget()',
                  'woesid_current_tenant()',
                  'woesid_stat()',
                  'woesid_stat_reset()',
                  'woesid_key_last_used()']) AS f;
-- 0.3.0: the woesid_stat view; woesid_widget_keys gains last_used_at, last
SELECT to_regclass('woesid_stat') IS NOT NULL AS stat_view;
SELECT attnum, attname FROM pg_attribute
WHERE attrelid = 'woesid_widget_keys'::regclass AND attnum > 0 ORDER BY attnum;
SELECT woesid_set_widget('wpk_up_jwt', tenant => 'acme');
SELECT woesid_register_widget('wpk_up_vars', 'variables', repeat('v', 32), 'acme') IS NOT NULL AS registered;
SELECT public_key, mode, tenant, active FROM woesid_widget_keys ORDER BY public_key COLLATE "C";
SELECT string_agg(line, E'\n' ORDER BY line) AS upgraded_catalog FROM up_catalog() AS line \gset

-- A fresh installation has exactly the same objects.
\c woesid_fresh
CREATE EXTENSION woesid;
SELECT extversion FROM pg_extension WHERE extname = 'woesid';
-- what the comparison covers (how many of each but functions varies with
-- the server's version: 18 lists the row types and NOT NULL constraints)
SELECT DISTINCT split_part(line, ' ', 1) COLLATE "C" AS kind FROM up_catalog() AS line ORDER BY 1;
SELECT count(*) AS functions FROM up_catalog() AS line WHERE line LIKE 'function %';
-- lines only in the fresh catalog, then only in the upgraded one: none
SELECT line COLLATE "C" AS only_fresh FROM up_catalog() AS line
EXCEPT
SELECT unnest(string_to_array(:'upgraded_catalog', E'\n'))
ORDER BY 1;
SELECT unnest(string_to_array(:'upgraded_catalog', E'\n')) COLLATE "C" AS only_upgraded
EXCEPT
SELECT line FROM up_catalog() AS line
ORDER BY 1;
SELECT count(*) = array_length(string_to_array(:'upgraded_catalog', E'\n'), 1) AS same_line_count
FROM up_catalog();

-- the comparison would see a difference: 0.1.0's catalog is not the default version's
SELECT count(*) > 0 AS differs_from_0_1_0
FROM (SELECT line FROM up_catalog() AS line
      EXCEPT
      SELECT unnest(string_to_array(:'old_catalog', E'\n'))) AS d;

\c contrib_regression
DROP DATABASE woesid_fresh;
DROP DATABASE woesid_upgrade;
DROP DATABASE woesid_upgrade_template;
