-- (0.2.0) Managing the registry: tenants, modes, generated secrets,
-- duplicates, unregistering, purging, the keys view, privileges, errors
-- that echo nothing, and a schema other roles can write to.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all
CREATE FUNCTION manage_secret_a() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat('d4', 32) $$;
CREATE FUNCTION manage_secret_b() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat('e5', 32) $$;
-- the text payload of a widget JWT for aud, signed with secret
CREATE FUNCTION manage_payload(aud text, secret text, header text DEFAULT '{"alg":"HS256","typ":"JWT"}')
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT json_build_object('jwt', jws(header,
        json_build_object('email', 'ann@example.com', 'aud', aud,
                          'iat', floor(extract(epoch FROM now()))::bigint,
                          'exp', floor(extract(epoch FROM now()))::bigint + 600)::text,
        secret))::text
$$;

-- Registration with a tenant; the key id is returned only when a secret is given.
SELECT woesid_register_widget('wpk_m_jwt', 'jwt', manage_secret_a(), 'acme') IS NOT NULL AS has_key_id;
SELECT woesid_register_widget('wpk_m_hmac', 'hmac_email', NULL, 'acme') IS NULL AS no_key_id;
SELECT woesid_register_widget('wpk_m_vars', 'variables');
SELECT woesid_register_widget(public_key => 'wpk_m_off', mode => 'off', tenant => 'globex');
SELECT public_key, mode, tenant FROM woesid_widget WHERE public_key LIKE 'wpk_m\_%' ORDER BY public_key COLLATE "C";
-- an empty tenant is refused (NULL is the absence of one)
SELECT woesid_register_widget('wpk_m_empty_tenant', 'jwt', manage_secret_a(), '');
SELECT count(*) FROM woesid_widget WHERE public_key = 'wpk_m_empty_tenant';

-- woesid_set_widget: NULL leaves a field as it is
SELECT woesid_set_widget('wpk_m_hmac', 'jwt');
SELECT woesid_set_widget('wpk_m_hmac', tenant => 'initech');
SELECT woesid_set_widget('wpk_m_hmac');
SELECT woesid_set_widget('wpk_m_hmac', NULL, NULL);
SELECT public_key, mode, tenant FROM woesid_widget WHERE public_key = 'wpk_m_hmac';
SELECT woesid_set_widget('wpk_m_hmac', 'hmac_email', 'acme');
SELECT public_key, mode, tenant FROM woesid_widget WHERE public_key = 'wpk_m_hmac';
-- refused: invalid mode, empty tenant, unknown widget; nothing changes
SELECT woesid_set_widget('wpk_m_hmac', 'JWT');
SELECT woesid_set_widget('wpk_m_hmac', 'none');
SELECT woesid_set_widget('wpk_m_hmac', 'jwt', '');
SELECT woesid_set_widget('wpk_m_nope', 'jwt');
SELECT woesid_set_widget('wpk_m_nope');
SELECT public_key, mode, tenant FROM woesid_widget WHERE public_key = 'wpk_m_hmac';
-- a mode change is in force at the next statement
SELECT verified FROM woesid_identify('wpk_m_jwt', manage_payload('wpk_m_jwt', manage_secret_a()));
SELECT woesid_set_widget('wpk_m_jwt', 'off');
SELECT verified, mode, failure FROM woesid_identify('wpk_m_jwt', manage_payload('wpk_m_jwt', manage_secret_a()));
SELECT woesid_set_widget('wpk_m_jwt', 'jwt');
SELECT verified, mode FROM woesid_identify('wpk_m_jwt', manage_payload('wpk_m_jwt', manage_secret_a()));

-- woesid_generate_secret: 32 CSPRNG bytes as 64 lower-case hex ...
SELECT key_id IS NOT NULL AND key_id <> '' AS has_key_id,
       secret ~ '^[0-9a-f]{64}$' AS format
FROM woesid_generate_secret('wpk_m_hmac');
-- ... with the key id given, stored as given
SELECT key_id, secret ~ '^[0-9a-f]{64}$' AS format
FROM woesid_generate_secret('wpk_m_hmac', 'hmac-given');
-- ... and "sk_" + 64 lower-case hex for signed-variables widgets
SELECT key_id, secret ~ '^sk_[0-9a-f]{64}$' AS format
FROM woesid_generate_secret('wpk_m_vars', 'vars-1');
-- two calls give two secrets
SELECT count(DISTINCT g.secret) AS distinct_secrets, count(*) AS calls
FROM generate_series(1, 2) AS i, LATERAL woesid_generate_secret('wpk_m_jwt', 'gen-' || i) AS g;
-- the generated secret is stored under the returned key id, and verifies:
-- as the HS256 key of a JWT ...
SELECT key_id AS gen_kid, secret AS gen_secret FROM woesid_generate_secret('wpk_m_jwt') \gset
SELECT count(*) AS stored FROM woesid_widget_secret
WHERE public_key = 'wpk_m_jwt' AND key_id = :'gen_kid' AND secret = :'gen_secret';
SELECT verified, key_id = :'gen_kid' AS matched_generated
FROM woesid_identify('wpk_m_jwt', manage_payload('wpk_m_jwt', :'gen_secret'));
SELECT verified, key_id = :'gen_kid' AS selected_by_kid
FROM woesid_identify('wpk_m_jwt', manage_payload('wpk_m_jwt', :'gen_secret',
                                                 json_build_object('alg', 'HS256', 'kid', :'gen_kid')::text));
-- ... and hex-decoded as the hmac_email key
SELECT secret AS gen_hmac_secret FROM woesid_generate_secret('wpk_m_hmac', 'hmac-2') \gset
SELECT verified, key_id
FROM woesid_identify('wpk_m_hmac', json_build_object('email', 'ann@example.com',
    'email_hash', woesid_email_hash('ann@example.com', decode(:'gen_hmac_secret', 'hex')))::text);
-- refused: an unknown widget, a key id in use, an empty key id
SELECT * FROM woesid_generate_secret('wpk_m_nope');
SELECT * FROM woesid_generate_secret('wpk_m_jwt', :'gen_kid');
SELECT * FROM woesid_generate_secret('wpk_m_jwt', '');

-- The same secret twice in one widget is refused (23505), in any case of its
-- hex digits, retired or not; another widget may hold it.
SELECT woesid_add_secret('wpk_m_jwt', manage_secret_a(), 'dup-1');
\echo :LAST_ERROR_SQLSTATE
SELECT woesid_add_secret('wpk_m_jwt', upper(manage_secret_a()), 'dup-2');
\echo :LAST_ERROR_SQLSTATE
SELECT woesid_add_secret('wpk_m_jwt', :'gen_secret', 'dup-3');
\echo :LAST_ERROR_SQLSTATE
SELECT woesid_add_secret('wpk_m_hmac', manage_secret_b(), 'b-mixed');
SELECT woesid_retire_secret('wpk_m_hmac', 'b-mixed');
SELECT woesid_add_secret('wpk_m_hmac', manage_secret_b(), 'dup-4');
\echo :LAST_ERROR_SQLSTATE
SELECT woesid_add_secret('wpk_m_hmac', upper(manage_secret_b()), 'dup-5');
\echo :LAST_ERROR_SQLSTATE
SELECT woesid_add_secret('wpk_m_off', manage_secret_a(), 'other-widget');
SELECT count(*) FROM woesid_widget_secret WHERE key_id LIKE 'dup-%';

-- Signed-variables widgets: a secret is any string of at least 32 bytes;
-- switching such a widget to a mode that needs hex is refused (55000) while
-- any of its active secrets is not hex.
SELECT woesid_add_secret('wpk_m_vars', repeat('x', 31), 'too-short');
SELECT woesid_add_secret('wpk_m_vars', repeat('x', 32), 'vars-text');
SELECT woesid_add_secret('wpk_m_vars', manage_secret_a(), 'vars-hex');
SELECT woesid_set_widget('wpk_m_vars', 'jwt');
\echo :LAST_ERROR_SQLSTATE
SELECT woesid_set_widget('wpk_m_vars', 'hmac_email');
SELECT woesid_set_widget('wpk_m_vars', 'off');
SELECT mode FROM woesid_widget WHERE public_key = 'wpk_m_vars';
-- a tenant change alone, or variables again, is fine
SELECT woesid_set_widget('wpk_m_vars', tenant => 'acme');
SELECT woesid_set_widget('wpk_m_vars', 'variables');
-- a secret whose retirement is still to come is active: still refused
SELECT woesid_retire_secret('wpk_m_vars', 'vars-1', now() - interval '40 days');
SELECT woesid_retire_secret('wpk_m_vars', 'vars-text', now() + interval '1 day');
SELECT woesid_set_widget('wpk_m_vars', 'jwt');
-- once they are retired, the switch is made (retired secrets verify nothing)
SELECT woesid_retire_secret('wpk_m_vars', 'vars-text', now() - interval '40 days');
SELECT woesid_set_widget('wpk_m_vars', 'jwt');
SELECT woesid_purge_secrets('wpk_m_vars');
SELECT mode, tenant FROM woesid_widget WHERE public_key = 'wpk_m_vars';
SELECT verified, key_id FROM woesid_identify('wpk_m_vars', manage_payload('wpk_m_vars', manage_secret_a()));
-- a jwt widget's secrets must be hex
SELECT woesid_add_secret('wpk_m_vars', repeat('x', 64), 'text-in-jwt');

-- woesid_unregister_widget: the widget and its secrets go
SELECT count(*) AS secrets_before FROM woesid_widget_secret WHERE public_key = 'wpk_m_vars';
SELECT woesid_unregister_widget('wpk_m_vars');
SELECT count(*) AS secrets_after FROM woesid_widget_secret WHERE public_key = 'wpk_m_vars';
SELECT count(*) AS widget_after FROM woesid_widget WHERE public_key = 'wpk_m_vars';
SELECT verified, mode, failure FROM woesid_identify('wpk_m_vars', manage_payload('wpk_m_vars', manage_secret_a()));
SELECT woesid_unregister_widget('wpk_m_vars');
SELECT woesid_unregister_widget(NULL);

-- woesid_purge_secrets: deletes secrets retired before retired_before
-- (default 30 days ago), of one widget or of all; never an active one.
SELECT woesid_register_widget('wpk_m_purge1', 'jwt');
SELECT woesid_register_widget('wpk_m_purge2', 'jwt');
SELECT woesid_add_secret('wpk_m_purge1', repeat('01', 32), 'p1-active'),
       woesid_add_secret('wpk_m_purge1', repeat('02', 32), 'p1-old'),
       woesid_add_secret('wpk_m_purge1', repeat('03', 32), 'p1-recent'),
       woesid_add_secret('wpk_m_purge1', repeat('04', 32), 'p1-future'),
       woesid_add_secret('wpk_m_purge2', repeat('05', 32), 'p2-active'),
       woesid_add_secret('wpk_m_purge2', repeat('06', 32), 'p2-old');
SELECT woesid_retire_secret('wpk_m_purge1', 'p1-old', now() - interval '40 days'),
       woesid_retire_secret('wpk_m_purge1', 'p1-recent', now() - interval '10 days'),
       woesid_retire_secret('wpk_m_purge1', 'p1-future', now() + interval '1 day'),
       woesid_retire_secret('wpk_m_purge2', 'p2-old', now() - interval '40 days');
SELECT woesid_purge_secrets('wpk_m_purge1') AS purged_one_widget;
SELECT public_key, key_id, active FROM woesid_widget_keys
WHERE public_key LIKE 'wpk_m_purge%' ORDER BY public_key COLLATE "C", key_id COLLATE "C";
-- (of every widget: no other test leaves a secret retired 30+ days ago)
SELECT woesid_purge_secrets() AS purged_all_widgets;
SELECT woesid_purge_secrets('wpk_m_purge1', now()) AS purged_retired_before_now;
SELECT woesid_purge_secrets('wpk_m_nope', now()) AS purged_unknown_widget;
SELECT public_key, key_id, active FROM woesid_widget_keys
WHERE public_key LIKE 'wpk_m_purge%' ORDER BY public_key COLLATE "C", key_id COLLATE "C";

-- woesid_widget_keys: no secret column; one row per secret, and one row
-- with key_id NULL and active false for a widget without secrets
SELECT attname FROM pg_attribute
WHERE attrelid = 'woesid_widget_keys'::regclass AND attnum > 0 ORDER BY attnum;
SELECT woesid_register_widget('wpk_m_nosecret', 'jwt', NULL, 'acme');
SELECT public_key, mode, tenant, key_id, created_at IS NULL AS no_created_at,
       not_after IS NULL AS no_not_after, active
FROM woesid_widget_keys
WHERE public_key IN ('wpk_m_nosecret', 'wpk_m_off')
   OR public_key = 'wpk_m_hmac' AND key_id IN ('b-mixed', 'hmac-given')
ORDER BY public_key COLLATE "C", key_id COLLATE "C" NULLS FIRST;
SELECT count(*) = (SELECT count(*) FROM woesid_widget_secret) AS one_row_per_secret
FROM woesid_widget_keys WHERE key_id IS NOT NULL;
SELECT bool_and(created_at IS NOT NULL) AS created_at_shown
FROM woesid_widget_keys WHERE key_id IS NOT NULL;

-- Privileges: every management function is SECURITY DEFINER, keeps its
-- calling statement out of the error log, and is not executable by PUBLIC;
-- nor is the view readable.
SELECT p.oid::regprocedure AS function, p.prosecdef, p.proconfig,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
FROM pg_proc AS p
WHERE p.proname IN ('woesid_register_widget', 'woesid_add_secret', 'woesid_retire_secret',
                    'woesid_generate_secret', 'woesid_set_widget', 'woesid_unregister_widget',
                    'woesid_purge_secrets', 'woesid_random_secret')
ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT has_table_privilege('public', 'woesid_widget_keys', 'SELECT') AS public_select_keys;

CREATE ROLE manage_app;
SET ROLE manage_app;
SELECT woesid_register_widget('wpk_m_app', 'jwt', NULL, 'acme');
SELECT woesid_add_secret('wpk_m_hmac', repeat('07', 32), 'app');
SELECT woesid_retire_secret('wpk_m_hmac', 'hmac-given');
SELECT * FROM woesid_generate_secret('wpk_m_hmac');
SELECT woesid_set_widget('wpk_m_hmac', 'off');
SELECT woesid_unregister_widget('wpk_m_hmac');
SELECT woesid_purge_secrets();
SELECT woesid_random_secret('');
SELECT * FROM woesid_widget_keys;
SELECT * FROM woesid_widget;
RESET ROLE;
SELECT mode, tenant FROM woesid_widget WHERE public_key = 'wpk_m_hmac';
SELECT count(*) FROM woesid_widget_secret WHERE public_key = 'wpk_m_hmac' AND (key_id = 'app' OR not_after IS NOT NULL);
-- granted, each works
GRANT EXECUTE ON FUNCTION woesid_register_widget(text, text, text, text),
                          woesid_add_secret(text, text, text),
                          woesid_retire_secret(text, text, timestamptz),
                          woesid_generate_secret(text, text),
                          woesid_set_widget(text, text, text),
                          woesid_unregister_widget(text),
                          woesid_purge_secrets(text, timestamptz) TO manage_app;
GRANT SELECT ON woesid_widget_keys TO manage_app;
SET ROLE manage_app;
SELECT woesid_register_widget('wpk_m_app', 'jwt', NULL, 'acme');
SELECT woesid_add_secret('wpk_m_app', repeat('07', 32), 'app-1');
SELECT key_id, secret ~ '^[0-9a-f]{64}$' AS format FROM woesid_generate_secret('wpk_m_app', 'app-2');
SELECT woesid_retire_secret('wpk_m_app', 'app-1', now() - interval '40 days');
SELECT woesid_set_widget('wpk_m_app', 'hmac_email', 'initech');
SELECT public_key, mode, tenant, key_id, active FROM woesid_widget_keys
WHERE public_key = 'wpk_m_app' ORDER BY key_id COLLATE "C";
SELECT woesid_purge_secrets('wpk_m_app');
SELECT woesid_unregister_widget('wpk_m_app');
-- the view, not the tables
SELECT * FROM woesid_widget_secret;
RESET ROLE;
REVOKE EXECUTE ON FUNCTION woesid_register_widget(text, text, text, text),
                           woesid_add_secret(text, text, text),
                           woesid_retire_secret(text, text, timestamptz),
                           woesid_generate_secret(text, text),
                           woesid_set_widget(text, text, text),
                           woesid_unregister_widget(text),
                           woesid_purge_secrets(text, timestamptz) FROM manage_app;
REVOKE SELECT ON woesid_widget_keys FROM manage_app;
DROP ROLE manage_app;

-- Errors never echo an argument: a secret passed in any position stays out
-- of the message, its detail and hint.
SELECT woesid_register_widget('wpk_m_x', manage_secret_b(), 'jwt');
SELECT woesid_register_widget(manage_secret_b() || manage_secret_b(), 'jwt');
SELECT woesid_register_widget('wpk_m_x', 'jwt', manage_secret_b(), '');
SELECT woesid_register_widget('wpk_m_jwt', 'jwt', manage_secret_b());
SELECT woesid_register_widget('wpk_m_x', 'jwt', 'short-' || manage_secret_b() || 'z');
SELECT woesid_add_secret(manage_secret_b(), manage_secret_b());
SELECT woesid_add_secret('wpk_m_jwt', 'jwt', manage_secret_b());
SELECT woesid_add_secret('wpk_m_jwt', manage_secret_b() || 'z');
SELECT woesid_retire_secret('wpk_m_jwt', manage_secret_b());
SELECT woesid_retire_secret(manage_secret_b(), 'gen-1');
SELECT woesid_set_widget('wpk_m_jwt', manage_secret_b());
SELECT woesid_set_widget(manage_secret_b(), 'jwt');
SELECT * FROM woesid_generate_secret(manage_secret_b());
SELECT * FROM woesid_generate_secret('wpk_m_jwt', 'gen-1');
SELECT woesid_unregister_widget(manage_secret_b());
SELECT count(*) FROM woesid_widget WHERE public_key LIKE 'wpk_m\_x%';

-- Schema hardening: a role that may create objects in the extension's
-- schema adds overloads of what woesid calls internally; they capture
-- nothing.
CREATE ROLE manage_attacker;
GRANT CREATE ON SCHEMA public TO manage_attacker;
SET ROLE manage_attacker;
CREATE TABLE manage_stolen (what text);
GRANT ALL ON manage_stolen TO PUBLIC;
CREATE FUNCTION woesid_add_secret(public_key text, secret text) RETURNS text
LANGUAGE sql AS $$ INSERT INTO public.manage_stolen VALUES (secret) RETURNING 'captured' $$;
CREATE FUNCTION woesid_add_secret(public_key text, secret text, key_id varchar) RETURNS text
LANGUAGE sql AS $$ INSERT INTO public.manage_stolen VALUES (secret) RETURNING 'captured' $$;
CREATE FUNCTION woesid_random_secret(prefix varchar) RETURNS text
LANGUAGE sql AS $$ SELECT repeat('00', 32) $$;
RESET ROLE;
-- the owner's registration stores the secret with the real function
SELECT woesid_register_widget('wpk_m_hard', 'jwt', manage_secret_b()) <> 'captured' AS real_key_id;
SELECT count(*) AS stored FROM woesid_widget_secret
WHERE public_key = 'wpk_m_hard' AND secret = manage_secret_b();
SELECT key_id, secret <> repeat('00', 32) AND secret ~ '^[0-9a-f]{64}$' AS real_secret
FROM woesid_generate_secret('wpk_m_hard', 'hard-gen');
SELECT count(*) AS captured FROM manage_stolen;
-- (the overloads are real: an unqualified two-argument call of the owner's
-- own now reaches one or is ambiguous, which is why CREATE EXTENSION warns)
SELECT woesid_add_secret('wpk_m_hard', manage_secret_a());
SELECT woesid_add_secret('wpk_m_hard', manage_secret_a(), 'varchar-kid'::varchar);
SELECT count(*) AS captured_by_unqualified_calls FROM manage_stolen;
DROP FUNCTION woesid_add_secret(text, text), woesid_add_secret(text, text, varchar),
              woesid_random_secret(varchar);
DROP TABLE manage_stolen;
REVOKE CREATE ON SCHEMA public FROM manage_attacker;
DROP ROLE manage_attacker;

-- CREATE EXTENSION warns when the target schema lets roles other than its
-- owner create objects.
CREATE DATABASE woesid_manage_schema;
\c woesid_manage_schema
GRANT CREATE ON SCHEMA public TO PUBLIC;
CREATE EXTENSION woesid;
DROP EXTENSION woesid;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
CREATE ROLE manage_schema_writer;
GRANT CREATE ON SCHEMA public TO manage_schema_writer;
CREATE EXTENSION woesid;
DROP EXTENSION woesid;
REVOKE CREATE ON SCHEMA public FROM manage_schema_writer;
DROP ROLE manage_schema_writer;
-- public as PostgreSQL 15 creates it (only its owner creates): no warning
CREATE EXTENSION woesid;
DROP EXTENSION woesid;
-- the recommended schema of its own: no warning, even beside a writable public
GRANT CREATE ON SCHEMA public TO PUBLIC;
CREATE SCHEMA woesid;
CREATE EXTENSION woesid SCHEMA woesid;
SELECT woesid.woesid_register_widget('wpk_own_schema', 'off', NULL, 'acme');
SELECT failure, widget FROM woesid.woesid_identify('wpk_own_schema', '{"name":"Ann"}');
\c contrib_regression
DROP DATABASE woesid_manage_schema;

SELECT woesid_unregister_widget(public_key) FROM woesid_widget
WHERE public_key LIKE 'wpk_m\_%' ORDER BY public_key COLLATE "C";
DROP FUNCTION manage_payload(text, text, text), manage_secret_a(), manage_secret_b();
