-- A worked application: customers, conversations and messages that a
-- visitor may read only as the identity woesid verified, through RLS
-- policies written the recommended way.
CREATE TABLE customer (
    email   text PRIMARY KEY,
    name    text NOT NULL
);
CREATE TABLE conversation (
    id              int PRIMARY KEY,
    customer_email  text NOT NULL REFERENCES customer,
    subject         text NOT NULL
);
CREATE TABLE message (
    conversation_id int NOT NULL REFERENCES conversation,
    body            text NOT NULL
);
INSERT INTO customer VALUES ('ann@example.com', 'Ann'), ('bob@example.com', 'Bob');
INSERT INTO conversation VALUES (1, 'ann@example.com', 'Invoice'), (2, 'ann@example.com', 'Login'),
                                (3, 'bob@example.com', 'Refund');
INSERT INTO message VALUES (1, 'Where is my invoice?'), (2, 'I cannot log in'), (3, 'Refund me');

ALTER TABLE conversation ENABLE ROW LEVEL SECURITY;
ALTER TABLE message ENABLE ROW LEVEL SECURITY;
-- (SELECT ...) makes the accessor one initplan per statement
CREATE POLICY own_conversations ON conversation
    USING (customer_email = (SELECT woesid_current_email()));
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

-- the plan evaluates the accessor once, as an initplan
EXPLAIN (COSTS OFF) SELECT * FROM conversation;

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
DROP OWNED BY widget_app;
DROP ROLE widget_app;
