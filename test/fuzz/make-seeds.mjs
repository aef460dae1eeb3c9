// make-seeds.mjs: regenerates the seed corpora in test/fuzz/corpus/, one
// directory per harness, deterministically (fixed secret, fixed iat/exp, no
// randomness), so the committed files can be rebuilt byte for byte:
//   node test/fuzz/make-seeds.mjs [harness...]
// (no argument: every harness).
// Tokens come from the npm package jsonwebtoken (test/node_modules), signed
// as customers' backends sign (examples/signers/) with the harnesses' secret
// (its UTF-8 bytes for JWTs, its hex-decoded bytes for hmac_email); hostile
// inputs mirror test/sql/hostile.sql.  Each seed starts with the flag byte
// its harness reads (see the header comment of each fuzz_*.c).
import { createHmac } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import jwt from "jsonwebtoken";

const SECRET = "8c2f6a1de4b7309f5a6c1e2d3b4f5061728394a5b6c7d8e9f001122334455667";
const AUD = "wpk_test";
const IAT = 1700000000;     // the harnesses' "now" is IAT + 100
const EXP = IAT + 600;
const root = join(dirname(fileURLToPath(import.meta.url)), "corpus");

// Flag bytes: fuzz_jwt bit 0 = variables rules, bit 1 = build and sign;
// fuzz_hmac_email bit 0 = build from an email, bit 1 = upper-case hex.
const WIDGET = 0, VARIABLES = 1, BUILD = 2;
const RAW_PAYLOAD = 0, BUILD_EMAIL = 1, UPPER_HEX = 2;
// fuzz_jwt's four (position low, position high, xor) flips for built tokens.
const FLIPS = Buffer.from([5, 0, 1, 48, 0, 32, 255, 255, 128, 64, 1, 4]);

const corpora = {};
function seed(harness, name, ...parts) {
  (corpora[harness] ??= []).push([name, Buffer.concat(parts.map(toBuffer))]);
}
function toBuffer(part) {
  if (typeof part === "number") return Buffer.from([part]);
  return Buffer.isBuffer(part) ? part : Buffer.from(part, "utf8");
}

const b64url = (bytes) => toBuffer(bytes).toString("base64url");
const mac = (input, key = SECRET) => createHmac("sha256", key).update(input).digest("base64url");
// A compact JWS over raw header and payload bytes, correctly signed.
function jws(header, payload, key = SECRET) {
  const input = b64url(header) + "." + b64url(payload);
  return input + "." + mac(input, key);
}
const claims = (extra = {}) => JSON.stringify({
  email: "a@example.com", aud: AUD, iat: IAT, exp: EXP, ...extra,
});
const HDR = '{"alg":"HS256","typ":"JWT"}';

// fuzz_jwt: tokens from jsonwebtoken, under the rules they are meant for.
const widget = (payload, options = {}) =>
  jwt.sign({ aud: AUD, iat: IAT, exp: EXP, ...payload }, SECRET, { algorithm: "HS256", ...options });
const variables = (payload) =>
  jwt.sign({ iat: IAT, ...payload }, SECRET, { algorithm: "HS256", expiresIn: "7d" });
const user = {
  email: "ann.lee@example.com", name: "Ann",
  account_external_id: "acc_42", contact_external_id: "usr_7",
};
const good = {
  "widget": widget(user),
  "widget-kid": widget(user, { keyid: "2026-11" }),
  "widget-aud-array-int-ids": widget({ ...user, aud: ["other", AUD], account_external_id: 99, contact_external_id: 1234567 }),
  "widget-nbf": widget(user, { notBefore: 0 }),
  "widget-unicode-email": widget({ ...user, email: "  \u0130STANBUL.\u03a3@Example.COM " }),
  "widget-expired": widget({ ...user, iat: IAT - 10000, exp: EXP - 10000 }),
  "widget-no-email": widget({ name: "Ann" }),
};
const vars = {
  "variables": variables({ user_email: "Ann@Example.com", subscription_tier: "gold" }),
  "variables-email": variables({ email: "b@example.com", plan: { seats: 5, tags: ["a", "b"] } }),
};
for (const [name, token] of Object.entries(good)) seed("fuzz_jwt", name, WIDGET, token);
for (const [name, token] of Object.entries(vars)) seed("fuzz_jwt", name, VARIABLES, token);

// The same headers and payloads for the harness to encode and sign itself.
const decoded = (token) => token.split(".").slice(0, 2).map((s) => Buffer.from(s, "base64url"));
for (const [name, token] of Object.entries(good)) {
  const [header, payload] = decoded(token);
  seed("fuzz_jwt", "built-" + name, WIDGET | BUILD, FLIPS, header, Buffer.from([0]), payload);
}
for (const [name, token] of Object.entries(vars))
  seed("fuzz_jwt", "built-" + name, VARIABLES | BUILD, FLIPS, decoded(token)[1]);

// Hostile JSON, as header/payload pairs (built) and as signed tokens (raw).
const invalidUtf8 = (bytes) => Buffer.concat([
  Buffer.from(claims().slice(0, -1) + ',"name":"'), Buffer.from(bytes), Buffer.from('"}'),
]);
const hostile = {
  "alg-none": ['{"alg":"none"}', claims()],
  "alg-lower": ['{"alg":"hs256"}', claims()],
  "alg-escaped": ['{"alg":"HS\\u0032\\u0035\\u0036"}', claims()],
  "crit": ['{"alg":"HS256","crit":["exp"]}', claims()],
  "typ-lower-jwt": ['{"alg":"HS256","typ":"jwt","kid":"k1","jku":"https://evil/"}', claims()],
  "duplicate-header": ['{"alg":"HS256","\\u0061lg":"none"}', claims()],
  "duplicate-claim": [HDR, claims().slice(0, -1) + ',"email":"b@example.com"}'],
  "escaped-nul": [HDR, claims({ name: "A\u0000B" })],
  "lone-surrogate": [HDR, claims().slice(0, -1) + ',"name":"\\ud800"}'],
  "deep-33": [HDR, claims().slice(0, -1) + ',"n":' + "[".repeat(32) + "]".repeat(32) + "}"],
  "deep-32": [HDR, claims().slice(0, -1) + ',"n":' + "[".repeat(31) + "]".repeat(31) + "}"],
  "overlong-utf8": [HDR, invalidUtf8([0xc0, 0xaf])],
  "encoded-surrogate": [HDR, invalidUtf8([0xed, 0xa0, 0x80])],
  "bom": ["\ufeff" + HDR, claims()],
  "trailing-comma": [HDR, claims() + ","],
  "exp-1e400": [HDR, claims({ exp: 1 }).replace('"exp":1', '"exp":1e400')],
  "exp-fraction": [HDR, claims({ exp: EXP + 0.5, nbf: IAT })],
  "array-payload": [HDR, "[1]"],
  "aud-mixed-array": [HDR, claims({ aud: [AUD, 1] })],
  "lifetime-8d": [HDR, claims({ exp: IAT + 8 * 86400 })],
};
for (const [name, [header, payload]] of Object.entries(hostile)) {
  seed("fuzz_jwt", "hostile-" + name, WIDGET, jws(header, payload));
  seed("fuzz_jwt", "built-hostile-" + name, WIDGET | BUILD, FLIPS, header, Buffer.from([0]), payload);
}

// Hostile structure: segments, padding, alphabet, trailing bits, size.
const t = good.widget;
const [h, p, s] = t.split(".");
const nonCanonical = b64url('{"alg":"HS256" }').slice(0, -1) + "R";
const standard = b64url('{"alg":"HS256","x":"~~~~~~???"}').replace(/-/g, "+").replace(/_/g, "/");
const structural = {
  "none-unsigned": b64url('{"alg":"none"}') + "." + b64url(claims()) + ".",
  "two-segments": h + "." + p,
  "four-segments": t + ".",
  "dots": "..",
  "padded-signature": t + "=",
  "padded-header": h + "==." + p + "." + s,
  "trailing-newline": t + "\n",
  "non-canonical-bits": nonCanonical + "." + p + "." + mac(nonCanonical + "." + p),
  "standard-alphabet": standard + "." + p + "." + mac(standard + "." + p),
  "short-signature": h + "." + p + "." + b64url(Buffer.from([0])),
  "length-1-mod-4": t + "AA",
  "bad-payload-unsigned": h + ".!!!!." + s,
  "wrong-secret": jws(HDR, claims(), "another workspace's secret"),
  "oversized": jws(HDR, claims({ pad: "x".repeat(6200) })),
};
for (const [name, token] of Object.entries(structural))
  seed("fuzz_jwt", "hostile-" + name, WIDGET, token);

// fuzz_hmac_email: payloads a backend and a browser send, then hostile ones.
const hexKey = Buffer.from(SECRET, "hex");
const emailHash = (email) =>
  createHmac("sha256", hexKey).update(email.trim().toLowerCase()).digest("hex");
const identify = (email, extra = {}) => JSON.stringify({ email, email_hash: emailHash(email), ...extra });
const payloads = {
  "valid": identify("ann@example.com"),
  "valid-metadata": identify("  Ann.Lee@Example.COM ", { name: "Ann", company: "ACME", id: 7 }),
  "valid-unicode": identify("\u0130stanbul.\u03a3@Example.com"),
  "upper-hex": JSON.stringify({ email: "ann@example.com", email_hash: emailHash("ann@example.com").toUpperCase() }),
  "wrong-hash": JSON.stringify({ email: "ann@example.com", email_hash: emailHash("bob@example.com") }),
  "no-hash": JSON.stringify({ email: "ann@example.com" }),
  "short-hash": JSON.stringify({ email: "ann@example.com", email_hash: emailHash("x").slice(1) }),
  "email-number": JSON.stringify({ email: 1, email_hash: emailHash("1") }),
  "no-email": JSON.stringify({ email_hash: emailHash("") }),
  "blank-email": identify(" \t\u3000"),
  "duplicate-email": identify("ann@example.com").slice(0, -1) + ',"\\u0065mail":"bob@example.com"}',
  "escaped-nul": identify("a\u0000@example.com"),
  "deep-33": identify("ann@example.com").slice(0, -1) + ',"n":' + "[".repeat(32) + "]".repeat(32) + "}",
  "array": "[" + identify("ann@example.com") + "]",
  "trailing-data": identify("ann@example.com") + "x",
  "bom": "\ufeff" + identify("ann@example.com"),
};
for (const [name, payload] of Object.entries(payloads))
  seed("fuzz_hmac_email", name, RAW_PAYLOAD, payload);
seed("fuzz_hmac_email", "invalid-utf8", RAW_PAYLOAD,
  '{"email":"a', Buffer.from([0xff, 0xc0, 0xaf]), '@b.c","email_hash":"' + emailHash("a@b.c") + '"}');
const emails = {
  "ascii": "  Ann.Lee@Example.COM ",
  "dotted-i": " \u0130stanbul@example.com",
  "sigma": "\u0391\u03a3@example.com",
  "js-whitespace": "\u2028\ufeffa@b.c\u00a0\u3000",
  "quotes-controls": 'a"\\\u0001\u001f@b.c',
  "blank": " \t\n",
};
for (const [name, email] of Object.entries(emails))
  seed("fuzz_hmac_email", "built-" + name, BUILD_EMAIL, email);
seed("fuzz_hmac_email", "built-upper-hex", BUILD_EMAIL | UPPER_HEX, "Bob@Example.com");
seed("fuzz_hmac_email", "built-invalid-utf8", BUILD_EMAIL, Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x40, 0x62]));
seed("fuzz_hmac_email", "built-nul", BUILD_EMAIL, Buffer.from("a\u0000@b.c"));

// fuzz_payload: identify payloads, each after a byte naming the widget mode
// (woesid_mode order); TIGHT makes the size limit one byte short of it.
const OFF = 0, JWT = 1, HMAC_EMAIL = 2, VARIABLES_MODE = 3, TIGHT = 4;
const OTHER_SECRET = "another workspace's secret, 32 bytes or more";  // fuzz_util.h
const otherHash = (email) => createHmac("sha256", OTHER_SECRET).update(email).digest("hex");
const signedVariables = vars.variables;
const jwtPayloads = {
  "valid": JSON.stringify({ jwt: good.widget, name: "Ann" }),
  "valid-kid": JSON.stringify({ jwt: good["widget-kid"] }),
  "valid-escaped": '{"j\\u0077t":"' + good.widget.replace(".", "\\u002e") + '"}',
  "valid-with-email-hash": JSON.stringify({ jwt: good.widget, email_hash: emailHash("ann@example.com") }),
  "expired": JSON.stringify({ jwt: good["widget-expired"] }),
  "no-email": JSON.stringify({ jwt: good["widget-no-email"] }),
  "other-secret": JSON.stringify({ jwt: jws(HDR, claims(), OTHER_SECRET) }),
  "alg-none": JSON.stringify({ jwt: structural["none-unsigned"] }),
  "not-a-token": JSON.stringify({ jwt: "x.y.z" }),
  "wrong-mode-hmac": identify("ann@example.com"),
  "wrong-mode-variables": JSON.stringify({ signedVariables: signedVariables, variables: { tier: "gold" } }),
  "missing-empty-object": "{}",
  "missing-empty-token": JSON.stringify({ jwt: "" }),
  "missing-number": JSON.stringify({ jwt: 5, email_hash: "h" }),
  "missing-email-only": JSON.stringify({ email: "ann@example.com" }),
  "missing-nested": JSON.stringify({ data: { jwt: good.widget } }),
  "malformed-array": "[" + JSON.stringify({ jwt: good.widget }) + "]",
  "malformed-duplicate": '{"jwt":"x.y.z","\\u006awt":"' + good.widget + '"}',
  "malformed-bom": "\ufeff" + JSON.stringify({ jwt: good.widget }),
  "malformed-trailing": JSON.stringify({ jwt: good.widget }) + "x",
};
const hmacPayloads = {
  "valid": payloads.valid,
  "valid-metadata": payloads["valid-metadata"],
  "valid-upper-hex": payloads["upper-hex"],
  "other-secret": JSON.stringify({ email: "ann@example.com", email_hash: otherHash("ann@example.com") }),
  "wrong-hash": payloads["wrong-hash"],
  "bad-hash": payloads["short-hash"],
  "email-number": payloads["email-number"],
  "no-email": payloads["no-email"],
  "blank-email": payloads["blank-email"],
  "wrong-mode-jwt": JSON.stringify({ jwt: good.widget }),
  "wrong-mode-variables": JSON.stringify({ email: "ann@example.com", signedVariables: signedVariables }),
  "missing": payloads["no-hash"],
  "missing-empty-object": "{}",
  "malformed-array": payloads.array,
  "malformed-duplicate": payloads["duplicate-email"],
  "malformed-trailing": payloads["trailing-data"],
};
const variablesPayloads = {
  "valid": JSON.stringify({ signedVariables: signedVariables, variables: { subscription_tier: "gold" } }),
  "valid-email": JSON.stringify({ signedVariables: vars["variables-email"], variables: {} }),
  "valid-with-jwt": JSON.stringify({ signedVariables: signedVariables, jwt: good.widget }),
  "other-secret": JSON.stringify({ signedVariables: jws(HDR, JSON.stringify({ iat: IAT, exp: EXP }), OTHER_SECRET) }),
  "lifetime-8d": JSON.stringify({ signedVariables: jws(HDR, JSON.stringify({ iat: IAT, exp: IAT + 8 * 86400 })) }),
  "wrong-mode-jwt": JSON.stringify({ jwt: good.widget, variables: {} }),
  "wrong-mode-hmac": identify("ann@example.com"),
  "missing-variables-only": JSON.stringify({ variables: { signedVariables: signedVariables } }),
  "missing-object": JSON.stringify({ signedVariables: { token: signedVariables } }),
  "missing-empty": JSON.stringify({ signedVariables: "" }),
  "malformed-not-json": "signedVariables=" + signedVariables,
  "malformed-deep-33": '{"signedVariables":"x.y.z","variables":' + "[".repeat(32) + "]".repeat(32) + "}",
};
const offPayloads = {
  "metadata": JSON.stringify({ name: "Ann", company: "ACME", id: 7 }),
  "with-jwt": JSON.stringify({ jwt: good.widget }),
  "empty-object": "{}",
  "empty": "",
  "malformed": "name=Ann",
};
for (const [mode, name, table] of [[JWT, "jwt", jwtPayloads], [HMAC_EMAIL, "hmac-email", hmacPayloads],
  [VARIABLES_MODE, "variables", variablesPayloads], [OFF, "off", offPayloads]])
  for (const [what, payload] of Object.entries(table)) seed("fuzz_payload", name + "-" + what, mode, payload);
// As dense in JSON nodes as can be, so the payload's parse needs the most
// of its arena bound.
const dense = (payload) => payload.slice(0, -1) + ',"d":[' + Array(1000).fill(0).join(",") + "]}";
seed("fuzz_payload", "jwt-dense", JWT, dense(jwtPayloads.valid));
seed("fuzz_payload", "hmac-email-dense", HMAC_EMAIL, dense(hmacPayloads.valid));
seed("fuzz_payload", "variables-dense", VARIABLES_MODE, dense(variablesPayloads.valid));
seed("fuzz_payload", "off-dense", OFF, dense(offPayloads.metadata));
seed("fuzz_payload", "jwt-too-long", JWT | TIGHT, jwtPayloads.valid);
seed("fuzz_payload", "hmac-email-too-long", HMAC_EMAIL | TIGHT, hmacPayloads.valid);
seed("fuzz_payload", "variables-too-long", VARIABLES_MODE | TIGHT, variablesPayloads.valid);
seed("fuzz_payload", "off-too-long", OFF | TIGHT, offPayloads.metadata);

// fuzz_json: JSON texts, no flag byte.
const texts = {
  "header": HDR,
  "claims": JSON.stringify({ ...user, aud: [AUD], iat: IAT, exp: EXP, nbf: IAT, meta: { a: [true, false, null] } }),
  "numbers": "[0,-0,1e400,-1E-400,0.1e1,-1.5e+308,123456789012345678901234567890,2.2250738585072011e-308,1e1000]",
  "number-exponent-1001": "[1e1001]",
  "number-beyond-numeric": "[1e131072, 0.0001e131075, 0e-16384]",
  "number-leading-zero": "[01]",
  "escapes": '["\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00","plain \u00e9\u20ac\ud83d\ude00"]',
  "lone-surrogate": '["\\udc00\\ud800"]',
  "escaped-nul": '["a\\u0000"]',
  "deep-32": "[".repeat(32) + "]".repeat(32),
  "deep-33": "[".repeat(33) + "]".repeat(33),
  "deep-objects-33": '{"a":'.repeat(33) + "1" + "}".repeat(33),
  "many-members": JSON.stringify(Object.fromEntries(Array.from({ length: 12 }, (_, i) => ["k" + i, i]))),
  "many-members-duplicate": '{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k\\u0030":9}',
  "duplicate-escaped": '{"alg":1,"\\u0061lg":2}',
  "bom": "\ufeff{}",
  "trailing-comma": "[1,]",
  "trailing-data": "{} x",
  "whitespace": " \t\r\n{ \"a\" : [ 1 , \"b\" ] } \n",
  "bad-literal": "[tru]",
  "empty-key": '{"":""}',
};
for (const [name, text] of Object.entries(texts)) seed("fuzz_json", name, text);
seed("fuzz_json", "invalid-utf8", '["', Buffer.from([0xf4, 0x90, 0x80, 0x80]), '"]');
seed("fuzz_json", "raw-control", '["a', Buffer.from([0x0a]), '"]');

// fuzz_base64url: segments, canonical and not; the payload is long enough
// for the 16-character SIMD blocks.
const segments = {
  "empty": "",
  "one-byte": "QQ",
  "one-byte-noncanonical": "QR",
  "two-bytes": "QUI",
  "two-bytes-noncanonical": "QUJ",
  "three-bytes": "QUJD",
  "header": h,
  "payload": p,
  "payload-bad-byte-in-block": p.slice(0, 20) + "." + p.slice(21),
  "signature": s,
  "padded": "QQ==",
  "standard-alphabet": "a+/b",
  "length-1-mod-4": "AAAAA",
  "whitespace": "QU JD",
  "nul": Buffer.from("QU\u0000D"),
  "high-bytes": Buffer.from([0xc3, 0xa9, 0xff, 0x80]),
};
for (const [name, segment] of Object.entries(segments)) seed("fuzz_base64url", name, segment);

// fuzz_email_normalize: emails, no flag byte.
const addresses = {
  "ascii": "  Ann.Lee@Example.COM\t",
  "ascii-all-trim": "\t\n\u000b\f\r ",
  "ascii-not-trim": "\u001ca@b\u001f",
  "dotted-i": "\u0130stanbul@example.com",
  "final-sigma": "\u0391\u03a3",
  "sigma-before-dot": "\u0391\u03a3.com",
  "sigma-inside": "\u0391\u03a3\u0391",
  "sigma-ignorable": "\u0391'\u03a3'",
  "sigma-alone": "\u03a3",
  "js-whitespace": "\u00a0\ufeff\u2028X@Y\u2029\u3000\u1680",
  "sharp-s-capital": "\u1e9e@x",
  "titlecase": "\u01c5@x",
  "kelvin-ohm": "\u212a\u2126",
  "deseret": "\ud801\udc00@x",
  "multi-expansion": "\u0130\u0130\u0130\u0130",
};
for (const [name, address] of Object.entries(addresses)) seed("fuzz_email_normalize", name, address);
const bytes = {
  "invalid-ff": [0x41, 0xff, 0xfe, 0x42],
  "overlong": [0xc0, 0xaf, 0x41],
  "encoded-surrogate": [0xed, 0xa0, 0x80, 0x20],
  "truncated": [0x20, 0x41, 0xe2, 0x80],
  "truncated-whitespace": [0xe2, 0x80, 0xa8, 0x80, 0xe2, 0x80],
  "sigma-invalid-neighbour": [0x41, 0xce, 0xa3, 0xff],
};
for (const [name, list] of Object.entries(bytes))
  seed("fuzz_email_normalize", name, Buffer.from(list));

// With harness names as arguments, only their corpora are rewritten.
const only = process.argv.slice(2);
for (const name of only)
  if (!(name in corpora)) throw new Error("no harness " + name);
for (const [harness, seeds] of Object.entries(corpora)) {
  if (only.length > 0 && !only.includes(harness)) continue;
  const dir = join(root, harness);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of seeds) writeFileSync(join(dir, name), data);
  console.log(`${harness}: ${seeds.length} seeds`);
}
