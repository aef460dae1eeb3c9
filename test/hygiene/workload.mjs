// test/hygiene/workload.mjs: writes the hygiene workload (SQL on stdout)
// and the strings that must never reach a client message or the server log
// (JSON, to the path in argv[2]).
//   node test/hygiene/workload.mjs needles.json > workload.sql
// Every woesid function is called with known secrets and tokens, on success
// and on every failure path: bad signatures, malformed and oversized tokens,
// alg none, missing secrets, registry errors (invalid secret, duplicate key
// id, duplicate secret, unknown widget or key, invalid mode, empty tenant,
// a secret in the wrong argument), woesid_require raising, trigger misuse,
// privileges; every registry management function (register with tenant,
// add, generate, set, retire, unregister, purge; variables widgets with sk_
// secrets); the text forms of woesid_identify/authenticate fed raw JWTs and
// bodies that are not JSON.  Tokens come from jsonwebtoken, HMACs from
// node:crypto, signed as customers' backends sign (examples/signers/).  Query results never show a secret
// or token: the workload selects verdicts, reason codes, emails and key ids
// only; the secrets woesid_generate_secret returns go to files beside
// needles.json (generated-psql-*.txt), which bind.mjs adds to the needles.
//
// The cluster runs with log_min_error_statement = debug5: a statement that
// raises is logged with its text.  The management functions set it to
// panic for their own duration, so every error they raise leaves the
// calling statement out of the log, literal secrets and all; that is what
// the registry section checks.  Errors raised outside them (woesid_require,
// the trigger's misuse errors, a call refused before the function runs)
// log the statement like any other, so the sections that raise them with
// literal secrets or tokens run under SET log_min_error_statement = panic,
// and bind.mjs makes the same calls with bind parameters under debug5.
import { createHmac, randomBytes } from "node:crypto";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { newNeedles, saveNeedles, secretForms, tokenForms } from "./needles.mjs";

const require = createRequire(new URL("../package.json", import.meta.url));
const jwt = require("jsonwebtoken");

const q = (s) => (s === null ? "NULL" : "'" + String(s).replaceAll("'", "''") + "'");
const now = Math.floor(Date.now() / 1000);
const b64url = (buf) => Buffer.from(buf).toString("base64url");

// Secrets: the widget secret, a rotated second one, a binary JWK-style key,
// and malformed secrets an operator might mistype (still secret material).
const secret = randomBytes(32).toString("hex");
const secret2 = randomBytes(32).toString("hex");
const binaryKey = randomBytes(48);
const badShort = randomBytes(32).toString("hex").slice(0, 63);
const badChar = randomBytes(32).toString("hex").slice(0, 62) + "zz";
const swapped = randomBytes(32).toString("hex");	// passed in the mode argument
const secret3 = randomBytes(32).toString("hex");	// passed in other wrong places
// signed-variables widgets: sk_ secrets (any string of 32+ bytes)
const varSecret = "sk_" + randomBytes(32).toString("hex");
const varSecret2 = "sk_" + randomBytes(32).toString("hex");
const varShort = "sk_" + randomBytes(14).toString("hex");	// 31 bytes: too short
const aud = "wpk_hyg_jwt";
const generatedFile = (n) => join(dirname(process.argv[2]), `generated-psql-${n}.txt`);

const sign = (claims, key = secret, options = {}) =>
  jwt.sign({ aud, iat: now, exp: now + 600, ...claims }, key, { algorithm: "HS256", ...options });
const emailHash = (email, key = secret) =>
  createHmac("sha256", Buffer.from(key, "hex")).update(email.trim().toLowerCase()).digest("hex");

const tokens = {
  valid: sign({ email: "ann@example.com", contact_external_id: "c1" }),
  kid2: sign({ email: "kid@example.com" }, secret2, { keyid: "k2" }),
  unknownKid: sign({ email: "kid@example.com" }, secret, { keyid: "k9" }),
  badSignature: sign({ email: "boss@example.com" }, randomBytes(32).toString("hex")),
  expired: sign({ email: "old@example.com", iat: now - 7200, exp: now - 3600 }),
  longLived: sign({ email: "long@example.com", exp: now + 86400 }),
  wrongAudience: sign({ email: "a@example.com", aud: "wpk_other" }),
  noEmail: sign({ name: "nobody" }),
  binary: sign({ email: "bin@example.com" }, binaryKey),
  variables: jwt.sign({ user_email: "Var@Example.com", tier: "gold" }, secret, { algorithm: "HS256", expiresIn: "7d" }),
  variablesBinary: jwt.sign({ user_email: "vb@example.com" }, binaryKey, { algorithm: "HS256", expiresIn: "1d" }),
  oversized: sign({ email: "big@example.com", pad: "x".repeat(9000) }),
  algNone: b64url('{"alg":"none","typ":"JWT"}') + "." + b64url(JSON.stringify({ email: "boss@example.com", aud, iat: now, exp: now + 600 })) + ".",
  crit: (() => {
    const input = b64url('{"alg":"HS256","crit":["exp"]}') + "." + b64url(JSON.stringify({ email: "boss@example.com", aud, iat: now, exp: now + 600 }));
    return input + "." + createHmac("sha256", secret).update(input).digest("base64url");
  })(),
};
// a signed-variables widget's token (the sk_ secret's string bytes are the key)
tokens.varWidget = jwt.sign({ user_email: "Var@Example.com", tier: "gold" }, varSecret, { algorithm: "HS256", expiresIn: "7d" });
tokens.tampered = tokens.valid.replace(/\.(.)/, (m, c) => "." + (c === "e" ? "f" : "e"));
tokens.malformed = tokens.valid.replace(/\./g, "..");
tokens.padded = tokens.valid + "==";

const payloads = {
  valid: JSON.stringify({ email: " Visitor@Example.COM ", email_hash: emailHash(" Visitor@Example.COM "), name: "V" }),
  second: JSON.stringify({ email: "second@example.com", email_hash: emailHash("second@example.com", secret2) }),
  forged: JSON.stringify({ email: "boss@example.com", email_hash: emailHash("visitor@example.com") }),
  malformedHash: JSON.stringify({ email: "a@example.com", email_hash: emailHash("a@example.com").slice(1) + "g" }),
  noHash: JSON.stringify({ email: "a@example.com" }),
  notJson: "{\"email\": \"a@example.com\", \"email_hash\": \"" + emailHash("a@example.com") + "\"",
};

const sql = [];
const add = (s) => sql.push(s);
add(`\\set VERBOSITY verbose
\\set SHOW_CONTEXT always
SET client_min_messages = debug1;
CREATE EXTENSION woesid;
CREATE ROLE hyg_app LOGIN;
CREATE ROLE hyg_ops LOGIN;
GRANT EXECUTE ON FUNCTION woesid_register_widget(text, text, text, text) TO hyg_ops;
-- positive control: an erroring statement is logged (debug5)
SELECT 1 / 0 AS hyg_statement_is_logged;`);

// The pure verifiers with literal secrets and tokens: woesid_require raises
// in the caller's statement, which PostgreSQL logs at debug5 (and at the
// default, error): only under panic here; bind.mjs repeats it with bind
// parameters under debug5.
add(`SET log_min_error_statement = panic;`);

const v = (expr) => `SELECT coalesce((c).failure, 'ok ' || (c).email) AS outcome FROM (SELECT ${expr} AS c) AS t;`;
// pure verifiers, every overload, every outcome
for (const [name, t] of Object.entries(tokens)) {
  add(v(`woesid_verify_jwt(${q(t)}, ${q(secret)}, ${q(aud)})`) + ` -- ${name}`);
  add(v(`woesid_verify_jwt(${q(t)}, ${q(secret)}, ${q(aud)}, now())`));
  add(v(`woesid_verify_jwt(${q(t)}, decode(${q(secret)}, 'hex'), ${q(aud)})`));
  add(v(`woesid_verify_variables(${q(t)}, ${q(secret)})`));
  add(`SELECT (woesid_require(woesid_verify_jwt(${q(t)}, ${q(secret)}, ${q(aud)}))).email;`);
}
add(v(`woesid_verify_jwt(${q(tokens.binary)}, decode(${q(binaryKey.toString("hex"))}, 'hex'), ${q(aud)}, now())`));
add(v(`woesid_verify_variables(${q(tokens.variablesBinary)}, decode(${q(binaryKey.toString("hex"))}, 'hex'))`));
add(v(`woesid_verify_variables(${q(tokens.variablesBinary)}, decode(${q(binaryKey.toString("hex"))}, 'hex'), now())`));
add(v(`woesid_verify_variables(${q(tokens.variables)}, ${q(secret)}, now())`));
add(v(`woesid_verify_jwt(${q(tokens.valid)}, NULL::text, ${q(aud)})`));
add(v(`woesid_verify_jwt(${q(tokens.valid)}, '', ${q(aud)})`));
add(v(`woesid_verify_jwt(${q(tokens.valid)}, ${q(secret)}, NULL)`));
add(v(`woesid_verify_jwt(NULL, ${q(secret)}, ${q(aud)})`));
add(v(`woesid_verify_jwt(${q(tokens.valid)}, ${q(secret)}, ${q(aud)}, NULL)`));
add(`SELECT woesid_trusted(woesid_verify_variables(${q(tokens.variables)}, ${q(secret)}), 'tier');`);
add(`SELECT woesid_trusted(woesid_verify_variables(${q(tokens.variables)}, ${q(secret2)}), 'tier');`);
add(`SELECT woesid_require(NULL);`);
for (const [name, p] of Object.entries(payloads)) {
  add(v(`woesid_hmac_email(${q(p)}, decode(${q(secret)}, 'hex'))`) + ` -- ${name}`);
  add(`SELECT (woesid_require(woesid_hmac_email(${q(p)}, decode(${q(secret)}, 'hex')))).email;`);
}
add(v(`woesid_hmac_email(${q(payloads.valid)}, NULL)`));
add(v(`woesid_hmac_email(${q(payloads.valid)}, ''::bytea)`));
add(`SELECT woesid_email_hash('a@example.com', decode(${q(secret)}, 'hex')) = ${q(emailHash("a@example.com"))} AS hash_matches;`);
add(`SELECT woesid_email_hash('a@example.com', ''::bytea);`);
add(`SELECT woesid_normalize_email(' İSTANBUL@Example.COM ');`);
add(`RESET log_min_error_statement;`);

// registry: success and every error
add(`SELECT woesid_register_widget('wpk_hyg_jwt', 'jwt', ${q(secret)}, 'tenant-jwt') IS NOT NULL AS registered;
SELECT woesid_add_secret('wpk_hyg_jwt', ${q(secret2)}, 'k2');
SELECT woesid_register_widget('wpk_hyg_hmac', 'hmac_email', ${q(secret)}) IS NOT NULL AS registered;
SELECT woesid_add_secret('wpk_hyg_hmac', ${q(secret2)}, 'h2');
SELECT woesid_register_widget('wpk_hyg_off', 'off');
SELECT woesid_register_widget('wpk_hyg_empty', 'jwt');
SELECT woesid_add_secret('wpk_hyg_jwt', ${q(secret)}, 'k2');
SELECT woesid_add_secret('wpk_hyg_jwt', ${q(badShort)});
SELECT woesid_add_secret('wpk_hyg_jwt', ${q(badChar)}, 'k3');
SELECT woesid_add_secret('wpk_hyg_nope', ${q(secret)});
SELECT woesid_add_secret('wpk_hyg_jwt', NULL);
SELECT woesid_add_secret('wpk_hyg_jwt', ${q(secret)}, '');
SELECT woesid_register_widget('wpk_hyg_bad', 'jwt', ${q(badShort)});
SELECT woesid_register_widget('wpk_hyg_jwt', 'jwt', ${q(secret)});
SELECT woesid_register_widget('wpk_hyg_mode', 'hmac', ${q(secret)});
SELECT woesid_register_widget('${"w".repeat(130)}', 'jwt', ${q(secret)});
SELECT woesid_retire_secret('wpk_hyg_jwt', 'k404');
-- an operator who passes the secret to retire instead of its key id
SELECT woesid_retire_secret('wpk_hyg_jwt', ${q(secret2)});
SELECT woesid_retire_secret('wpk_hyg_hmac', 'h2', now() + interval '1 hour');`);
// 0.2.0 management: every function, on success and on every failure path,
// with literal secrets, under log_min_error_statement = debug5
add(`SELECT woesid_register_widget('wpk_hyg_var', 'variables', ${q(varSecret)}, 'tenant-var') IS NOT NULL AS registered;
SELECT woesid_add_secret('wpk_hyg_var', ${q(varSecret2)}, 'v2');
-- widget exists, with and without a secret
SELECT woesid_register_widget('wpk_hyg_var', 'variables', ${q(varSecret)});
SELECT woesid_register_widget('wpk_hyg_var', 'variables');
-- invalid secrets: a variables secret under 32 bytes; hex ones for other modes
SELECT woesid_add_secret('wpk_hyg_var', ${q(varShort)});
SELECT woesid_register_widget('wpk_hyg_var2', 'variables', ${q(varShort)});
SELECT woesid_add_secret('wpk_hyg_jwt', ${q(varSecret)});
-- duplicate secrets: the same string, hex in another case, one whose
-- retirement is still ahead (a retired one: below)
SELECT woesid_add_secret('wpk_hyg_var', ${q(varSecret)}, 'v3');
SELECT woesid_add_secret('wpk_hyg_jwt', ${q(secret2.toUpperCase())}, 'k4');
SELECT woesid_add_secret('wpk_hyg_hmac', ${q(secret2)}, 'h3');
-- duplicate key id
SELECT woesid_add_secret('wpk_hyg_var', ${q(varSecret2)}, 'v2');
-- the secret in the wrong argument: public key, key id (so the secret
-- argument holds 'k7'), mode
SELECT woesid_add_secret(${q(secret3)}, 'wpk_hyg_jwt');
SELECT woesid_add_secret('wpk_hyg_jwt', 'k7', ${q(secret3)});
SELECT woesid_register_widget('wpk_hyg_swapped2', ${q(secret3)}, 'jwt', 'tenant');
SELECT woesid_set_widget('wpk_hyg_jwt', ${q(secret3)});
SELECT woesid_retire_secret(${q(secret3)}, 'k2');
SELECT woesid_unregister_widget(${q(secret3)});
SELECT woesid_purge_secrets(${q(secret3)});
SELECT key_id FROM woesid_generate_secret(${q(secret3)});
-- bad mode, empty tenant, unknown widget
SELECT woesid_register_widget('wpk_hyg_mode2', 'JWT', ${q(secret3)}, 'tenant');
SELECT woesid_register_widget('wpk_hyg_tenant', 'jwt', ${q(secret3)}, '');
SELECT woesid_set_widget('wpk_hyg_jwt', 'signed');
SELECT woesid_set_widget('wpk_hyg_jwt', NULL, '');
SELECT woesid_set_widget('wpk_hyg_nope', 'jwt', 'tenant');
SELECT woesid_retire_secret('wpk_hyg_nope', 'k2');
SELECT woesid_unregister_widget('wpk_hyg_nope');
SELECT key_id FROM woesid_generate_secret('wpk_hyg_nope');
-- a mode the widget's sk_ secrets cannot serve
SELECT woesid_set_widget('wpk_hyg_var', 'jwt');
-- server-made secrets (returned into files, never shown)
SELECT secret FROM woesid_generate_secret('wpk_hyg_jwt', 'g1') \\g '${generatedFile(1)}'
SELECT secret FROM woesid_generate_secret('wpk_hyg_var') \\g '${generatedFile(2)}'
SELECT secret FROM woesid_generate_secret('wpk_hyg_hmac', 'hg') \\g '${generatedFile(3)}'
SELECT key_id FROM woesid_generate_secret('wpk_hyg_jwt', 'g1');
-- success paths
SELECT woesid_set_widget('wpk_hyg_jwt', NULL, 'tenant-jwt-2');
SELECT woesid_set_widget('wpk_hyg_hmac', 'hmac_email', 'tenant-hmac');
SELECT woesid_set_widget('wpk_hyg_var', 'variables');
SELECT woesid_retire_secret('wpk_hyg_var', 'v2');
SELECT woesid_add_secret('wpk_hyg_var', ${q(varSecret2)}, 'v4');
SELECT woesid_purge_secrets('wpk_hyg_var', now() + interval '1 day');
SELECT woesid_purge_secrets();
SELECT woesid_register_widget('wpk_hyg_gone', 'hmac_email', ${q(secret3)}, 'tenant-gone') IS NOT NULL AS registered;
SELECT woesid_unregister_widget('wpk_hyg_gone');
SELECT woesid_unregister_widget('wpk_hyg_gone');
SELECT public_key, mode, tenant, key_id, active FROM woesid_widget_keys ORDER BY public_key, key_id;`);
// identify and authenticate through the registry
const ident = (key, payload) => v(`woesid_identify(${q(key)}, ${payload === null ? "NULL" : q(payload) + "::jsonb"})`);
for (const t of Object.values(tokens)) add(ident("wpk_hyg_jwt", JSON.stringify({ jwt: t, name: "x" })));
for (const p of Object.values(payloads).slice(0, 5)) add(ident("wpk_hyg_hmac", p));
add(ident("wpk_hyg_jwt", null));
add(ident("wpk_hyg_jwt", "{}"));
add(ident("wpk_hyg_off", payloads.valid));
add(ident("wpk_hyg_empty", JSON.stringify({ jwt: tokens.valid })));
add(ident("wpk_hyg_unknown", JSON.stringify({ jwt: tokens.valid })));
// the text forms (an untyped literal resolves to them): raw JWTs and bodies
// that are not JSON are malformed, never an error
const identText = (key, payload) => v(`woesid_identify(${q(key)}, ${q(payload)})`);
const jwtBody = JSON.stringify({ jwt: tokens.valid });
for (const t of Object.values(tokens)) add(identText("wpk_hyg_jwt", t));
add(identText("wpk_hyg_jwt", jwtBody));
add(identText("wpk_hyg_jwt", "jwt=" + tokens.valid));
add(identText("wpk_hyg_jwt", `{"jwt":"${tokens.valid}","jwt":"${tokens.kid2}"}`));
add(identText("wpk_hyg_jwt", "\uFEFF" + jwtBody));
add(identText("wpk_hyg_jwt", jwtBody + " trailing"));
add(identText("wpk_hyg_jwt", jwtBody.slice(0, -2)));
add(identText("wpk_hyg_jwt", "[".repeat(40) + JSON.stringify(tokens.valid) + "]".repeat(40)));
add(identText("wpk_hyg_jwt", JSON.stringify({ jwt: tokens.oversized })));
add(identText("wpk_hyg_hmac", payloads.notJson));
add(identText("wpk_hyg_hmac", payloads.valid));
add(identText("wpk_hyg_hmac", jwtBody));
add(identText("wpk_hyg_var", tokens.varWidget));
add(identText("wpk_hyg_var", JSON.stringify({ signedVariables: tokens.varWidget, variables: { tier: "platinum" } })));
add(identText("wpk_hyg_var", JSON.stringify({ signedVariables: tokens.variables })));
add(identText("wpk_hyg_var", "signedVariables=" + tokens.varWidget));
add(`SELECT (woesid_authenticate('wpk_hyg_jwt', ${q(tokens.valid)})).failure;
SELECT (woesid_authenticate('wpk_hyg_jwt', ${q("jwt=" + tokens.valid)})).failure;
SELECT (woesid_authenticate('wpk_hyg_var', ${q(JSON.stringify({ signedVariables: tokens.varWidget }))})).verified;
BEGIN;
SELECT (woesid_authenticate('wpk_hyg_jwt', ${q(jwtBody)})).verified;
SELECT woesid_current_email(), woesid_current_widget(), woesid_current_tenant();
SELECT (woesid_authenticate('wpk_hyg_jwt', ${q(tokens.badSignature)})).failure;
SELECT woesid_current_email(), (woesid_current()).failure;
COMMIT;`);
add(`BEGIN;
SELECT (woesid_authenticate('wpk_hyg_hmac', ${q(payloads.valid)})).verified;
SELECT woesid_current_email(), woesid_current_contact_id(), woesid_current_account_id(), (woesid_current()).mode;
SELECT (woesid_require(woesid_current())).email;
SELECT (woesid_authenticate('wpk_hyg_jwt', ${q(JSON.stringify({ jwt: tokens.badSignature }))})).failure;
SELECT (woesid_require(woesid_current())).email;
ROLLBACK;
SELECT (woesid_authenticate('wpk_hyg_jwt', ${q(JSON.stringify({ jwt: tokens.valid }))})).verified;`);
// the identify trigger: proper use and every misuse (the misuse errors are
// the trigger's, raised in statements that hold literal tokens: panic)
add(`SET log_min_error_statement = panic;
CREATE TABLE hyg_event (widget text, payload jsonb, result woesid_claims, note text);
CREATE TRIGGER verify BEFORE INSERT OR UPDATE ON hyg_event FOR EACH ROW
    EXECUTE FUNCTION woesid_identify_trigger(widget, payload, result);
INSERT INTO hyg_event (widget, payload) VALUES
    ('wpk_hyg_jwt', ${q(JSON.stringify({ jwt: tokens.valid }))}),
    ('wpk_hyg_jwt', ${q(JSON.stringify({ jwt: tokens.badSignature }))}),
    ('wpk_hyg_hmac', ${q(payloads.valid)}),
    ('wpk_hyg_hmac', ${q(payloads.forged)});
SELECT coalesce((result).failure, 'ok ' || (result).email) FROM hyg_event;
UPDATE hyg_event SET payload = ${q(JSON.stringify({ jwt: tokens.expired }))} WHERE widget = 'wpk_hyg_jwt';
CREATE TABLE hyg_bad (widget text, payload jsonb, result woesid_claims, other text, note int);
CREATE TRIGGER t1 AFTER INSERT ON hyg_bad FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger(widget, payload, result);
INSERT INTO hyg_bad (widget, payload) VALUES ('wpk_hyg_jwt', ${q(JSON.stringify({ jwt: tokens.valid }))});
DROP TRIGGER t1 ON hyg_bad;
CREATE TRIGGER t2 BEFORE INSERT ON hyg_bad FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger(widget, payload);
INSERT INTO hyg_bad (widget, payload) VALUES ('wpk_hyg_jwt', ${q(JSON.stringify({ jwt: tokens.valid }))});
DROP TRIGGER t2 ON hyg_bad;
CREATE TRIGGER t3 BEFORE INSERT ON hyg_bad FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger(widget, missing, result);
INSERT INTO hyg_bad (widget, payload) VALUES ('wpk_hyg_jwt', ${q(JSON.stringify({ jwt: tokens.valid }))});
DROP TRIGGER t3 ON hyg_bad;
CREATE TRIGGER t4 BEFORE INSERT ON hyg_bad FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger(widget, payload, other);
INSERT INTO hyg_bad (widget, payload) VALUES ('wpk_hyg_jwt', ${q(JSON.stringify({ jwt: tokens.valid }))});
DROP TRIGGER t4 ON hyg_bad;
CREATE TRIGGER t5 BEFORE INSERT ON hyg_bad FOR EACH ROW EXECUTE FUNCTION woesid_identify_trigger(note, payload, result);
INSERT INTO hyg_bad (widget, payload) VALUES ('wpk_hyg_jwt', ${q(JSON.stringify({ jwt: tokens.valid }))});
DROP TRIGGER t5 ON hyg_bad;
RESET log_min_error_statement;
SELECT woesid_registry_changed();`);
// settings, and what other roles may not do
add(`SET woesid.clock_skew = '1min';
SET woesid.max_token_bytes = 64;
${v(`woesid_verify_jwt(${q(tokens.valid)}, ${q(secret)}, ${q(aud)})`)}
RESET woesid.max_token_bytes;
SET woesid.clock_skew = 'forever';
SET ROLE hyg_app;
SET woesid.clock_skew = '1h';
SELECT count(*) FROM woesid_widget_secret;
SELECT count(*) FROM woesid_widget_keys;
-- (woesid_add_secret refused to this role: bind.mjs, with the secret as a
-- bind parameter; a literal one would be logged with the statement)
${ident("wpk_hyg_jwt", JSON.stringify({ jwt: tokens.valid }))}
RESET ROLE;
SET ROLE hyg_ops;
SELECT woesid_register_widget('wpk_hyg_ops', 'jwt', ${q(secret)}) IS NOT NULL AS registered;
SELECT woesid_register_widget('wpk_hyg_swapped', ${q(swapped)}, 'jwt');
RESET ROLE;
CREATE DATABASE hyg_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\\c hyg_latin1
\\set VERBOSITY verbose
CREATE EXTENSION woesid;`);

process.stdout.write(sql.join("\n") + "\n");

// What must never show up, as text (matched case-insensitively) or raw bytes.
const needles = newNeedles();
const { text, bytes } = needles;
secretForms(needles, "secret", secret);
secretForms(needles, "secret2", secret2);
secretForms(needles, "mistyped secret (63 digits)", badShort);
secretForms(needles, "mistyped secret (non-hex)", badChar);
secretForms(needles, "secret passed as mode", swapped);
secretForms(needles, "secret passed in wrong arguments", secret3);
secretForms(needles, "variables secret", varSecret);
secretForms(needles, "variables secret 2", varSecret2);
secretForms(needles, "short variables secret", varShort);
text.push(["binary key (hex)", binaryKey.toString("hex")], ["binary key (base64url)", binaryKey.toString("base64url")],
  ["binary key (base64)", binaryKey.toString("base64")]);
bytes.push(["binary key, raw bytes", binaryKey.toString("hex")]);
for (const [name, t] of Object.entries(tokens)) tokenForms(needles, name, t);
for (const [name, p] of Object.entries(payloads)) {
  const m = /"email_hash":"([0-9a-fg]{64})"/.exec(p);
  if (m) text.push([`email_hash of payload ${name}`, m[1]]);
}
saveNeedles(process.argv[2], needles);
