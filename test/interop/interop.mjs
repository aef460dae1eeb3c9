// interop.mjs: tokens and hashes made at test time by the real signers
// customers' backends use (the npm package jsonwebtoken, node:crypto), signed
// exactly as SPEC.md's snippets do, verified by the installed extension.
//   JWT key  = the 64-hex secret string itself (its UTF-8 bytes)
//   HMAC key = the same secret, hex-decoded
import { createHmac, randomBytes } from "node:crypto";
import jwt from "jsonwebtoken";
import { psql, sqlString, tally } from "./psql.mjs";

const t = tally("interop");
const secret = randomBytes(32).toString("hex");
const audience = "wpk_live_" + randomBytes(6).toString("hex");
const now = Math.floor(Date.now() / 1000);

function widgetToken(user, overrides = {}, options = {}) {
  return jwt.sign({
    email: user.email.trim().toLowerCase(), name: user.name,
    account_external_id: user.account, contact_external_id: user.id,
    aud: audience, iat: now, exp: now + 10 * 60, ...overrides,
  }, options.key ?? secret, { algorithm: "HS256", ...options.sign });
}

const emailHash = (email, key = secret) =>
  createHmac("sha256", Buffer.from(key, "hex")).update(email.trim().toLowerCase()).digest("hex");

// Each case: a SQL expression and the text psql must print for it.
const cases = [];
const expect = (what, sql, want) => cases.push({ what, sql, want });
const verify = (token, aud = audience, key = sqlString(secret)) =>
  `woesid_verify_jwt(${sqlString(token)}, ${key}, ${sqlString(aud)})`;

const ann = { email: "  Ann.Lee@Example.COM ", name: "Ann", account: "acc_42", id: "usr_7" };
const annToken = widgetToken(ann);
expect("widget JWT verifies", `(${verify(annToken)}).verified`, "true");
expect("normalized email", `(${verify(annToken)}).email`, "ann.lee@example.com");
expect("ids", `(SELECT contact_external_id || ' ' || account_external_id FROM ${verify(annToken)})`, "usr_7 acc_42");
expect("claims round trip", `(${verify(annToken)}).claims->>'name'`, "Ann");
expect("issued_at", `extract(epoch FROM (${verify(annToken)}).issued_at)::bigint`, String(now));
expect("numeric ids", `(SELECT contact_external_id || ' ' || account_external_id FROM ${verify(widgetToken({ ...ann, id: 1234567, account: 99 }))})`, "1234567 99");
expect("kid", `(${verify(widgetToken(ann, {}, { sign: { keyid: "2026-11" } }))}).key_id`, "2026-11");
expect("audience option", `(${verify(widgetToken(ann, { aud: undefined }, { sign: { audience: ["other", audience] } }))}).verified`, "true");
expect("wrong audience", `(${verify(annToken, audience + "x")}).failure`, "audience_mismatch");
expect("wrong secret", `(${verify(annToken, audience, sqlString(randomBytes(32).toString("hex")))}).failure`, "bad_signature");
expect("hex-decoded key is not the JWT key", `(${verify(annToken, audience, `decode(${sqlString(secret)}, 'hex')`)}).failure`, "bad_signature");
expect("HS384", `(${verify(widgetToken(ann, {}, { sign: { algorithm: "HS384" } }))}).failure`, "unsupported_algorithm");
expect("HS512", `(${verify(widgetToken(ann, {}, { sign: { algorithm: "HS512" } }))}).failure`, "unsupported_algorithm");
expect("expired", `(${verify(widgetToken(ann, { iat: now - 3600, exp: now - 3000 }))}).failure`, "expired");
expect("too long", `(${verify(widgetToken(ann, { exp: now + 3600 }))}).failure`, "lifetime_exceeded");
expect("future iat", `(${verify(widgetToken(ann, { iat: now + 600, exp: now + 900 }))}).failure`, "not_yet_valid");
expect("no timestamps", `(${verify(jwt.sign({ email: "a@b.c", aud: audience }, secret, { algorithm: "HS256", noTimestamp: true }))}).failure`, "missing_claim");
expect("tampered payload", `(${verify(annToken.replace(/\.([^.]+)\./, (m, p) => "." + p.slice(0, -2) + (p.at(-2) === "A" ? "B" : "A") + p.at(-1) + "."))}).failure`, "bad_signature");
expect("at form", `(woesid_verify_jwt(${sqlString(annToken)}, ${sqlString(secret)}, ${sqlString(audience)}, to_timestamp(${now + 700}))).failure`, "expired");
// keys that are not text: a JWK's k, base64url-decoded
const binaryKey = randomBytes(48);
expect("bytea key", `(${verify(widgetToken(ann, {}, { key: binaryKey }), audience, `decode(${sqlString(binaryKey.toString("hex"))}, 'hex')`)}).verified`, "true");

// signed variables: expiresIn '7d', iat and exp present, no aud
const variables = jwt.sign({ user_email: "Bob@Example.com", subscription_tier: "gold" }, secret,
  { algorithm: "HS256", expiresIn: "7d" });
expect("variables verify", `(woesid_verify_variables(${sqlString(variables)}, ${sqlString(secret)})).email`, "bob@example.com");
expect("trusted variable", `woesid_trusted(woesid_verify_variables(${sqlString(variables)}, ${sqlString(secret)}), 'subscription_tier')`, "gold");
expect("variables with 30d", `(woesid_verify_variables(${sqlString(jwt.sign({ a: 1 }, secret, { algorithm: "HS256", expiresIn: "30d" }))}, ${sqlString(secret)})).failure`, "lifetime_exceeded");

// hmac_email: node:crypto as a backend does it, many emails incl. Unicode
const pick = (s) => s[Math.floor(Math.random() * s.length)];
const alphabet = [..."abcXYZ019.+_-", "İ", "Σ", "ß", "Ω", "K", "ǅ", "Ⅻ", "𐐀", "é", "Å", "\u00a0", "\u3000"];
for (let i = 0; i < 300; i++) {
  const email = " " + Array.from({ length: 1 + (i % 17) }, () => pick(alphabet)).join("") + "@Example.COM ";
  const hash = emailHash(email);
  const payload = JSON.stringify({ email, email_hash: hash, name: "N" + i });
  expect(`email_hash ${i}`, `woesid_email_hash(${sqlString(email)}, decode(${sqlString(secret)}, 'hex'))`, hash);
  expect(`hmac_email ${i}`, `(woesid_hmac_email(${sqlString(payload)}, decode(${sqlString(secret)}, 'hex'))).email`,
    email.trim().toLowerCase());
}
const forged = JSON.stringify({ email: "boss@example.com", email_hash: emailHash("ann@example.com") });
expect("forged hmac_email", `(woesid_hmac_email(${sqlString(forged)}, decode(${sqlString(secret)}, 'hex'))).failure`, "bad_signature");

// many independent tokens in one query: every row verifies
const many = Array.from({ length: 500 }, (_, i) =>
  widgetToken({ email: `user${i}@example.com`, name: "U", account: "a", id: String(i) }));
expect("500 tokens in one scan",
  `(SELECT count(*) FILTER (WHERE (woesid_verify_jwt(tok, ${sqlString(secret)}, ${sqlString(audience)})).email = 'user' || ord - 1 || '@example.com')
    FROM unnest(ARRAY[${many.map(sqlString).join(",")}]) WITH ORDINALITY AS u(tok, ord))`, "500");

const out = psql("SET client_min_messages = warning;\n" +
  cases.map((c) => `SELECT coalesce((${c.sql})::text, '<NULL>');`).join("\n"));
cases.forEach((c, i) => t.check(out[i] === c.want, `${c.what}: got ${JSON.stringify(out[i])}, want ${JSON.stringify(c.want)}`));
t.done();
