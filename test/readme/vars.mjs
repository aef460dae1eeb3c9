#!/usr/bin/env node
// test/readme/vars.mjs: what the README's snippets assume a browser or a
// backend has sent, made fresh before each snippet from the registry as it
// stands then (a snippet may have rotated a secret).
//   node test/readme/vars.mjs OUTDIR
// Connects as the superuser (PG* environment), reads the newest active
// secret of each widget the README registers, signs with the real signers
// (jsonwebtoken, node:crypto), and writes:
//   OUTDIR/vars.psql  \set lines for the SQL snippets
//   OUTDIR/vars.env   export lines for the JavaScript snippets
// The visitor is Ann (ann@example.com, contact usr_7), as in Getting started.
//
//   psql variable     environment      what
//   secret            WIDGET_SECRET    wpk_live_abc's secret (jwt, workspace ws_acme)
//   token             WIDGET_TOKEN     a widget JWT for wpk_live_abc: iat now, 10 minutes, kid
//   body              WIDGET_BODY      the body the browser sends for it: {"jwt": token}
//   email_secret      EMAIL_SECRET     wpk_live_def's secret (hmac_email, ws_bolt)
//   email_body        EMAIL_BODY       {"email", "email_hash", "name"} for wpk_live_def
//   sk_secret         VARIABLES_SECRET wpk_live_var's secret (variables, ws_acme)
//   signed_variables  SIGNED_VARIABLES a signed-variables JWT under it (7 days),
//                                      {user_email, subscription_tier: "pro"}
//   variables_body    VARIABLES_BODY   {"signedVariables": ..., "variables":
//                                      {"subscription_tier": "enterprise"}}: the
//                                      unsigned variables claim more than the token
//   -                 NEW_SECRET       64 random hex digits, a secret made elsewhere
// A widget not registered yet gives no variables (a snippet that uses them
// then fails: psql leaves :'name' as it is).
import { createHmac, randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";

const require = createRequire(new URL("../package.json", import.meta.url));
const jwt = require("jsonwebtoken");
const { Client } = require("pg");

const outdir = process.argv[2];
const client = new Client();
await client.connect();
const { rows } = await client.query(`
	SELECT DISTINCT ON (public_key) public_key, key_id, secret
	FROM woesid.woesid_widget_secret
	WHERE not_after IS NULL OR not_after > now()
	ORDER BY public_key, created_at DESC, key_id DESC`);
await client.end();
const secretOf = Object.fromEntries(rows.map((r) => [r.public_key, r]));

const vars = {};
const env = { NEW_SECRET: randomBytes(32).toString("hex") };
const email = "ann@example.com";
const now = Math.floor(Date.now() / 1000);

const abc = secretOf.wpk_live_abc;
if (abc) {
	const token = jwt.sign({ email, name: "Ann", contact_external_id: "usr_7",
		aud: "wpk_live_abc", iat: now, exp: now + 10 * 60 },
	abc.secret, { algorithm: "HS256", keyid: abc.key_id });
	vars.secret = env.WIDGET_SECRET = abc.secret;
	vars.token = env.WIDGET_TOKEN = token;
	vars.body = env.WIDGET_BODY = JSON.stringify({ jwt: token });
}
const def = secretOf.wpk_live_def;
if (def) {
	const hash = createHmac("sha256", Buffer.from(def.secret, "hex")).update(email).digest("hex");
	vars.email_secret = env.EMAIL_SECRET = def.secret;
	vars.email_body = env.EMAIL_BODY = JSON.stringify({ email, email_hash: hash, name: "Ann" });
}
const v = secretOf.wpk_live_var;
if (v) {
	const token = jwt.sign({ user_email: email, subscription_tier: "pro" }, v.secret,
		{ expiresIn: "7d" });
	vars.sk_secret = env.VARIABLES_SECRET = v.secret;
	vars.signed_variables = env.SIGNED_VARIABLES = token;
	vars.variables_body = env.VARIABLES_BODY = JSON.stringify({ signedVariables: token,
		variables: { subscription_tier: "enterprise" } });
}

const psqlQuote = (s) => "'" + s.replaceAll("\\", "\\\\").replaceAll("'", "\\'") + "'";
const shQuote = (s) => "'" + s.replaceAll("'", "'\\''") + "'";
writeFileSync(`${outdir}/vars.psql`,
	Object.entries(vars).map(([k, s]) => `\\set ${k} ${psqlQuote(s)}\n`).join(""));
writeFileSync(`${outdir}/vars.env`,
	Object.entries(env).map(([k, s]) => `export ${k}=${shQuote(s)}\n`).join(""));
