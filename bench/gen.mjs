// bench/gen.mjs: the benchmark's workload, made by the real signers
// (jsonwebtoken from test/node_modules, node:crypto), as customers'
// backends sign (examples/signers/).
//
//   node bench/gen.mjs DIR fixed NTOKENS NPAYLOADS
//     secret.txt   the 64-hex workspace secret (random per run)
//     aud.txt      the widgets' public key (the tokens' aud)
//     at.txt       the verification time for the tokens below (Unix s)
//     tokens.txt   NTOKENS widget JWTs, iat/exp fixed so that verifying
//                  them "at" at.txt is deterministic
//     one_token.txt  the first of them (the same-token-every-row case)
//     payloads.txt NPAYLOADS hmac_email identify payloads {email, email_hash, name}
//     emails.tsv   the same payloads' email (as sent) TAB email_hash
//   node bench/gen.mjs DIR now NTOKENS
//     tokens_now.txt  NTOKENS widget JWTs with iat = now, exp = now + 10 min,
//                  for woesid_identify (which verifies at the statement's time)
//
// The workload is deterministic but for the secret and tokens_now' times:
// emails, names and ids come from a seeded generator.  Emails and names are
// ASCII, without quotes or backslashes (so a line is also a COPY text row).
import { createHmac, createSecretKey, randomBytes } from "node:crypto";
import { createWriteStream, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { once } from "node:events";

const require = createRequire(new URL("../test/package.json", import.meta.url));
const jwt = require("jsonwebtoken");

const AUD = "wpk_live_bench7f3a9c";
const FIXED_IAT = 1767225600; // 2026-01-01T00:00:00Z
const FIXED_AT = FIXED_IAT + 60;

const [dir, mode, ntokArg, npayArg] = process.argv.slice(2);
if (!dir || !["fixed", "now"].includes(mode)) {
  console.error("usage: gen.mjs DIR fixed NTOKENS NPAYLOADS | gen.mjs DIR now NTOKENS");
  process.exit(2);
}
const ntok = Number(ntokArg);
const npay = Number(npayArg ?? 0);

// xorshift32, seeded: the same workload shape every run
let seed = 0x2545f491;
function rnd(n) {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed % n;
}

const FIRST = ["ann", "bob", "carla", "dmitri", "eve", "farah", "gustavo", "hiro",
  "ines", "jamal", "kerstin", "liam", "mei", "noah", "olga", "priya", "quentin",
  "rosa", "sven", "tariq", "ursula", "victor", "wen", "xavier", "yasmin", "zoe"];
const LAST = ["lee", "smith", "garcia", "nguyen", "kowalski", "okafor", "schmidt",
  "rossi", "tanaka", "dubois", "silva", "novak", "haddad", "jensen", "murphy",
  "ivanova", "costa", "bauer", "khan", "oconnor"];
const DOMAINS = ["example.com", "acme.io", "mail.example.org", "corp.example.net",
  "startup.dev", "bigco.co.uk"];

const cap = (s) => s[0].toUpperCase() + s.slice(1);

function person(i) {
  const f = FIRST[rnd(FIRST.length)], l = LAST[rnd(LAST.length)];
  const email = `${f}.${l}${i}@${DOMAINS[rnd(DOMAINS.length)]}`;
  return { f, l, email, name: `${cap(f)} ${cap(l)}` };
}

async function writeLines(path, n, line) {
  const out = createWriteStream(path);
  let chunk = [];
  for (let i = 0; i < n; i++) {
    chunk.push(line(i));
    if (chunk.length === 10000) {
      if (!out.write(chunk.join("\n") + "\n")) await once(out, "drain");
      chunk = [];
    }
  }
  if (chunk.length) out.write(chunk.join("\n") + "\n");
  out.end();
  await once(out, "finish");
}

// A widget identity token exactly as examples/signers/sign.mjs signs it.
// The key is passed as a KeyObject of the secret string's UTF-8 bytes, made
// once: jsonwebtoken would otherwise build one per call from the string,
// which costs ~0.7 ms a token here (200k tokens: minutes).  The tokens are
// byte for byte the same (checked below on the first token).
function widgetToken(secret, key, i, iat) {
  const p = person(i);
  const accountId = `acct_${10000 + rnd(90000)}`;
  // ids come as strings or integers from real backends: vary them
  const contactId = i % 2 ? `usr_${rnd(1e9).toString(36)}${i}` : 100000 + i;
  const claims = {
    email: p.email.trim().toLowerCase(), name: p.name,
    account_external_id: accountId, contact_external_id: contactId,
    aud: AUD, iat, exp: iat + 10 * 60,
  };
  const token = jwt.sign(claims, key, { algorithm: "HS256" });
  if (i === 0 && jwt.sign(claims, secret, { algorithm: "HS256" }) !== token)
    throw new Error("jsonwebtoken signs differently with a KeyObject");
  return token;
}

if (mode === "fixed") {
  const secret = randomBytes(32).toString("hex");
  writeFileSync(`${dir}/secret.txt`, secret + "\n", { mode: 0o600 });
  writeFileSync(`${dir}/aud.txt`, AUD + "\n");
  const jwtKey = createSecretKey(Buffer.from(secret, "utf8"));
  writeFileSync(`${dir}/at.txt`, FIXED_AT + "\n");

  let first;
  await writeLines(`${dir}/tokens.txt`, ntok, (i) => {
    const t = widgetToken(secret, jwtKey, i, FIXED_IAT);
    if (i === 0) first = t;
    return t;
  });
  writeFileSync(`${dir}/one_token.txt`, first + "\n");

  // hmac_email: the browser sends the email as the visitor typed it (some
  // capitalized, a few with stray spaces); the hash is over the normalized one.
  const key = Buffer.from(secret, "hex");
  const emails = new Array(npay);
  await writeLines(`${dir}/payloads.txt`, npay, (i) => {
    const p = person(ntok + i);
    const r = rnd(100);
    let sent = p.email;
    if (r < 25) sent = `${cap(p.f)}.${cap(p.l)}${ntok + i}@${p.email.split("@")[1]}`;
    else if (r < 30) sent = ` ${p.email} `;
    const hash = createHmac("sha256", key).update(sent.trim().toLowerCase()).digest("hex");
    emails[i] = `${sent}\t${hash}`;
    return JSON.stringify({ email: sent, email_hash: hash, name: p.name });
  });
  await writeLines(`${dir}/emails.tsv`, npay, (i) => emails[i]);
} else {
  const secret = readFileSync(`${dir}/secret.txt`, "utf8").trim();
  const jwtKey = createSecretKey(Buffer.from(secret, "utf8"));
  const now = Math.floor(Date.now() / 1000);
  await writeLines(`${dir}/tokens_now.txt`, ntok, (i) => widgetToken(secret, jwtKey, i, now));
}
