-- examples/widget/schema.sql: the chat vendor's database for the widget
-- example.  Run as a superuser in a new UTF8 database:
--   psql -X -q -v ON_ERROR_STOP=1 -At -d widget_demo -f examples/widget/schema.sql
-- The last statement prints one line "public_key|key_id|secret" per widget:
-- the secrets woesid generated, for each customer's backend (backend.mjs
-- takes its own as WIDGET_SECRET).  Nothing else keeps them but the registry.

CREATE SCHEMA woesid;
CREATE EXTENSION woesid SCHEMA woesid;

-- The ingest service's role: not a superuser, not the tables' owner, so the
-- row-level security policy below applies to it.  (A superuser or the owner
-- would see every row.)  On a real server give it a password.
CREATE ROLE widget_app LOGIN;
GRANT USAGE ON SCHEMA woesid TO widget_app;
ALTER ROLE widget_app SET search_path = woesid, "$user", public;
SET search_path = woesid, public;

-- Two customers (workspaces) of the chat vendor, each with its own widget
-- install: Acme signs JWTs, Bolt signs email hashes.  The tenant is the
-- workspace the policy scopes on; it comes from this registry, never from
-- what the browser sends.
SELECT woesid_register_widget('wpk_acme', 'jwt', tenant => 'ws_acme');
SELECT woesid_register_widget('wpk_bolt', 'hmac_email', tenant => 'ws_bolt');

-- Conversation history, one row per message, of every workspace.
CREATE TABLE public.conversation (
    id serial PRIMARY KEY,
    workspace_id text NOT NULL,
    customer_email text NOT NULL,    -- normalized, as woesid_current_email() gives it
    author text NOT NULL CHECK (author IN ('visitor', 'agent')),
    body text NOT NULL,
    created_at timestamptz NOT NULL
);
ALTER TABLE public.conversation ENABLE ROW LEVEL SECURITY;
-- Scoped on the tenant and the email: a secret of one workspace can sign any
-- email, but reaches only its own workspace's rows.
CREATE POLICY own_conversations ON public.conversation
    USING (workspace_id = (SELECT woesid_current_tenant())
           AND customer_email = (SELECT woesid_current_email()));
GRANT SELECT ON public.conversation TO widget_app;

INSERT INTO public.conversation (workspace_id, customer_email, author, body, created_at) VALUES
    ('ws_acme', 'ann.lee@example.com', 'visitor', 'Hi, invoice 1042 charges me twice.', '2026-11-02 09:00+00'),
    ('ws_acme', 'ann.lee@example.com', 'agent',   'Sorry Ann, the second charge is refunded.', '2026-11-02 09:05+00'),
    ('ws_acme', 'bob@example.com',     'visitor', 'Can I move to the yearly plan?', '2026-11-03 14:00+00'),
    ('ws_acme', 'bob@example.com',     'agent',   'Yes: Settings, then Billing.', '2026-11-03 14:02+00'),
    ('ws_acme', 'carol@example.com',   'visitor', 'Please delete my account.', '2026-11-04 10:00+00'),
    ('ws_bolt', 'ann.lee@example.com', 'visitor', 'Where is my Bolt order 77?', '2026-11-05 16:30+00'),
    ('ws_bolt', 'ann.lee@example.com', 'agent',   'It ships tomorrow.', '2026-11-05 16:31+00'),
    ('ws_bolt', 'dave@example.com',    'visitor', 'Do you ship to Norway?', '2026-11-06 08:15+00');

-- Identify events as the widgets post them.  The trigger verifies each
-- payload through the registry and writes the verdict into identity,
-- whatever the client put there.
CREATE TABLE public.identify_event (
    id serial PRIMARY KEY,
    public_key text NOT NULL,
    payload text NOT NULL,              -- the request body exactly as sent
    received_at timestamptz NOT NULL DEFAULT now(),
    identity woesid_claims
);
CREATE TRIGGER verify_identity BEFORE INSERT OR UPDATE ON public.identify_event
    FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger('public_key', 'payload', 'identity');
GRANT INSERT ON public.identify_event TO widget_app;
GRANT SELECT (id, identity) ON public.identify_event TO widget_app;   -- for INSERT ... RETURNING
GRANT USAGE ON SEQUENCE public.identify_event_id_seq TO widget_app;

-- One secret per widget, made in the server (no statement holds it).
SELECT w.public_key, s.key_id, s.secret
FROM (VALUES ('wpk_acme'), ('wpk_bolt')) AS w(public_key),
     LATERAL woesid_generate_secret(w.public_key) AS s;
