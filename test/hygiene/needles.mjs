// test/hygiene/needles.mjs: the needles of the hygiene suite, the strings
// that must never reach a client message or the server log.  Shared by
// workload.mjs (which writes needles.json) and bind.mjs (which adds its own
// secrets and tokens, and the secrets woesid_generate_secret returned).
// Text needles match case-insensitively, byte needles exactly (scan.mjs).
import { readFileSync, writeFileSync } from "node:fs";

export const newNeedles = () => ({ text: [], bytes: [] });

export const loadNeedles = (path) => JSON.parse(readFileSync(path, "utf8"));

export const saveNeedles = (path, needles) => writeFileSync(path, JSON.stringify(needles, null, 1));

// Every form a secret could leak in: the string, its first and last 16
// characters, base64/base64url of the string (the JWT key bytes) and, for
// whole hex bytes, of the decoded bytes and the raw bytes themselves.  An
// sk_ secret (signed-variables widgets) is also looked for without sk_.
export function secretForms(needles, label, s) {
  const { text, bytes } = needles;
  const raw = Buffer.from(s, "utf8");
  text.push([`${label} (hex string)`, s], [`${label} (first 16)`, s.slice(0, 16)], [`${label} (last 16)`, s.slice(-16)],
    [`${label} as JWT key, base64`, raw.toString("base64")], [`${label} as JWT key, base64url`, raw.toString("base64url")]);
  if (/^([0-9a-f]{2})+$/i.test(s)) {
    const dec = Buffer.from(s, "hex");
    text.push([`${label} decoded, base64`, dec.toString("base64")], [`${label} decoded, base64url`, dec.toString("base64url")]);
    bytes.push([`${label} decoded, raw bytes`, dec.toString("hex")]);
  }
  if (/^sk_[0-9a-f]{32,}$/.test(s)) text.push([`${label} without sk_`, s.slice(3)]);
}

// A token, and its signature on its own.
export function tokenForms(needles, label, t) {
  needles.text.push([`token ${label}`, t]);
  const sig = t.split(".")[2];
  if (sig && sig.length >= 40) needles.text.push([`token ${label}, signature`, sig]);
}
