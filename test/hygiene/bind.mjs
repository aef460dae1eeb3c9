// test/hygiene/bind.mjs: the hygiene workload's bind-parameter half.
//   node test/hygiene/bind.mjs needles.json needles-all.json client-bind.out results [generated-psql-*.txt...]
// Connects with node-postgres (PG* environment: the suite's cluster, as the
// bootstrap superuser) and makes every registry management call, on
// success and on every failure path, with the secrets as bind parameters
// (client.query(text, values): the extended protocol, the statement text
// holds only $n), under the cluster's log_min_error_statement = debug5 and
// log_parameter_max_length_on_error = 0: woesid_register_widget (with
// tenant), woesid_add_secret, woesid_generate_secret, woesid_set_widget,
// woesid_retire_secret, woesid_unregister_widget, woesid_purge_secrets,
// signed-variables widgets with sk_ secrets; the failures: widget exists,
// duplicate key id, duplicate secret, unknown widget, invalid secret, a
// secret in the wrong argument, bad mode, empty tenant, and the calls a
// role without the grants is refused (raised before the function runs, so
// the statement is logged: as "$1, $2", never the values).  Then the text
// forms of woesid_identify/authenticate fed raw JWTs and bodies that are
// not JSON, and woesid_require raising, also with bind parameters.  The
// secrets woesid_generate_secret returns are checked (64 lower-case hex,
// sk_ + 64 for variables widgets), used to sign tokens that must verify,
// and added to the needles, as are the ones the psql workload wrote to the
// generated-psql-*.txt files.
// Writes: needles-all.json (needles.json plus this run's secrets and
// tokens), client-bind.out (every message the client received: each
// error's and notice's fields, and query results, never a secret), results
// (one line "PASS what" or "FAIL what: got ..." per checked call).
import { createHmac, randomBytes } from "node:crypto";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadNeedles, saveNeedles, secretForms, tokenForms } from "./needles.mjs";

// node-postgres from test/hygiene/node_modules, jsonwebtoken from test/
const require = createRequire(import.meta.url);
const pg = require("pg");
const jwt = require("jsonwebtoken");

const [needlesIn, needlesOut, clientOut, resultsOut, ...generatedFiles] = process.argv.slice(2);
const needles = loadNeedles(needlesIn);
writeFileSync(clientOut, "");
writeFileSync(resultsOut, "");
const out = (line) => appendFileSync(clientOut, line + "\n");
const result = (ok, what, got) =>
  appendFileSync(resultsOut, ok ? `PASS ${what}\n` : `FAIL ${what}: got ${got}\n`);

const hex = () => randomBytes(32).toString("hex");
const sec = {
  b1: hex(),
  b2: hex(),
  b3: hex(),
  badShort: hex().slice(0, 63),
  badChar: hex().slice(0, 62) + "zz",
  asMode: hex(),
  var1: "sk_" + hex(),
  varShort: "sk_" + randomBytes(14).toString("hex"),
};
for (const [name, s] of Object.entries(sec)) secretForms(needles, `bind secret ${name}`, s);

// The secrets the psql workload had woesid_generate_secret return into files.
let psqlGenerated = 0;
for (const f of generatedFiles.filter((f) => existsSync(f))) {
  for (const m of readFileSync(f, "utf8").matchAll(/\b(?:sk_)?[0-9a-f]{64}\b/g)) {
    secretForms(needles, `generated secret (psql, ${f.replace(/.*\//, "")})`, m[0]);
    psqlGenerated++;
  }
}
result(psqlGenerated === generatedFiles.length, `the psql workload's ${generatedFiles.length} generated secrets were captured`,
  psqlGenerated);

const client = new pg.Client();
const fields = (m) => JSON.stringify(Object.fromEntries(
  ["severity", "code", "message", "detail", "hint", "position", "internalPosition", "internalQuery", "where",
    "schema", "table", "column", "dataType", "constraint", "file", "line", "routine"]
    .filter((k) => m[k] !== undefined).map((k) => [k, m[k]])));
client.on("notice", (n) => out(`NOTICE ${fields(n)}`));

// call(what, text, values, expect): expect is "ok", a SQLSTATE, or a
// function of the rows.  Rows are shown unless show is false.
async function call(what, text, values, expect, show = true) {
  try {
    const r = await client.query(text, values);
    out(`${what}: ${show ? JSON.stringify(r.rows) : `(${r.rowCount} rows not shown)`}`);
    const ok = typeof expect === "function" ? expect(r.rows) : expect === "ok";
    result(ok, what, typeof expect === "function" ? JSON.stringify(r.rows) : "success");
    return r.rows;
  } catch (e) {
    out(`${what}: ERROR ${fields(e)}`);
    result(e.code !== undefined && e.code === expect, what, `ERROR ${e.code}`);
    return null;
  }
}

const outcome = (expected) => (rows) => rows.length === 1 && rows[0].outcome === expected;
const verdict = (expr) => `SELECT coalesce((c).failure, 'ok ' || (c).email) AS outcome FROM (SELECT ${expr} AS c) AS t`;
const now = Math.floor(Date.now() / 1000);

await client.connect();
out(`connected: log_min_error_statement = ${(await client.query("SHOW log_min_error_statement")).rows[0].log_min_error_statement}`);
const reg = "SELECT woesid_register_widget($1, $2, $3, $4) IS NOT NULL AS registered";
const add = "SELECT woesid_add_secret($1, $2, $3) AS key_id";
const add2 = "SELECT woesid_add_secret($1, $2) AS key_id";

// --- register (with tenant)
await call("register jwt widget", reg, ["wpk_hygb_jwt", "jwt", sec.b1, "tenant-b"], "ok");
await call("register hmac_email widget", reg, ["wpk_hygb_hmac", "hmac_email", sec.b1, "tenant-b"], "ok");
await call("register variables widget (sk_ secret)", reg, ["wpk_hygb_var", "variables", sec.var1, "tenant-v"], "ok");
await call("register an off widget without secret", reg, ["wpk_hygb_off", "off", null, null], "ok");
await call("register: widget exists", reg, ["wpk_hygb_jwt", "jwt", sec.b2, null], "23505");
await call("register: secret in the mode argument", reg, ["wpk_hygb_x", sec.asMode, "jwt", null], "22023");
await call("register: bad mode", reg, ["wpk_hygb_x", "JWT", sec.b2, null], "22023");
await call("register: empty tenant", reg, ["wpk_hygb_x", "jwt", sec.b2, ""], "22023");
await call("register: invalid secret (63 digits)", reg, ["wpk_hygb_x", "jwt", sec.badShort, null], "22023");
await call("register: invalid variables secret (31 bytes)", reg, ["wpk_hygb_x", "variables", sec.varShort, null], "22023");

// --- add
await call("add secret b2", add, ["wpk_hygb_jwt", sec.b2, "b2"], "ok");
await call("add: duplicate secret (upper case)", add, ["wpk_hygb_jwt", sec.b2.toUpperCase(), "b3"], "23505");
await call("add: duplicate secret (the registered one)", add2, ["wpk_hygb_hmac", sec.b1], "23505");
await call("add: duplicate key id", add, ["wpk_hygb_jwt", sec.b3, "b2"], "23505");
await call("add: invalid secret (63 digits)", add, ["wpk_hygb_jwt", sec.badShort, "b3"], "22023");
await call("add: invalid secret (non-hex)", add, ["wpk_hygb_jwt", sec.badChar, "b3"], "22023");
await call("add: sk_ secret to a jwt widget", add2, ["wpk_hygb_jwt", sec.var1], "22023");
await call("add: unknown widget", add2, ["wpk_hygb_nope", sec.b3], "P0002");
await call("add: secret in the public key argument", add2, [sec.b3, "wpk_hygb_jwt"], "P0002");
await call("add: secret in the key id argument", add, ["wpk_hygb_jwt", "b9", sec.b3], "22023");
await call("add: empty key id", add, ["wpk_hygb_jwt", sec.b3, ""], "22023");
await call("add: variables secret too short", add2, ["wpk_hygb_var", sec.varShort], "22023");
await call("add: duplicate variables secret", add, ["wpk_hygb_var", sec.var1, "v9"], "23505");

// --- generate: the secrets come back, are recorded, never shown
const generated = {};
const gen = async (what, key, keyId, format) => {
  const rows = await call(what, "SELECT key_id, secret FROM woesid_generate_secret($1, $2)", [key, keyId],
    (r) => r.length === 1 && format.test(r[0].secret), false);
  if (rows && rows.length === 1 && typeof rows[0].secret === "string") {
    secretForms(needles, `generated secret (${what})`, rows[0].secret);
    return rows[0];
  }
  return null;
};
generated.jwt = await gen("generate for the jwt widget (64 lower-case hex)", "wpk_hygb_jwt", "g1", /^[0-9a-f]{64}$/);
generated.hmac = await gen("generate for the hmac_email widget (64 lower-case hex)", "wpk_hygb_hmac", null, /^[0-9a-f]{64}$/);
generated.var = await gen("generate for the variables widget (sk_ + 64 lower-case hex)", "wpk_hygb_var", "vg", /^sk_[0-9a-f]{64}$/);
await call("generate: duplicate key id", "SELECT key_id FROM woesid_generate_secret($1, $2)", ["wpk_hygb_jwt", "g1"], "23505");
await call("generate: unknown widget", "SELECT key_id FROM woesid_generate_secret($1)", ["wpk_hygb_nope"], "P0002");
await call("generate: secret in the public key argument", "SELECT key_id FROM woesid_generate_secret($1)", [sec.b3], "P0002");

// --- set
const set = "SELECT woesid_set_widget($1, $2, $3)";
await call("set tenant", set, ["wpk_hygb_jwt", null, "tenant-b2"], "ok");
await call("set mode and tenant", set, ["wpk_hygb_off", "hmac_email", "tenant-o"], "ok");
await call("set: secret in the mode argument", set, ["wpk_hygb_jwt", sec.b3, null], "22023");
await call("set: bad mode", set, ["wpk_hygb_jwt", "signed", null], "22023");
await call("set: empty tenant", set, ["wpk_hygb_jwt", null, ""], "22023");
await call("set: unknown widget", set, ["wpk_hygb_nope", "jwt", null], "P0002");
await call("set: secret in the public key argument", set, [sec.b3, "jwt", null], "P0002");
await call("set: a mode the sk_ secrets cannot serve", set, ["wpk_hygb_var", "jwt", null], "55000");

// --- verification with the stored and generated secrets, text forms
const sign = (claims, key, kid) => jwt.sign({ aud: "wpk_hygb_jwt", iat: now, exp: now + 600, ...claims }, key,
  { algorithm: "HS256", ...(kid ? { keyid: kid } : {}) });
const tokens = {
  b1: sign({ email: "b1@example.com" }, sec.b1),
  b2: sign({ email: "b2@example.com" }, sec.b2, "b2"),
  generated: generated.jwt ? sign({ email: "gen@example.com" }, generated.jwt.secret, "g1") : "",
  forged: sign({ email: "boss@example.com" }, hex()),
  var1: jwt.sign({ user_email: "v1@example.com", tier: "gold" }, sec.var1, { algorithm: "HS256", expiresIn: "7d" }),
  varGenerated: generated.var ? jwt.sign({ user_email: "vg@example.com" }, generated.var.secret, { algorithm: "HS256", expiresIn: "1d" }) : "",
};
tokens.oversized = sign({ email: "big@example.com", pad: "x".repeat(9000) }, sec.b1);
for (const [name, t] of Object.entries(tokens)) if (t) tokenForms(needles, `bind-${name}`, t);
const emailHash = (email, key) => createHmac("sha256", Buffer.from(key, "hex")).update(email).digest("hex");
const hmacBody = generated.hmac ? JSON.stringify({ email: "hg@example.com", email_hash: emailHash("hg@example.com", generated.hmac.secret) }) : "";
needles.text.push(["email_hash (bind, generated secret)", hmacBody ? JSON.parse(hmacBody).email_hash : "-"]);

const identify = verdict("woesid_identify($1, $2)");
const body = (t) => JSON.stringify({ jwt: t });
await call("identify (text): secret b1", identify, ["wpk_hygb_jwt", body(tokens.b1)], outcome("ok b1@example.com"));
await call("identify (text): secret b2 by kid", identify, ["wpk_hygb_jwt", body(tokens.b2)], outcome("ok b2@example.com"));
await call("identify (text): generated secret verifies", identify, ["wpk_hygb_jwt", body(tokens.generated)], outcome("ok gen@example.com"));
await call("identify (jsonb): generated secret verifies", verdict("woesid_identify($1, $2::jsonb)"),
  ["wpk_hygb_jwt", body(tokens.generated)], outcome("ok gen@example.com"));
await call("identify (text): generated hmac_email secret verifies", identify, ["wpk_hygb_hmac", hmacBody], outcome("ok hg@example.com"));
await call("identify (text): sk_ secret verifies", identify,
  ["wpk_hygb_var", JSON.stringify({ signedVariables: tokens.var1, variables: { tier: "platinum" } })], outcome("ok v1@example.com"));
await call("identify (text): generated sk_ secret verifies", identify,
  ["wpk_hygb_var", JSON.stringify({ signedVariables: tokens.varGenerated })], outcome("ok vg@example.com"));
await call("identify (text): forged", identify, ["wpk_hygb_jwt", body(tokens.forged)], outcome("bad_signature"));
await call("identify (text): raw JWT", identify, ["wpk_hygb_jwt", tokens.b1], outcome("malformed"));
await call("identify (text): raw variables JWT", identify, ["wpk_hygb_var", tokens.var1], outcome("malformed"));
await call("identify (text): form-encoded body", identify, ["wpk_hygb_jwt", "jwt=" + tokens.b1], outcome("malformed"));
await call("identify (text): duplicate members", identify,
  ["wpk_hygb_jwt", `{"jwt":"${tokens.forged}","jwt":"${tokens.b1}"}`], outcome("malformed"));
await call("identify (text): BOM", identify, ["wpk_hygb_jwt", "\uFEFF" + body(tokens.b1)], outcome("malformed"));
await call("identify (text): trailing data", identify, ["wpk_hygb_jwt", body(tokens.b1) + "}"], outcome("malformed"));
await call("identify (text): truncated", identify, ["wpk_hygb_jwt", body(tokens.b1).slice(0, -3)], outcome("malformed"));
await call("identify (text): oversized", identify, ["wpk_hygb_jwt", body(tokens.oversized)], outcome("malformed"));
await call("identify (text): hmac body to a jwt widget", identify, ["wpk_hygb_jwt", hmacBody], outcome("wrong_mode"));
await call("authenticate (text): raw JWT", verdict("woesid_authenticate($1, $2)"), ["wpk_hygb_jwt", tokens.b1], outcome("malformed"));
await call("begin", "BEGIN", [], "ok");
await call("authenticate (text): generated secret", verdict("woesid_authenticate($1, $2)"),
  ["wpk_hygb_jwt", body(tokens.generated)], outcome("ok gen@example.com"));
await call("the transaction's identity", "SELECT woesid_current_email() AS email, woesid_current_widget() AS widget, woesid_current_tenant() AS tenant",
  [], (r) => r[0].email === "gen@example.com" && r[0].widget === "wpk_hygb_jwt" && r[0].tenant === "tenant-b2");
await call("commit", "COMMIT", [], "ok");
// woesid_require raising: the statement is logged (debug5) with $n only
await call("woesid_require raises on a forged token", "SELECT (woesid_require(woesid_verify_jwt($1, $2, $3))).email",
  [tokens.forged, sec.b1, "wpk_hygb_jwt"], "28000");
await call("woesid_require raises on a raw JWT body", "SELECT (woesid_require(woesid_identify($1, $2))).email",
  ["wpk_hygb_jwt", tokens.b1], "28000");

// --- retire, purge, unregister
const retire = "SELECT woesid_retire_secret($1, $2)";
await call("retire b2", retire, ["wpk_hygb_jwt", "b2"], "ok");
await call("identify (text): retired kid", identify, ["wpk_hygb_jwt", body(tokens.b2)], outcome("unknown_key"));
await call("retire: secret in the key id argument", retire, ["wpk_hygb_jwt", sec.b2], "P0002");
await call("retire: unknown widget", retire, ["wpk_hygb_nope", "b2"], "P0002");
await call("retire: secret in the public key argument", retire, [sec.b3, "b2"], "P0002");
const purge = "SELECT woesid_purge_secrets($1, $2) AS purged";
await call("purge the jwt widget's retired secret", purge, ["wpk_hygb_jwt", new Date(Date.now() + 86400e3).toISOString()],
  (r) => r[0].purged === 1);
await call("purge: secret in the public key argument", "SELECT woesid_purge_secrets($1) AS purged", [sec.b3], (r) => r[0].purged === 0);
await call("purge every widget (default age)", "SELECT woesid_purge_secrets() AS purged", [], "ok");
const unregister = "SELECT woesid_unregister_widget($1)";
await call("unregister", unregister, ["wpk_hygb_hmac"], "ok");
await call("unregister: unknown widget", unregister, ["wpk_hygb_hmac"], "P0002");
await call("unregister: secret in the public key argument", unregister, [sec.b3], "P0002");

// --- refused before the function runs: logged as "$1, $2", never the values
await call("set role hyg_app", "SET ROLE hyg_app", [], "ok");
await call("refused: add", add2, ["wpk_hygb_jwt", sec.b3], "42501");
await call("refused: register", reg, ["wpk_hygb_app", "jwt", sec.b3, null], "42501");
await call("refused: generate", "SELECT key_id FROM woesid_generate_secret($1)", ["wpk_hygb_jwt"], "42501");
await call("refused: set", set, ["wpk_hygb_jwt", "off", null], "42501");
await call("refused: retire", retire, ["wpk_hygb_jwt", "g1"], "42501");
await call("refused: unregister", unregister, ["wpk_hygb_jwt"], "42501");
await call("refused: purge", "SELECT woesid_purge_secrets($1)", ["wpk_hygb_jwt"], "42501");
await call("refused: the keys view", "SELECT count(*) FROM woesid_widget_keys", [], "42501");
await call("identify (text) as hyg_app", identify, ["wpk_hygb_jwt", body(tokens.generated)], outcome("ok gen@example.com"));
await call("reset role", "RESET ROLE", [], "ok");
await call("the registry without secrets", "SELECT public_key, mode, tenant, key_id, active FROM woesid_widget_keys WHERE public_key LIKE 'wpk_hygb%' ORDER BY 1, 4",
  [], (r) => r.length >= 5);
await client.end();

saveNeedles(needlesOut, needles);
