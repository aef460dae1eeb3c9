-- The widget registry: registration, secrets, rotation, privileges, the
-- identify trigger.  Tokens are signed around now() (test/fixtures.sql),
-- because registry verification happens at the statement's time.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all

-- registration returns the key id it stored
SELECT woesid_register_widget('wpk_jwt', 'jwt', secret_a()) IS NOT NULL AS has_key_id;
SELECT woesid_add_secret('wpk_jwt', secret_b(), 'key-b');
SELECT woesid_register_widget('wpk_hmac', 'hmac_email');
SELECT woesid_add_secret('wpk_hmac', secret_a(), 'hmac-a');
SELECT woesid_register_widget('wpk_off', 'off');
SELECT woesid_register_widget('wpk_empty', 'jwt');

-- refused registrations never echo the secret
SELECT woesid_register_widget('wpk_bad', 'jwt', 'deadbeef');
SELECT woesid_add_secret('wpk_jwt', repeat('z', 64));
SELECT woesid_add_secret('wpk_jwt', repeat('a', 65));
SELECT woesid_add_secret('no_such_widget', secret_a());
SELECT woesid_register_widget('wpk_mode', 'JWT');
-- a secret passed in the wrong position is not echoed either
SELECT woesid_register_widget('wpk_swapped', secret_a(), 'jwt');
SELECT woesid_retire_secret('wpk_jwt', secret_a());
SELECT woesid_register_widget('wpk_jwt', 'jwt');
SELECT woesid_register_widget(repeat('k', 128), 'off');
SELECT woesid_add_secret('wpk_jwt', secret_a(), 'key-b');
SELECT woesid_add_secret('wpk_jwt', secret_a(), '');
SELECT woesid_retire_secret('wpk_jwt', 'no-such-key');

-- jwt mode: the public key is the audience; every active secret is tried
SELECT verified, email, contact_external_id, key_id = (SELECT key_id FROM woesid_widget_secret
                                                       WHERE public_key = 'wpk_jwt' AND secret = secret_a()) AS matched_a
FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_a()));
SELECT verified, key_id FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_b()));
-- the kid selects the secret; a kid naming no active secret is unknown_key
SELECT verified, key_id FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_b(), '{}', '{"alg":"HS256","kid":"key-b"}'));
SELECT failure FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_a(), '{}', '{"alg":"HS256","kid":"key-b"}'));
SELECT failure FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_b(), '{}', '{"alg":"HS256","kid":"key-zzz"}'));
-- a kid that is not a string is present and names no secret
SELECT failure FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_b(), '{}', '{"alg":"HS256","kid":7}'));
SELECT failure FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_b(), '{}', '{"alg":"HS256","kid":null}'));
-- audience is the widget's own public key
SELECT failure FROM woesid_identify('wpk_jwt', now_token('wpk_other', secret_a()));
SELECT failure FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', repeat('c3', 32)));
-- the payload: a string member "jwt"; other members are untrusted metadata
SELECT failure FROM woesid_identify('wpk_jwt', NULL);
SELECT failure FROM woesid_identify('wpk_jwt', '{}');
SELECT failure FROM woesid_identify('wpk_jwt', '{"jwt": 5}');
SELECT failure FROM woesid_identify('wpk_jwt', '{"jwt": ""}');
SELECT failure FROM woesid_identify('wpk_jwt', '["x"]');
SELECT verified, metadata FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_a()) || '{"name":"Ann","plan":"gold"}');
-- a huge payload is refused by its size, never with an ERROR
SELECT failure FROM woesid_identify('wpk_jwt', jsonb_build_object('jwt', repeat('A', 50000000)));
SELECT failure FROM woesid_identify('wpk_hmac', jsonb_build_object('email', 'a@b.c',
    'email_hash', repeat('0', 64), 'pad', repeat('x', 50000000)));
-- a signed widget with no active secret: missing_secret comes first
SELECT failure FROM woesid_identify('wpk_empty', NULL);

-- hmac_email mode: the payload as woesid_hmac_email takes it
SELECT verified, email, metadata, key_id
FROM woesid_identify('wpk_hmac', jsonb_build_object('email', ' Ann@Example.com',
    'email_hash', woesid_email_hash('ann@example.com', decode(secret_a(), 'hex')), 'name', 'Ann'));
SELECT failure, metadata
FROM woesid_identify('wpk_hmac', jsonb_build_object('email', 'boss@example.com',
    'email_hash', woesid_email_hash('ann@example.com', decode(secret_a(), 'hex')), 'name', 'Boss'));
SELECT failure FROM woesid_identify('wpk_hmac', NULL);
SELECT failure FROM woesid_identify('wpk_hmac', '{"email":"ann@example.com"}');
-- off mode: nothing is signed, fields are display-only metadata
SELECT * FROM woesid_identify('wpk_off', '{"email":"ann@example.com","name":"Ann"}');
-- unknown widget
SELECT * FROM woesid_identify('wpk_nope', '{"email":"ann@example.com"}');
SELECT failure FROM woesid_identify(NULL, NULL);

-- Rotation without downtime: add B, move signers to B, retire A.
SELECT woesid_retire_secret('wpk_jwt', key_id, now() + interval '1 hour')
FROM woesid_widget_secret WHERE public_key = 'wpk_jwt' AND secret = secret_a();
SELECT verified AS a_until_retirement FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_a()));
SELECT woesid_retire_secret('wpk_jwt', key_id)
FROM woesid_widget_secret WHERE public_key = 'wpk_jwt' AND secret = secret_a();
SELECT failure AS a_retired FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_a()));
SELECT verified AS b_still FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_b()));
SELECT woesid_retire_secret('wpk_jwt', 'key-b');
SELECT failure AS all_retired FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_b()));
-- a retirement that has taken effect is final: no NULL, no later time
SELECT woesid_retire_secret('wpk_jwt', 'key-b', NULL);
SELECT woesid_retire_secret('wpk_jwt', 'key-b', now() + interval '1 year');
SELECT failure AS still_retired FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_b()));
-- a retired secret cannot come back, in any case of its hex digits
SELECT woesid_add_secret('wpk_jwt', secret_b(), 'key-b2');
SELECT woesid_add_secret('wpk_jwt', upper(secret_b()), 'key-b2');
SELECT woesid_add_secret('wpk_jwt', secret_c(), 'key-b2');
SELECT key_id FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_c()));

-- ANALYZE keeps no statistics (no sample values) of the secrets
SELECT attstattarget FROM pg_attribute
WHERE attrelid = 'woesid_widget_secret'::regclass AND attname = 'secret';
ANALYZE woesid_widget_secret;
SELECT count(*) FROM pg_stats WHERE tablename = 'woesid_widget_secret' AND attname = 'secret';
-- pg_dump keeps both tables
SELECT unnest(extconfig)::regclass FROM pg_extension WHERE extname = 'woesid' ORDER BY 1;

-- Privileges: an application role verifies but can read no secret, manage
-- no widget and forge no identity.
CREATE ROLE woesid_app_role;
SET ROLE woesid_app_role;
SELECT verified FROM woesid_identify('wpk_jwt', now_token('wpk_jwt', secret_c()));
SELECT * FROM woesid_widget_secret;
SELECT * FROM woesid_widget;
SELECT woesid_register_widget('wpk_mine', 'off');
SELECT woesid_add_secret('wpk_jwt', secret_a());
SELECT woesid_retire_secret('wpk_jwt', 'key-b2');
SET woesid.current_email = 'boss@example.com';
SELECT set_config('woesid.identity', 'boss@example.com', false);
SELECT woesid_current_email() IS NULL AS no_identity, (woesid_current()).failure;
RESET ROLE;
-- management can be granted
GRANT EXECUTE ON FUNCTION woesid_register_widget(text, text, text, text) TO woesid_app_role;
SET ROLE woesid_app_role;
SELECT woesid_register_widget('wpk_granted', 'off');
RESET ROLE;
REVOKE EXECUTE ON FUNCTION woesid_register_widget(text, text, text, text) FROM woesid_app_role;

-- The identify trigger: the result column is always the server's verdict.
CREATE TABLE identify_event (
    id          serial PRIMARY KEY,
    public_key  text,
    payload     jsonb,
    identity    woesid_claims,
    processed   boolean NOT NULL DEFAULT false
);
CREATE TRIGGER verify_identity BEFORE INSERT OR UPDATE ON identify_event
    FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger('public_key', 'payload', 'identity');
GRANT INSERT, UPDATE, SELECT ON identify_event TO woesid_app_role;
GRANT USAGE ON SEQUENCE identify_event_id_seq TO woesid_app_role;
SET ROLE woesid_app_role;
INSERT INTO identify_event (public_key, payload, identity) VALUES
    ('wpk_hmac', jsonb_build_object('email', 'ann@example.com',
        'email_hash', woesid_email_hash('ann@example.com', decode(secret_a(), 'hex'))), NULL),
    ('wpk_hmac', '{"email":"boss@example.com","email_hash":"0000000000000000000000000000000000000000000000000000000000000000"}',
     ROW(true, 'hmac_email', 'boss@example.com', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)),
    ('wpk_off', '{"email":"x@example.com"}', NULL);
SELECT id, (identity).verified, (identity).email, (identity).failure FROM identify_event ORDER BY id;
-- an UPDATE that changes neither key nor payload keeps the stored verdict,
-- whatever the client writes; one that changes either is verified again
UPDATE identify_event SET identity = ROW(true, 'jwt', 'boss@example.com', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
WHERE id = 3;
UPDATE identify_event SET processed = true,
    identity = ROW(false, 'hmac_email', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'expired', NULL)
WHERE id = 1;
SELECT id, processed, (identity).verified, (identity).email, (identity).failure FROM identify_event ORDER BY id;
UPDATE identify_event SET payload = payload || '{"email":"boss@example.com"}' WHERE id = 1;
UPDATE identify_event SET public_key = 'wpk_hmac' WHERE id = 3;
SELECT id, (identity).verified, (identity).email, (identity).failure FROM identify_event ORDER BY id;
RESET ROLE;
-- misuse by the operator is an error
CREATE TABLE bad_event (k text, p jsonb, r text);
CREATE TRIGGER t BEFORE INSERT ON bad_event
    FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger('k', 'p', 'r');
INSERT INTO bad_event VALUES ('wpk_off', '{}', NULL);
DROP TRIGGER t ON bad_event;
CREATE TRIGGER t BEFORE INSERT ON bad_event
    FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger('k', 'nope', 'r');
INSERT INTO bad_event VALUES ('wpk_off', '{}', NULL);
DROP TRIGGER t ON bad_event;
CREATE TRIGGER t AFTER INSERT ON bad_event
    FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger('k', 'p', 'r');
INSERT INTO bad_event VALUES ('wpk_off', '{}', NULL);
DROP TABLE bad_event;
DROP TABLE identify_event;
-- The registry's triggers fire ALWAYS (logical replication apply runs as
-- a replica); DISABLE then ENABLE TRIGGER ALL, as pg_restore
-- --disable-triggers runs, leaves them ALWAYS, and a disabled one disabled.
ALTER TABLE woesid_widget_secret DISABLE TRIGGER ALL;
SELECT tgname, tgenabled FROM pg_trigger
WHERE tgrelid = 'woesid_widget_secret'::regclass AND NOT tgisinternal ORDER BY tgname;
ALTER TABLE woesid_widget_secret ENABLE TRIGGER ALL;
ALTER TABLE woesid_widget ENABLE TRIGGER woesid_widget_changed;
SELECT tgrelid::regclass, tgname, tgenabled FROM pg_trigger
WHERE tgrelid IN ('woesid_widget'::regclass, 'woesid_widget_secret'::regclass) AND NOT tgisinternal
ORDER BY 1, 2;
DROP OWNED BY woesid_app_role;
DROP ROLE woesid_app_role;
-- leave the registry as it was found
SELECT woesid_unregister_widget(k)
FROM unnest(ARRAY['wpk_jwt', 'wpk_hmac', 'wpk_off', 'wpk_empty', 'wpk_granted']) AS k;
