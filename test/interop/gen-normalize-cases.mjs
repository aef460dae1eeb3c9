#!/usr/bin/env node
// Writes differential test vectors for email normalization, with Node.js's
// own s.trim().toLowerCase() as the expected value: one case per line,
// "<hex of input UTF-8>\t<hex of expected UTF-8>".  Every code point from
// U+0001 to U+10FFFF except surrogates (U+0000 cannot live in PostgreSQL
// text) appears alone, inside whitespace and an address, and on each side
// of U+03A3 so that the final-sigma rule meets it; then deterministic random
// strings around U+03A3.  Read by test/unit/test_email_normalize.c and by the
// SQL differential test.  Never writes anything but the vectors.
//   node test/interop/gen-normalize-cases.mjs [output-file]   (default stdout)
import { openSync, writeSync, closeSync } from "node:fs";

const out = process.argv[2] ? openSync(process.argv[2], "w") : 1;
const SIGMA = "\u03a3";

let chunk = [];
let chunkLength = 0;
function flush() {
  writeSync(out, chunk.join(""));
  chunk = [];
  chunkLength = 0;
}
function emit(s) {
  const line = Buffer.from(s, "utf8").toString("hex") + "\t" +
    Buffer.from(s.trim().toLowerCase(), "utf8").toString("hex") + "\n";
  chunk.push(line);
  chunkLength += line.length;
  if (chunkLength >= 1 << 20) flush();
}

for (let c = 1; c <= 0x10ffff; c++) {
  if (c >= 0xd800 && c <= 0xdfff) continue;
  const x = String.fromCodePoint(c);
  emit(x);
  emit(" \u00a0" + x + "@Ex.Com\u3000");
  emit(x + SIGMA);
  emit("A" + x + SIGMA);
  emit("A" + SIGMA + x + "B");
  emit("\u0391" + SIGMA + x);
}

// xorshift32, fixed seed: the same vectors on every run.
let seed = 0x2545f491;
function rand(n) {
  seed ^= seed << 13; seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5; seed >>>= 0;
  return seed % n;
}
const pool = [
  0x3a3, 0x3a3, 0x3a3, 0x41, 0x5a, 0x61, 0x2e, 0x27, 0x3a, 0x40, 0x20, 0x9,
  0xa0, 0xad, 0xaa, 0xb7, 0x130, 0x2b0, 0x301, 0x345, 0x391, 0x3c3, 0x3c2,
  0x1d2c, 0x200b, 0x200d, 0x2028, 0x2071, 0x2160, 0x24b6, 0x3000, 0xfeff,
  0x10400, 0x10428, 0x1e900, 0x1f600,
];
for (let n = 0; n < 500; n++) {
  const a = [0x3a3];
  const len = 1 + rand(12);
  for (let i = 0; i < len; i++) {
    let c;
    if (rand(4) === 0) {
      do c = 1 + rand(0x10ffff); while (c >= 0xd800 && c <= 0xdfff);
    } else c = pool[rand(pool.length)];
    a.splice(rand(a.length + 1), 0, c);
  }
  emit(String.fromCodePoint(...a));
}

flush();
if (out !== 1) closeSync(out);
