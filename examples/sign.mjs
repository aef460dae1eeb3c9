// examples/sign.mjs: what a customer's backend does, with the real signers.
// Prints the worked example's inputs as psql \set lines.  Claims and secret
// are fixed so the example's output is the same on every run.
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";

const require = createRequire(new URL("../test/package.json", import.meta.url));
const jwt = require("jsonwebtoken");

const secret = "8f3c1a9e5b7d2f4061c8e3a5b9d7f1e2c4a6b8d0e2f4a6c8e0b2d4f6a8c0e2f4";
const iat = 1795000000; // 2026-11-18T11:06:40Z
const user = { email: " Ann.Lee@Example.COM ", name: "Ann Lee", id: "usr_7" };

// jwt mode: key = the secret string itself
const token = jwt.sign({ email: user.email.trim().toLowerCase(), name: user.name,
  account_external_id: "acc_42", contact_external_id: user.id,
  aud: "wpk_live_demo", iat, exp: iat + 10 * 60 }, secret, { algorithm: "HS256" });

// hmac_email mode: key = the secret's hex-decoded bytes
const email = user.email.trim().toLowerCase();
const emailHash = createHmac("sha256", Buffer.from(secret, "hex")).update(email).digest("hex");

const q = (s) => "'" + s.replaceAll("'", "''") + "'";
console.log(`\\set secret ${q(secret)}`);
console.log(`\\set token ${q(token)}`);
console.log(`\\set payload ${q(JSON.stringify({ email: user.email, email_hash: emailHash, name: user.name }))}`);
console.log(`\\set forged ${q(JSON.stringify({ email: "boss@example.com", email_hash: emailHash, name: "Not the boss" }))}`);
