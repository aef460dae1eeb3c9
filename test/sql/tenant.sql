-- (0.2.0) Identities are bound to their widget and its tenant.  A registry
-- holds one widget per customer workspace, so every customer holds a secret:
-- the holder of workspace B's secret can sign any email for B's widget.  A
-- policy that scopes on the tenant as well as the email keeps B's holder out
-- of workspace A's rows; one on the email alone does not.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all
CREATE FUNCTION tenant_secret_a() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat('a7', 32) $$;
CREATE FUNCTION tenant_secret_b() RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT repeat('b7', 32) $$;

-- A widget JWT (text payload {"jwt": ...}) for email and audience aud under
-- secret, issued at the transaction's start (whole seconds, rounded down so
-- it is never in the future) and expiring at exp.
CREATE FUNCTION tenant_payload(aud text, secret text, email text,
                               exp bigint DEFAULT extract(epoch FROM now())::bigint + 600)
RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT json_build_object('jwt', jws('{"alg":"HS256","typ":"JWT"}',
        json_build_object('email', email, 'aud', aud,
                          'iat', floor(extract(epoch FROM now()))::bigint,
                          'exp', exp)::text,
        secret))::text
$$;

-- hmac_email payload for ws_a's hmac widget
CREATE FUNCTION tenant_hmac_payload(email text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$ SELECT json_build_object('email', email,
                               'email_hash', woesid_email_hash(email, decode(tenant_secret_a(), 'hex')))::text $$;

SELECT woesid_register_widget('wpk_ws_a', 'jwt', tenant_secret_a(), 'ws_a') IS NOT NULL AS registered;
SELECT woesid_register_widget('wpk_ws_a_hmac', 'hmac_email', tenant_secret_a(), 'ws_a') IS NOT NULL AS registered;
SELECT woesid_register_widget('wpk_ws_b', 'jwt', tenant_secret_b(), 'ws_b') IS NOT NULL AS registered;
-- a widget that belongs to no tenant
SELECT woesid_register_widget('wpk_no_tenant', 'jwt', tenant_secret_b()) IS NOT NULL AS registered;
SELECT public_key, mode, tenant, active FROM woesid_widget_keys
WHERE public_key IN ('wpk_ws_a', 'wpk_ws_a_hmac', 'wpk_ws_b', 'wpk_no_tenant')
ORDER BY public_key COLLATE "C";

CREATE TABLE tenant_conversation (
    id              int PRIMARY KEY,
    workspace_id    text NOT NULL,
    customer_email  text NOT NULL,
    subject         text NOT NULL
);
INSERT INTO tenant_conversation VALUES
    (1, 'ws_a', 'victim@corp.com', 'A: salary question'),
    (2, 'ws_a', 'victim@corp.com', 'A: password reset'),
    (3, 'ws_a', 'other@corp.com',  'A: other visitor'),
    (4, 'ws_b', 'victim@corp.com', 'B: pricing');
-- the same rows under the email-only policy of 0.1.0's README
CREATE TABLE tenant_conversation_email_only (LIKE tenant_conversation);
INSERT INTO tenant_conversation_email_only SELECT * FROM tenant_conversation;

ALTER TABLE tenant_conversation ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_conversation_email_only ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_conversations ON tenant_conversation
    USING (workspace_id = (SELECT woesid_current_tenant())
           AND customer_email = (SELECT woesid_current_email()));
CREATE POLICY own_conversations ON tenant_conversation_email_only
    USING (customer_email = (SELECT woesid_current_email()));

CREATE ROLE tenant_app;
GRANT SELECT ON tenant_conversation, tenant_conversation_email_only TO tenant_app;
SET ROLE tenant_app;

-- no identity: no widget, no tenant, no rows
SELECT woesid_current_widget(), woesid_current_tenant(), woesid_current_email();
SELECT count(*) FROM tenant_conversation;

-- The attack: the holder of ws_b's secret signs victim@corp.com for ws_b's
-- widget.  The signature is good and the identity verified, but it is ws_b's.
BEGIN;
SELECT verified, email, widget
FROM woesid_authenticate('wpk_ws_b', tenant_payload('wpk_ws_b', tenant_secret_b(), 'victim@corp.com'));
SELECT woesid_current_widget(), woesid_current_tenant(), woesid_current_email(),
       (woesid_current()).widget AS current_widget_attribute;
-- the tenant-scoped policy: only ws_b's own row for that email
SELECT id, workspace_id, subject FROM tenant_conversation ORDER BY id;
-- the email-only policy would have leaked ws_a's rows (so the query above
-- would have failed this test if the policy ignored the tenant)
SELECT id, workspace_id, subject FROM tenant_conversation_email_only ORDER BY id;
COMMIT;

-- ws_a's real visitor sees ws_a's rows and nothing of ws_b's
BEGIN;
SELECT verified, widget
FROM woesid_authenticate('wpk_ws_a', tenant_payload('wpk_ws_a', tenant_secret_a(), ' Victim@Corp.com '));
SELECT woesid_current_widget(), woesid_current_tenant(), woesid_current_email();
SELECT id, workspace_id, subject FROM tenant_conversation ORDER BY id;
COMMIT;

-- B's secret cannot sign for A's widget; A's tokens are not B's
SELECT failure, widget, email
FROM woesid_identify('wpk_ws_a', tenant_payload('wpk_ws_a', tenant_secret_b(), 'victim@corp.com'));
-- a token for ws_a's widget sent to ws_b's widget: signed with A's secret,
-- ws_b's secrets do not match; signed with B's secret, its aud is wrong
SELECT failure, widget, email
FROM woesid_identify('wpk_ws_b', tenant_payload('wpk_ws_a', tenant_secret_a(), 'victim@corp.com'));
SELECT failure, widget, email
FROM woesid_identify('wpk_ws_b', tenant_payload('wpk_ws_a', tenant_secret_b(), 'victim@corp.com'));
-- a failed authenticate leaves no widget and no tenant behind
BEGIN;
SELECT verified FROM woesid_authenticate('wpk_ws_b', tenant_payload('wpk_ws_b', tenant_secret_b(), 'victim@corp.com'));
SELECT failure, widget
FROM woesid_authenticate('wpk_ws_b', tenant_payload('wpk_ws_a', tenant_secret_a(), 'victim@corp.com'));
SELECT woesid_current_widget(), woesid_current_tenant(), (woesid_current()).failure;
SELECT count(*) FROM tenant_conversation;
COMMIT;

-- a widget without a tenant: verified, but a tenant-scoped policy matches nothing
BEGIN;
SELECT verified, widget
FROM woesid_authenticate('wpk_no_tenant', tenant_payload('wpk_no_tenant', tenant_secret_b(), 'victim@corp.com'));
SELECT woesid_current_widget(), woesid_current_tenant(), woesid_current_email();
SELECT count(*) FROM tenant_conversation;
COMMIT;

-- hmac_email identities carry their widget and tenant too
SELECT verified, email, widget FROM woesid_identify('wpk_ws_a_hmac', tenant_hmac_payload('victim@corp.com'));
SELECT verified, widget, failure FROM woesid_identify('wpk_ws_a_hmac',
    json_build_object('email', 'other@corp.com',
                      'email_hash', tenant_hmac_payload('victim@corp.com')::json->>'email_hash')::text);
BEGIN;
SELECT verified, widget FROM woesid_authenticate('wpk_ws_a_hmac', tenant_hmac_payload('victim@corp.com'));
SELECT woesid_current_widget(), woesid_current_tenant(), woesid_current_email();
SELECT id, workspace_id, subject FROM tenant_conversation ORDER BY id;
COMMIT;
RESET ROLE;

-- The direct verifiers: woesid_verify_jwt's widget is its audience argument;
-- woesid_hmac_email and woesid_verify_variables know no widget.  NULL
-- unless verified.
SELECT verified, widget
FROM woesid_verify_jwt(tenant_payload('wpk_ws_a', tenant_secret_a(), 'victim@corp.com')::json->>'jwt',
                       tenant_secret_a(), 'wpk_ws_a');
SELECT failure, widget
FROM woesid_verify_jwt(tenant_payload('wpk_ws_a', tenant_secret_a(), 'victim@corp.com')::json->>'jwt',
                       tenant_secret_a(), 'wpk_ws_b');
SELECT verified, widget FROM woesid_hmac_email(tenant_hmac_payload('victim@corp.com'), decode(tenant_secret_a(), 'hex'));
SELECT verified, widget
FROM woesid_verify_variables(tenant_payload('wpk_ws_a', tenant_secret_a(), 'victim@corp.com')::json->>'jwt',
                             tenant_secret_a());

-- The tenant is the widget's at authenticate time: moving the widget to
-- another tenant later in the transaction does not move the identity.
BEGIN;
SELECT verified FROM woesid_authenticate('wpk_ws_b', tenant_payload('wpk_ws_b', tenant_secret_b(), 'victim@corp.com'));
SELECT woesid_set_widget('wpk_ws_b', tenant => 'ws_a');
SELECT tenant FROM woesid_widget WHERE public_key = 'wpk_ws_b';
SELECT woesid_current_widget(), woesid_current_tenant();
ROLLBACK;
SELECT tenant FROM woesid_widget WHERE public_key = 'wpk_ws_b';

-- Identity expiry: the identity ends when the statement's start time
-- reaches the token's exp plus woesid.clock_skew, even inside one
-- transaction.  The token expires 2 to 3 s after the transaction starts.
SET woesid.clock_skew = 0;
BEGIN;
SELECT floor(extract(epoch FROM now()))::bigint + 3 AS exp \gset
SET LOCAL ROLE tenant_app;
SELECT verified, widget
FROM woesid_authenticate('wpk_ws_a', tenant_payload('wpk_ws_a', tenant_secret_a(), 'victim@corp.com', :exp));
SELECT (woesid_current()).expires_at = to_timestamp(:exp) AS expires_at_is_exp,
       woesid_current_email(), woesid_current_tenant();
SELECT id FROM tenant_conversation ORDER BY id;
SELECT pg_sleep_until(to_timestamp(:exp) + interval '100 ms');
-- now() (the transaction's start) is still before exp: the statement's
-- time decides
SELECT now() < to_timestamp(:exp) AS transaction_started_before_exp;
SELECT * FROM woesid_current();
SELECT woesid_current_email(), woesid_current_contact_id(), woesid_current_account_id(),
       woesid_current_widget(), woesid_current_tenant();
SELECT count(*) FROM tenant_conversation;
COMMIT;

-- the skew extends it: the same token with 30 s of skew is alive after exp
SET woesid.clock_skew = 30;
BEGIN;
SELECT floor(extract(epoch FROM now()))::bigint + 1 AS exp \gset
SELECT verified
FROM woesid_authenticate('wpk_ws_a', tenant_payload('wpk_ws_a', tenant_secret_a(), 'victim@corp.com', :exp));
SELECT pg_sleep_until(to_timestamp(:exp) + interval '100 ms');
SELECT (woesid_current()).verified, woesid_current_email();
-- until skew is taken away (the setting is read at each statement)
SET LOCAL woesid.clock_skew = 0;
SELECT (woesid_current()).failure, woesid_current_email();
COMMIT;

-- hmac_email identities carry no expiry and last until the transaction ends
SET woesid.clock_skew = 0;
BEGIN;
SELECT verified, expires_at IS NULL AS no_expiry
FROM woesid_authenticate('wpk_ws_a_hmac', tenant_hmac_payload('victim@corp.com'));
SELECT pg_sleep(0.5);
SELECT (woesid_current()).verified, woesid_current_email(), woesid_current_tenant();
COMMIT;
RESET woesid.clock_skew;

DROP TABLE tenant_conversation, tenant_conversation_email_only;
DROP ROLE tenant_app;
SELECT woesid_unregister_widget(k) FROM unnest(ARRAY['wpk_ws_a', 'wpk_ws_a_hmac', 'wpk_ws_b', 'wpk_no_tenant']) AS k;
DROP FUNCTION tenant_payload(text, text, text, bigint), tenant_hmac_payload(text),
              tenant_secret_a(), tenant_secret_b();
