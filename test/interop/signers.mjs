// signers.mjs: the signers of examples/signers/, one per language customers'
// backends are written in, each with its real library from Debian's packages
// (Node: jsonwebtoken and node:crypto; Python: python3-jwt and hmac; Ruby:
// ruby-jwt and OpenSSL::HMAC; Go: golang-jwt, x/text and crypto/hmac; PHP:
// hash_hmac and a JWT by hand; Perl: Crypt::JWT and Digest::SHA), run as
// programs exactly as they are shipped.  For each language a jwt widget and an
// hmac_email widget are registered with a secret from woesid_generate_secret;
// for emails with surrounding whitespace and non-ASCII letters, the signer's
// token must verify through woesid_identify (text body) and woesid_verify_jwt,
// its email_hash through the hmac_email widget, and woesid_email_hash must
// equal the signer's hash and node:crypto's over JavaScript's
// email.trim().toLowerCase().  A signer that cannot be built or run fails every
// check of its language: a missing toolchain is a failure, never a skip.
import { spawnSync } from "node:child_process";
import { createHmac, randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { psql, sqlString, tally } from "./psql.mjs";

const t = tally("signers");
const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = join(root, "examples/signers");
const tmp = mkdtempSync(join(tmpdir(), "woesid-signers-"));
process.on("exit", () => rmSync(tmp, { recursive: true, force: true }));
const env = { ...process.env, LC_ALL: "C.UTF-8" };

// Each language: an optional setup (a build), then the command the signer runs
// as, with Debian's interpreters named by path (a version manager's python3
// earlier in PATH would not see python3-jwt).
const languages = {
  node: {
    // `import jwt from "jsonwebtoken"` resolves beside the file: a copy next to
    // the test's node_modules.
    setup() {
      symlinkSync(join(root, "test/node_modules"), join(tmp, "node_modules"));
      copyFileSync(join(dir, "sign.mjs"), join(tmp, "sign.mjs"));
    },
    cmd: [process.execPath, join(tmp, "sign.mjs")],
  },
  python: { cmd: ["/usr/bin/python3", join(dir, "sign.py")] },
  ruby: { cmd: ["/usr/bin/ruby", join(dir, "sign.rb")] },
  go: {
    // examples/signers/go.mod points the modules at Debian's sources: offline.
    setup() {
      const r = spawnSync("/usr/bin/go", ["build", "-o", join(tmp, "sign"), "."], {
        cwd: dir, encoding: "utf8",
        env: { ...env, GO111MODULE: "on", GOFLAGS: "-mod=readonly", GOPROXY: "off", GOTOOLCHAIN: "local",
          GOPATH: join(tmp, "gopath"), GOCACHE: join(tmp, "gocache") },
      });
      if (r.status !== 0) throw new Error(`go build: ${r.error?.message ?? r.stderr}`);
    },
    cmd: [join(tmp, "sign")],
  },
  php: { cmd: ["/usr/bin/php", join(dir, "sign.php")] },
  perl: { cmd: ["/usr/bin/perl", join(dir, "sign.pl")] },
};

// Emails as a customer's database or sign-up form may hold them; the expected
// normal form is JavaScript's, which woesid implements.
const emails = [
  ["ASCII, spaces", "  Ann.Lee@Example.COM "],
  ["Latin capitals, tab, CRLF", "\tJOSÉ.Müller@Bücher.DE\r\n"],
  ["BOM, dotted capital I (i + U+0307), NBSP", "\ufeffİNCİ.YILMAZ@ÖRNEK.COM.TR\u00a0"],
  ["final sigma before @ only, U+3000, U+2028", "\u3000ΝΙΚΟΣ.ΠΑΠΑΣ@ΕΞΑΣ.gr\u2028"],
  ["titlecase digraph, capital sharp s", "ǅemal.ẞtraße@Example.com"],
  ["U+0085 is not JavaScript whitespace", "Bob@Example.com\u0085 "],
];
const normalize = (email) => email.trim().toLowerCase();
const user = (i) => ({ email: emails[i][1], name: `Visitor ${i} "Ö" / ${emails[i][0]}`, account: `acc_${i}`, id: `usr_${i}` });

// One jwt and one hmac_email widget per language; the jwt widget's generated
// secret is also the hmac_email widget's (one workspace secret, two modes).
const run = randomBytes(4).toString("hex");
const widget = (lang, mode) => `wpk_test_${run}_${lang}_${mode}`;
const keys = {};
for (const line of psql("SET client_min_messages = warning;\n" + Object.keys(languages).map((lang) => `
SELECT woesid_register_widget(${sqlString(widget(lang, "jwt"))}, 'jwt', NULL, 'tenant_${lang}') \\g /dev/null
SELECT woesid_register_widget(${sqlString(widget(lang, "hmac"))}, 'hmac_email', NULL, 'tenant_${lang}') \\g /dev/null
SELECT key_id, secret FROM woesid_generate_secret(${sqlString(widget(lang, "jwt"))}) \\gset ${lang}_
SELECT ${sqlString(lang)}, :'${lang}_key_id', :'${lang}_secret', woesid_add_secret(${sqlString(widget(lang, "hmac"))}, :'${lang}_secret');
`).join(""))) {
  const [lang, keyId, secret, hmacKeyId] = line.split("\t");
  keys[lang] = { keyId, secret, hmacKeyId };
}

const CHECKS_PER_EMAIL = 7; // 2 here, 5 in SQL below
const b64json = (segment) => JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
const now = Math.floor(Date.now() / 1000);
const cases = []; // SQL expressions giving one JSON value each, and what it must satisfy
const expect = (what, sql, ok) => cases.push({ what, sql, ok });
const identify = (pk, body) => `(SELECT row_to_json(r) FROM woesid_identify(${sqlString(pk)}, ${sqlString(body)}::text) AS r)`;

for (const [lang, how] of Object.entries(languages)) {
  const { keyId, secret, hmacKeyId } = keys[lang] ?? {};
  t.check(/^[0-9a-f]{64}$/.test(secret ?? ""), `${lang}: a generated secret`);
  const jwtKey = widget(lang, "jwt"), hmacKey = widget(lang, "hmac");
  let broken = null;
  try {
    how.setup?.();
  } catch (e) {
    broken = e.message;
  }
  for (let i = 0; i < emails.length; i++) {
    const u = user(i), what = `${lang}, ${emails[i][0]}`;
    const email = normalize(u.email);
    const wantHash = createHmac("sha256", Buffer.from(secret ?? "", "hex")).update(email).digest("hex");
    let token = "", hash = "";
    if (!broken) {
      const r = spawnSync(how.cmd[0], [...how.cmd.slice(1), secret, jwtKey, u.email, u.name, u.account, u.id],
        { encoding: "utf8", env });
      const lines = (r.stdout ?? "").split("\n");
      if (r.status === 0 && lines.length === 3 && lines[2] === "") [token, hash] = lines;
      else broken = `${how.cmd.join(" ")}: ${r.error?.message ?? `status ${r.status}: ${r.stderr}`}`;
    }
    // A signer that does not run fails each of its checks (the first says why).
    if (broken) {
      t.add(0, CHECKS_PER_EMAIL, `${what}: the signer did not run: ${broken}`);
      continue;
    }
    t.check(hash === wantHash, `${what}: email_hash ${hash}, node:crypto over ${JSON.stringify(email)} gives ${wantHash}`);
    let header = {}, claims = {};
    try {
      [header, claims] = token.split(".").slice(0, 2).map(b64json);
    } catch { /* checked below */ }
    t.check(header.alg === "HS256" && claims.email === email && claims.name === u.name &&
      claims.account_external_id === u.account && claims.contact_external_id === u.id && claims.aud === jwtKey &&
      Number.isInteger(claims.iat) && Math.abs(claims.iat - now) <= 60 && claims.exp - claims.iat === 600,
    `${what}: token header ${JSON.stringify(header)}, claims ${JSON.stringify(claims)}`);

    expect(`${what}: woesid_identify of the jwt body`, identify(jwtKey, JSON.stringify({ jwt: token })), (r) =>
      r.verified === true && r.failure === null && r.mode === "jwt" && r.email === email && r.widget === jwtKey &&
      r.key_id === keyId && r.contact_external_id === u.id && r.account_external_id === u.account &&
      r.claims.name === u.name && Date.parse(r.expires_at) - Date.parse(r.issued_at) === 600_000);
    expect(`${what}: woesid_verify_jwt`,
      `(SELECT row_to_json(r) FROM woesid_verify_jwt(${sqlString(token)}, ${sqlString(secret)}, ${sqlString(jwtKey)}) AS r)`,
      (r) => r.verified === true && r.email === email && r.widget === jwtKey);
    expect(`${what}: woesid_identify of the hmac_email body`,
      identify(hmacKey, JSON.stringify({ email: u.email, email_hash: hash, name: u.name })), (r) =>
        r.verified === true && r.failure === null && r.mode === "hmac_email" && r.email === email &&
        r.widget === hmacKey && r.key_id === hmacKeyId && r.metadata.name === u.name);
    expect(`${what}: woesid_email_hash equals the signer's`,
      `to_json(woesid_email_hash(${sqlString(u.email)}, decode(${sqlString(secret)}, 'hex')))`, (h) => h === hash);
    // and nothing verifies vacuously: another widget's audience, another email
    expect(`${what}: the token for another widget`,
      `(SELECT row_to_json(r) FROM woesid_verify_jwt(${sqlString(token)}, ${sqlString(secret)}, ${sqlString(hmacKey)}) AS r)`,
      (r) => r.verified === false && r.failure === "audience_mismatch" && r.email === null);
  }
}

if (cases.length) {
  const out = psql("SET client_min_messages = warning;\n" +
    cases.map((c) => `SELECT coalesce((${c.sql})::text, 'null');`).join("\n"));
  cases.forEach((c, i) => {
    let value, ok = false;
    try {
      value = JSON.parse(out[i]);
      ok = c.ok(value) === true;
    } catch { /* a failed check */ }
    t.check(ok, `${c.what}: got ${out[i]}`);
  });
}
t.done();
