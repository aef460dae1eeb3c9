-- A worked application: customers, conversations and messages that a
-- visitor may read only as the identity woesid verified, within the
-- workspace (tenant) of the widget that verified it, through RLS policies
-- written the recommended way.
\set ECHO none
\getenv abs_srcdir PG_ABS_SRCDIR
\i :abs_srcdir/fixtures.sql
\set ECHO all
CREATE TABLE customer (
    email   text PRIMARY KEY,
    name    text NOT NULL
);
CREATE TABLE conversation (
    id              int PRIMARY KEY,
    workspace_id    text NOT NULL,
    customer_email  text NOT NULL REFERENCES customer,
    subject         text NOT NULL
);
CREATE TABLE message (
    conversation_id int NOT NULL REFERENCES conversation,
    body            text NOT NULL
);
INSERT INTO customer VALUES ('ann@example.com', 'Ann'), ('bob@example.com', 'Bob');
INSERT INTO conversation VALUES (1, 'ws_1', 'ann@example.com', 'Invoice'),
                                (2, 'ws_1', 'ann@example.com', 'Login'),
                                (3, 'ws_1', 'bob@example.com', 'Refund'),
                                (4, 'ws_2', 'ann@example.com', 'Another workspace''s Ann');
SELECT woesid_register_widget('wpk_hmac', 'hmac_email', secret_a()) IS NOT NULL AS registered;
SELECT woesid_set_widget('wpk_hmac', tenant => 'ws_1');
INSERT INTO message VALUES (1, 'Where is my invoice?'), (2, 'I cannot log in'), (3, 'Refund me');

ALTER TABLE conversation ENABLE ROW LEVEL SECURITY;
ALTER TABLE message ENABLE ROW LEVEL SECURITY;
-- (SELECT ...) makes each accessor one initplan per statement
CREATE POLICY own_conversations ON conversation
    USING (workspace_id = (SELECT woesid_current_tenant())
           AND customer_email = (SELECT woesid_current_email()));
CREATE POLICY own_messages ON message
    USING (conversation_id IN (SELECT id FROM conversation));

CREATE ROLE widget_app;
GRANT SELECT ON customer, conversation, message TO widget_app;
SET ROLE widget_app;

-- no identity: nothing
SELECT count(*) FROM conversation;

BEGIN;
SELECT verified FROM woesid_authenticate('wpk_hmac', hmac_payload(' Ann@Example.com '));
SELECT c.id, c.subject, m.body FROM conversation c JOIN message m ON m.conversation_id = c.id ORDER BY c.id;
COMMIT;

BEGIN;
SELECT verified FROM woesid_authenticate('wpk_hmac', hmac_payload('bob@example.com'));
SELECT c.id, c.subject, m.body FROM conversation c JOIN message m ON m.conversation_id = c.id ORDER BY c.id;
COMMIT;

-- a forgery (Bob's email under Ann's hash) sees nothing
BEGIN;
SELECT failure FROM woesid_authenticate('wpk_hmac',
    jsonb_build_object('email', 'bob@example.com', 'email_hash', hmac_payload('ann@example.com')->>'email_hash'));
SELECT count(*) FROM conversation;
COMMIT;

-- the plan evaluates the accessors once, as initplans, not per row (read
-- from the JSON plan: the text form of initplans varies with the version)
RESET ROLE;
CREATE FUNCTION plan_of(query text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb;
BEGIN
    EXECUTE 'EXPLAIN (COSTS OFF, FORMAT JSON) ' || query INTO plan;
    RETURN plan->0->'Plan';
END
$$;
SET ROLE widget_app;
SELECT p->>'Node Type' AS node, p->'Plans'->0->>'Parent Relationship' AS child,
       p->>'Filter' LIKE '%woesid_current%' AS calls_per_row
FROM plan_of('SELECT * FROM conversation') AS p;

-- a lookup gated on a verified identity, without the transaction's identity
SELECT cu.name
FROM woesid_identify('wpk_hmac', hmac_payload('ann@example.com')) AS v
JOIN customer cu ON cu.email = v.email;
SELECT count(*) AS forged_lookup
FROM woesid_identify('wpk_hmac', jsonb_build_object('email', 'bob@example.com',
        'email_hash', hmac_payload('ann@example.com')->>'email_hash')) AS v
JOIN customer cu ON cu.email = v.email;
RESET ROLE;

DROP TABLE message, conversation, customer;
DROP FUNCTION plan_of(text);
DROP OWNED BY widget_app;
DROP ROLE widget_app;
SELECT woesid_unregister_widget('wpk_hmac');
