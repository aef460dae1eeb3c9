// test/hygiene/workload.mjs: writes the hygiene workload (SQL on stdout)
// and the strings that must never reach a client message or the server log
// (JSON, to the path in argv[2]).
//   node test/hygiene/workload.mjs needles.json > workload.sql
// Every woesid function is called with known secrets and tokens, on success
// and on every failure path: bad signatures, malformed and oversized tokens,
// alg none, missing secrets, registry errors (invalid secret, duplicate key
// id, unknown widget or key, invalid mode), woesid_require raising, trigger
// misuse, privileges.  Tokens come from jsonwebtoken, HMACs from node:crypto,
// signed as SPEC.md shows.  Query results never show a secret or token: the
// workload selects verdicts, reason codes and emails only.
import { createHmac, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";

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
const aud = "wpk_hyg_jwt";

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
GRANT EXECUTE ON FUNCTION woesid_register_widget(text, text, text) TO hyg_ops;`);

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

// registry: success and every error
add(`SELECT woesid_register_widget('wpk_hyg_jwt', 'jwt', ${q(secret)}) IS NOT NULL AS registered;
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
// identify and authenticate through the registry
const ident = (key, payload) => v(`woesid_identify(${q(key)}, ${payload === null ? "NULL" : q(payload) + "::jsonb"})`);
for (const t of Object.values(tokens)) add(ident("wpk_hyg_jwt", JSON.stringify({ jwt: t, name: "x" })));
for (const p of Object.values(payloads).slice(0, 5)) add(ident("wpk_hyg_hmac", p));
add(ident("wpk_hyg_jwt", null));
add(ident("wpk_hyg_jwt", "{}"));
add(ident("wpk_hyg_off", payloads.valid));
add(ident("wpk_hyg_empty", JSON.stringify({ jwt: tokens.valid })));
add(ident("wpk_hyg_unknown", JSON.stringify({ jwt: tokens.valid })));
add(`BEGIN;
SELECT (woesid_authenticate('wpk_hyg_hmac', ${q(payloads.valid)})).verified;
SELECT woesid_current_email(), woesid_current_contact_id(), woesid_current_account_id(), (woesid_current()).mode;
SELECT (woesid_require(woesid_current())).email;
SELECT (woesid_authenticate('wpk_hyg_jwt', ${q(JSON.stringify({ jwt: tokens.badSignature }))})).failure;
SELECT (woesid_require(woesid_current())).email;
ROLLBACK;
SELECT (woesid_authenticate('wpk_hyg_jwt', ${q(JSON.stringify({ jwt: tokens.valid }))})).verified;`);
// the identify trigger: proper use and every misuse
add(`CREATE TABLE hyg_event (widget text, payload jsonb, result woesid_claims, note text);
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
SELECT woesid_add_secret('wpk_hyg_jwt', ${q(secret)});
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
const text = [];
const bytes = [];
const secretForms = (label, s) => {
  const raw = Buffer.from(s, "utf8");
  text.push([`${label} (hex string)`, s], [`${label} (first 16)`, s.slice(0, 16)], [`${label} (last 16)`, s.slice(-16)],
    [`${label} as JWT key, base64`, raw.toString("base64")], [`${label} as JWT key, base64url`, raw.toString("base64url")]);
  if (/^([0-9a-f]{2})+$/i.test(s)) {
    const dec = Buffer.from(s, "hex");
    text.push([`${label} decoded, base64`, dec.toString("base64")], [`${label} decoded, base64url`, dec.toString("base64url")]);
    bytes.push([`${label} decoded, raw bytes`, dec.toString("hex")]);
  }
};
secretForms("secret", secret);
secretForms("secret2", secret2);
secretForms("mistyped secret (63 digits)", badShort);
secretForms("mistyped secret (non-hex)", badChar);
secretForms("secret passed as mode", swapped);
text.push(["binary key (hex)", binaryKey.toString("hex")], ["binary key (base64url)", binaryKey.toString("base64url")],
  ["binary key (base64)", binaryKey.toString("base64")]);
bytes.push(["binary key, raw bytes", binaryKey.toString("hex")]);
for (const [name, t] of Object.entries(tokens)) {
  text.push([`token ${name}`, t]);
  const sig = t.split(".")[2];
  if (sig && sig.length >= 40) text.push([`token ${name}, signature`, sig]);
}
for (const [name, p] of Object.entries(payloads)) {
  const m = /"email_hash":"([0-9a-fg]{64})"/.exec(p);
  if (m) text.push([`email_hash of payload ${name}`, m[1]]);
}
writeFileSync(process.argv[2], JSON.stringify({ text, bytes }, null, 1));
